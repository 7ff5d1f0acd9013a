import { createServer, get as httpGet, type Server, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toShortUuid } from '../../src/videos/short-uuid.js';
import { generatedClip } from '../support/media.js';
import { freePort, waitFor } from '../support/ports.js';
import { ROOT_PASSWORD, startTestInstance, type TestInstance } from '../support/instance.js';
import { axeViolations, CHROMIUM_ARGS, CHROMIUM_PATH, E2E_ARTIFACTS, serious } from '../support/browser.js';

/**
 * The viewer's web, in a real Chromium: pages at PeerTube's URLs, the player playing a transcoded
 * video with every segment checked, the embed inside another origin's iframe, accessibility, and
 * the origin dying mid-play while a mirror holds a copy (last: it stops the origin).
 */
const ARTIFACTS = E2E_ARTIFACTS;

interface PlayerState {
  mode: string;
  sources: { label: string; kind: string; bytes: number; failures: number; downUntil: number }[];
  peerBytes: number;
  peerUploadedBytes: number;
  hashChecked: number;
  hashFailures: number;
  errors: number;
  events: { at: number; what: string }[];
  reportsPosted: number;
  postedP2PBytes: number;
}

// page-side code as strings: the test program has no DOM types
const playerState = (where: Page | Frame) => where.evaluate<PlayerState | null>('window.mirrortubePlayers?.[0] ?? null');
const currentTime = (where: Page | Frame) => where.evaluate<number>("document.querySelector('video')?.currentTime ?? 0");

async function waitPlaying(where: Page | Frame, beyond: number, what: string, timeoutMs = 60_000) {
  return waitFor(what, async () => ((await currentTime(where)) > beyond ? currentTime(where) : undefined), timeoutMs, 100);
}

const axe = axeViolations;

describe('the viewer web in Chromium', () => {
  let a: TestInstance;
  let b: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let other: Server;
  let otherUrl = '';
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  let aStopped = false;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [clip, instances, launched] = await Promise.all([
      generatedClip({ seconds: 32, width: 320, height: 240 }),
      Promise.all([
        startTestInstance({ db: 'postgres', overrides: { instance: { name: 'Origin Tube' }, transcoding: { web_videos: { enabled: true } } } }),
        startTestInstance({
          db: 'embedded',
          overrides: {
            redundancy: { min_lifetime_floor: '1 second', videos: { check_interval: '10 minutes', strategies: [{ strategy: 'trending', size: '50MB', min_lifetime: '30 minutes' }] } },
          },
        }),
      ]),
      // playwright's launch() gives the browser a new, temporary user-data-dir of its own
      chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
    ]);
    [a, b] = instances;
    browser = launched;
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });

    // B mirrors A's videos
    const follow = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(follow.status).toBe(204);
    const res = await a.uploadMultipart(clip, { name: 'Test pattern <& tone>', channelId: '1', description: 'A **generated** clip', tags: ['pattern'] });
    expect(res.status).toBe(200);
    uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    await a.waitForPublished(uuid);
    await waitFor('the video known on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    await waitFor('B\'s copy listed on A', async () => {
      const v = await a.json<{ streamingPlaylists: { redundancies: { baseUrl: string }[] }[] }>(`/api/v1/videos/${uuid}`);
      return v.streamingPlaylists[0]!.redundancies.length > 0 ? true : undefined;
    }, 120_000);

    // another site that embeds A's player
    const port = await freePort();
    otherUrl = `http://127.0.0.1:${port}`;
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html lang="en"><title>Another site</title><h1>Another site</h1>
<iframe id="embed" width="560" height="315" title="Embedded video" src="${a.url}/videos/embed/${uuid}?autoplay=1&muted=1&start=2" allow="autoplay; fullscreen" allowfullscreen></iframe>`);
    });
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (other ? other.close(resolve) : resolve(undefined)));
    await Promise.all([aStopped ? null : a?.stop(), b?.stop()]);
  });

  it('serves the pages at PeerTube\'s URLs, with OpenGraph, oEmbed and ActivityPub alongside', async () => {
    const get = (path: string, accept = 'text/html') => fetch(`${a.url}${path}`, { headers: { accept }, redirect: 'manual' });
    for (const path of ['/', '/videos/local', '/videos/trending', '/about', '/login', '/videos/upload', '/search?search=pattern', '/c/root_channel', '/a/root', '/@root']) {
      const res = await get(path);
      expect(`${path} ${res.status} ${res.headers.get('content-type')}`).toBe(`${path} 200 text/html; charset=utf-8`);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    expect(await (await get('/search?search=pattern')).text()).toContain(`/w/${uuid}`);
    expect(await (await get('/?filter=remote')).text()).not.toContain(`/w/${uuid}`);
    expect(await (await get('/a/nobody')).text()).toContain('not found');
    expect((await get('/a/nobody')).status).toBe(404);

    const short = toShortUuid(uuid);
    const watch = await get(`/w/${short}`);
    expect(watch.status).toBe(200);
    const text = await watch.text();
    expect(text).toContain('<meta property="og:title" content="Test pattern &lt;&amp; tone&gt;">');
    expect(text).toContain(`<meta property="og:video:url" content="${a.url}/videos/embed/${uuid}">`);
    expect(text).toContain(`href="${a.url}/services/oembed?url=${encodeURIComponent(`${a.url}/w/${short}`)}"`);
    expect((await get(`/videos/watch/${uuid}`)).status).toBe(200);
    expect((await get('/w/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const script = await get('/client/player.js', '*/*');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    const etag = script.headers.get('etag')!;
    // (node's http: fetch adds `Cache-Control: no-cache` to a conditional request, which forbids a 304)
    const revalidated = await new Promise<number>((resolve, reject) =>
      httpGet(`${a.url}/client/player.js`, { headers: { 'if-none-match': etag } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(revalidated).toBe(304);

    const embed = await get(`/videos/embed/${uuid}`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get('x-frame-options')).toBeNull();

    const oembed = await get(`/services/oembed?url=${encodeURIComponent(`${a.url}/w/${short}?start=3`)}`, 'application/json');
    expect(oembed.status).toBe(200);
    expect(await oembed.json()).toMatchObject({ type: 'video', title: 'Test pattern <& tone>', width: 560, height: 315, html: expect.stringContaining(`src="${a.url}/videos/embed/${uuid}?start=3"`) });
    expect((await get(`/services/oembed?url=${encodeURIComponent('https://elsewhere.example/w/x')}`)).status).toBe(400);

    // an ActivityPub client still gets the Video object at the same URL
    const ap = await get(`/videos/watch/${uuid}`, 'application/activity+json');
    expect(ap.status).toBe(200);
    expect(((await ap.json()) as { type: string }).type).toBe('Video');
  });

  it('the watch page plays the transcoded video, every segment checked; axe finds no serious violation', async () => {
    const page = await context.newPage();
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).host));
    await page.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1`);
    await waitPlaying(page, 1.5, 'the watch page to play');
    // no request to any host but the instance and the video's sources (the mirror)
    expect([...hosts].filter((h) => h !== hostOf(a) && h !== hostOf(b))).toEqual([]);
    const state = (await playerState(page))!;
    expect(state.mode).toBe('p2p-media-loader');
    expect(state.hashChecked).toBeGreaterThan(0);
    expect(state.hashFailures).toBe(0);
    expect(state.sources.map((s) => s.kind)).toEqual(['origin', 'mirror']);
    expect(state.sources.reduce((n, s) => n + s.bytes, 0)).toBeGreaterThan(0);
    await page.click('#player-stats summary');
    await page.screenshot({ path: join(ARTIFACTS, 'watch.png'), fullPage: true });
    const violations = await axe(page);
    console.log(`axe on the watch page: ${JSON.stringify(violations)}`);
    expect(serious(violations)).toEqual([]);
    await page.close();
  });

  it('with PeerTube\'s mode=web-video, the player plays the MP4 file', async () => {
    const page = await context.newPage();
    await page.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1&mode=web-video`);
    await waitPlaying(page, 0.5, 'the MP4 to play');
    expect((await playerState(page))!.mode).toBe('web-video');
    expect(await page.evaluate<string>("document.querySelector('video').currentSrc")).toMatch(new RegExp(`^${a.url}/static/web-videos/${uuid}-\\d+\\.mp4$`));
    await page.close();
  });

  it('the home page lists the video; axe finds no serious violation', async () => {
    const page = await context.newPage();
    await page.goto(`${a.url}/`);
    expect(await page.locator(`a[href="/w/${uuid}"]`).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true });
    const violations = await axe(page);
    console.log(`axe on the home page: ${JSON.stringify(violations)}`);
    expect(serious(violations)).toEqual([]);
    await page.close();
  });

  it('readable without JavaScript, on a phone, and by keyboard', async () => {
    const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 700 } });
    try {
      const page = await phone.newPage();
      await page.goto(`${a.url}/w/${toShortUuid(uuid)}`);
      expect(await page.textContent('h1')).toBe('Test pattern <& tone>');
      expect(await page.textContent('noscript')).toContain('The player needs JavaScript');
      expect(await page.isVisible('text=generated')).toBe(true);
      // nothing wider than the phone's screen
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await page.screenshot({ path: join(ARTIFACTS, 'watch-phone-no-js.png'), fullPage: true });
      await page.goto(`${a.url}/`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate<string>('location.hash')).toBe('#main');
      await page.screenshot({ path: join(ARTIFACTS, 'home-phone-no-js.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('the embed plays inside an iframe of another origin, from its start option', async () => {
    const page = await context.newPage();
    await page.goto(otherUrl);
    const frame = await waitFor('the embed frame', async () => page.frames().find((f) => f.url().startsWith(`${a.url}/videos/embed/`)), 30_000);
    // PeerTube's start option: playback begins at 2 s
    expect(await waitPlaying(frame, 0, 'the embed to play in the other site\'s iframe')).toBeGreaterThanOrEqual(2);
    await waitPlaying(frame, 3, 'the embed to play on');
    expect((await playerState(frame))!.hashFailures).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'embed-in-other-site.png') });
    await page.close();
  });

  it('a user logs in and uploads through the pages (both protocols, with progress)', async () => {
    const page = await context.newPage();
    await page.goto(`${a.url}/login`);
    await page.fill('#username', 'root');
    await page.fill('#password', 'wrong password');
    await page.click('#login button[type=submit]');
    await waitFor('the login error', async () => ((await page.textContent('#login-error'))?.trim() ? true : undefined), 15_000);
    await page.fill('#password', ROOT_PASSWORD);
    await Promise.all([page.waitForURL(`${a.url}/`), page.click('#login button[type=submit]')]);
    await page.goto(`${a.url}/videos/upload`);
    await waitFor('the channels of the logged-in user', async () => ((await page.locator('select#channelId option').count()) > 0 ? true : undefined), 15_000);
    await page.setInputFiles('#videofile', await generatedClip({ seconds: 2, width: 160, height: 120 }));
    await page.fill('#name', 'Uploaded from the page');
    await page.screenshot({ path: join(ARTIFACTS, 'upload.png'), fullPage: true });
    // the progress bar, as the page sets it (the value attribute reflects the property), until it leaves
    const progress: number[] = [];
    await page.exposeFunction('mtRecordProgress', (value: string | null) => progress.push(Number(value)));
    await page.evaluate(`(() => {
      const bar = document.getElementById('upload-progress');
      new MutationObserver(() => window.mtRecordProgress(bar.getAttribute('value'))).observe(bar, { attributes: true, attributeFilter: ['value'] });
    })()`);
    await Promise.all([page.waitForURL(/\/w\/[0-9a-f-]{36}$/, { timeout: 60_000 }), page.click('#upload button[type=submit]')]);
    console.log('upload progress seen:', progress.join(' '));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1]!)).toBe(true);
    const uploaded = page.url().split('/').pop()!;
    const v = await a.json<{ name: string }>(`/api/v1/videos/${uploaded}`);
    expect(v.name).toBe('Uploaded from the page');
    // the other protocol: one multipart request
    await page.goto(`${a.url}/videos/upload`);
    await waitFor('the channels again', async () => ((await page.locator('select#channelId option').count()) > 0 ? true : undefined), 15_000);
    await page.setInputFiles('#videofile', await generatedClip({ seconds: 2, width: 160, height: 120 }));
    await page.fill('#name', 'Uploaded in one request');
    await page.check('input[name=protocol][value=multipart]');
    await Promise.all([page.waitForURL(/\/w\/[0-9a-f-]{36}$/, { timeout: 60_000 }), page.click('#upload button[type=submit]')]);
    expect((await a.json<{ name: string }>(`/api/v1/videos/${page.url().split('/').pop()!}`)).name).toBe('Uploaded in one request');
    await page.close();
  });

  it('two viewers exchange segments over the tracker (bytes from peers, in the counters and the posted metrics)', async () => {
    const second = await browser.newContext();
    const [p1, p2] = [await context.newPage(), await second.newPage()];
    try {
      await p1.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1`);
      await waitPlaying(p1, 0.5, 'the first viewer to play');
      // the second viewer starts once the first holds segments and is in the swarm
      await p2.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1`);
      const peerBytes = await waitFor('bytes from a peer on either viewer', async () => {
        const [s1, s2] = await Promise.all([playerState(p1), playerState(p2)]);
        const n = (s1?.peerBytes ?? 0) + (s2?.peerBytes ?? 0);
        return n > 0 ? n : undefined;
      }, 45_000, 200);
      const posted = await waitFor('the peer bytes in a posted playback report', async () => {
        const [s1, s2] = await Promise.all([playerState(p1), playerState(p2)]);
        const n = (s1?.postedP2PBytes ?? 0) + (s2?.postedP2PBytes ?? 0);
        return n > 0 ? n : undefined;
      }, 30_000, 250);
      const metrics = await (await a.api('/metrics')).text();
      const uploaded = (await Promise.all([playerState(p1), playerState(p2)])).reduce((n, st) => n + (st?.peerUploadedBytes ?? 0), 0);
      console.log(`peer bytes: ${peerBytes} in the players (${uploaded} counted as uploaded), ${posted} posted; ${metrics.split('\n').filter((l) => l.startsWith('mirrortube_playback_bytes_total')).join('; ')}`);
      expect(metrics).toMatch(/mirrortube_playback_bytes_total\{[^}]*p2p[^}]*\} [1-9]/);
    } finally {
      await second.close();
      await p1.close();
    }
  });

  it('a mirror serving wrong bytes and a mirror that stalls are each dropped; playback goes on', async () => {
    // two extra "mirrors" listed on A: one answers every range with other bytes, one never answers
    const stalled: ServerResponse[] = [];
    const requests: Record<string, number[]> = { corrupt: [], stall: [] };
    const fakes = await Promise.all(
      (['corrupt', 'stall'] as const).map(async (kind) => {
        const port = await freePort();
        const server = createServer((req, res) => {
          requests[kind]!.push(Date.now());
          if (kind === 'stall') return void stalled.push(res);
          const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
          const [start, end] = m ? [Number(m[1]), Number(m[2])] : [0, 999];
          res.writeHead(206, { 'access-control-allow-origin': '*', 'content-range': `bytes ${start}-${end}/*`, 'content-length': end - start + 1 });
          res.end(Buffer.alloc(end - start + 1, 7));
        });
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
        return { kind, server, base: `http://127.0.0.1:${port}` };
      }),
    );
    const prisma = a.instance.prisma;
    const copy = (await prisma.videoRedundancy.findFirst({ where: { video: { uuid } } }))!;
    const { id: _id, url: _url, fileUrl: _fileUrl, actorId: _actorId, ...row } = copy;
    // one copy per video and actor: the fake mirrors borrow two other actors' ids (only the URLs matter to the player)
    const actors = await prisma.actor.findMany({ where: { id: { not: copy.actorId } }, select: { id: true }, take: 2 });
    const added = await Promise.all(
      fakes.map((f, i) =>
        prisma.videoRedundancy.create({ data: { ...row, actorId: actors[i]!.id, url: `${f.base}/redundancy/streaming-playlists/hls/${uuid}`, fileUrl: `${f.base}/static/redundancy/hls/${uuid}` } }),
      ),
    );
    const fresh = await browser.newContext();
    try {
      await waitFor('the fake mirrors listed', async () => {
        const v = await a.json<{ streamingPlaylists: { redundancies: unknown[] }[] }>(`/api/v1/videos/${uuid}`, { token: null });
        return v.streamingPlaylists[0]!.redundancies.length === 3 ? true : undefined;
      }, 30_000);
      const page = await fresh.newPage();
      await page.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1`);
      await waitPlaying(page, 0.1, 'playback with the fake mirrors');
      await page.evaluate("document.querySelector('video').playbackRate = 4");
      const label = (f: { base: string }) => new URL(f.base).host;
      const state = await waitFor('both fake mirrors dropped', async () => {
        const st = (await playerState(page))!;
        return fakes.every((f) => st.sources.find((x) => x.label === label(f))!.failures > 0) ? st : undefined;
      }, 60_000, 50);
      await waitPlaying(page, 12, 'playback going on past the dropped mirrors');
      const after = (await playerState(page))!;
      const of = (f: { base: string }) => after.sources.find((x) => x.label === label(f))! as PlayerState['sources'][number] & { lastError: string };
      const stall = fakes.find((f) => f.kind === 'stall')!;
      const droppedStall = after.events.find((e) => e.what.startsWith(`dropped ${label(stall)}`))!;
      console.log(
        `corrupt mirror: ${of(fakes[0]!).lastError}; stalled mirror: ${of(stall).lastError}, dropped ${droppedStall.at - requests.stall!.filter((at) => at <= droppedStall.at).pop()!} ms after the request it stalled; ` +
          `hash failures ${after.hashFailures} of ${after.hashChecked} checked; bytes: ${after.sources.map((x) => `${x.label}=${x.bytes}`).join(', ')}`,
      );
      expect(of(fakes[0]!).lastError).toBe('http-segment-validation-failed');
      expect(of(stall).lastError).toBe('bytes-receiving-timeout');
      expect(state.hashFailures).toBeGreaterThan(0);
      expect(of(fakes[0]!).bytes).toBe(0); // wrong bytes are not counted as served
      await page.close();
    } finally {
      await fresh.close();
      await prisma.videoRedundancy.deleteMany({ where: { id: { in: added.map((r) => r.id) } } });
      for (const res of stalled) res.destroy();
      await Promise.all(fakes.map((f) => new Promise((resolve) => f.server.close(resolve))));
    }
  });

  it('the origin dies mid-play: playback continues from the mirror', async () => {
    // a context of its own: an empty HTTP cache (the earlier viewers' cached segments would hide the failure)
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    let stalls = 0;
    await page.exposeFunction('countStall', () => stalls++);
    await page.goto(`${a.url}/w/${toShortUuid(uuid)}?muted=1&autoplay=1`);
    await waitPlaying(page, 0.1, 'playback before the failure');
    const bufferedEnd = await page.evaluate<number>("(() => { const v = document.querySelector('video'); return v.buffered.length ? v.buffered.end(v.buffered.length - 1) : 0; })()");
    const duration = await page.evaluate<number>("document.querySelector('video').duration");
    expect(bufferedEnd).toBeLessThan(duration - 4); // segments are left to fetch
    // the origin's HTTP server goes away (the page, its playlists and the hashes were loaded from it)
    const killedAt = Date.now();
    await a.instance.stop();
    aStopped = true;
    const gone = Date.now();
    await page.evaluate("document.querySelector('video').addEventListener('waiting', () => window.countStall())");
    // faster than real time: the remaining segments are needed sooner
    await page.evaluate("document.querySelector('video').playbackRate = 4");
    // the origin fails a request, the segment comes from the mirror
    const failover = await waitFor(`a request on the dead origin, then a segment from the mirror (killed at ${killedAt})`, async () => {
      const s = (await playerState(page))!;
      const dropped = s.events.find((e) => e.at >= killedAt && e.what.startsWith('dropped origin'));
      const fromMirror = dropped && s.events.find((e) => e.at >= dropped.at && e.what.startsWith('segment from') && !e.what.endsWith('origin'));
      return dropped && fromMirror ? { dropped: dropped.at, mirror: fromMirror.at } : undefined;
    }, 60_000, 50).catch(async (err: Error) => {
      const s = await playerState(page);
      throw new Error(`${err.message}; time ${await currentTime(page)}; player: ${JSON.stringify(s)}`);
    });
    await waitPlaying(page, Math.min(duration - 1, bufferedEnd + 4), 'playback well past the buffer held at the failure');
    const after = (await playerState(page))!;
    console.log(
      `origin killed (its stop took ${gone - killedAt} ms); its failed request was retried from the mirror in ${failover.mirror - failover.dropped} ms ` +
        `(${failover.mirror - gone} ms after the origin was gone, buffer held ${bufferedEnd.toFixed(1)} s); stalls after the failure: ${stalls}; ` +
        `bytes: ${after.sources.map((x) => `${x.label}=${x.bytes}`).join(', ')}; events: ${after.events.slice(-6).map((e) => e.what).join(' | ')}`,
    );
    expect(after.hashFailures).toBe(0);
    expect(after.sources.find((x) => x.kind === 'origin')!.failures).toBeGreaterThan(0);
    await page.click('#player-stats summary');
    await page.screenshot({ path: join(ARTIFACTS, 'watch-after-failover.png'), fullPage: true });
    await fresh.close();
  });
});
