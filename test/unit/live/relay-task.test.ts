import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchResult } from '../../../src/federation/remote/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createRelayTask, type RelayEnd } from '../../../src/live/relay/relay-task.js';
import { createMemoryFiles, type MemoryFiles } from '../../../src/http/static/memory-files.js';

const BASE = 'https://origin.example/static/streaming-playlists/hls/u/';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000\n0.m3u8\n';
/** a media playlist with its media sequence (the first segment's number) */
const mediaSeq = (segments: number[]) => media(segments).replace('#EXT-X-TARGETDURATION:1\n', `#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:${segments[0]}\n`);
const media = (segments: number[], ended = false) =>
  ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MAP:URI="%v-init-1.mp4"', ...segments.flatMap((n) => ['#EXTINF:1.0,', `0-${n}.mp4`]), ...(ended ? ['#EXT-X-ENDLIST'] : []), ''].join('\n');

/** An origin in memory: files by name (decoded), requests recorded; `down` answers nothing. */
function fakeOrigin() {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const state = { down: false };
  return {
    files,
    requests,
    state,
    put: (name: string, body: string | Buffer) => files.set(name, Buffer.from(body)),
    fetcher: {
      async fetch(url: string): Promise<FetchResult> {
        requests.push(url);
        if (state.down) return { ok: false, reason: { type: 'connect-failed', message: 'refused' } as never };
        const name = decodeURIComponent(url.slice(BASE.length));
        const body = files.get(name);
        return { ok: true, status: body ? 200 : 404, headers: {}, body: body ?? Buffer.alloc(0), url };
      },
    },
  };
}

describe('a live relay task', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function setup(extra: { alternates?: () => string[]; other?: Map<string, Buffer>; hot?: MemoryFiles } = {}) {
    const root = await mkdtemp(join(tmpdir(), 'relay-task-'));
    dirs.push(root);
    const dir = join(root, 'hls', 'u');
    const origin = fakeOrigin();
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const events: { ready: number; segments: number; mismatches: string[]; sources: string[]; end: { reason: RelayEnd; message: string } | null } = { ready: 0, segments: 0, mismatches: [], sources: [], end: null };
    let ended: () => void = () => undefined;
    const endPromise = new Promise<void>((resolve) => (ended = resolve));
    const task = createRelayTask({
      uuid: 'u',
      masterUrl: `${BASE}master.m3u8`,
      segmentsSha256Url: `${BASE}segments-sha256.json`,
      dir,
      fetcher: {
        async fetch(url: string) {
          const other = 'https://relay-b.example/static/redundancy/hls/u/';
          if (url.startsWith(other)) {
            origin.requests.push(url);
            const body = extra.other?.get(decodeURIComponent(url.slice(other.length)));
            return { ok: true, status: body ? 200 : 404, headers: {}, body: body ?? Buffer.alloc(0), url } as FetchResult;
          }
          return origin.fetcher.fetch(url);
        },
      },
      ...(extra.alternates ? { alternates: extra.alternates } : {}),
      ...(extra.hot ? { hot: extra.hot } : {}),
      clock,
      logger: createLogger({ level: 'silent' }),
      unreachableMs: 5000,
      maxFileBytes: 1024 * 1024,
      observe: {
        ready: () => events.ready++,
        segment: () => events.segments++,
        mismatch: (name) => events.mismatches.push(name),
        source: (from, url) => events.sources.push(`${from} ${url}`),
        end: (reason, message) => {
          events.end = { reason, message };
          ended();
        },
      },
    });
    return { dir, origin, clock, events, task, endPromise };
  }

  const until = async (what: string, check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('serves verified segments under the origin names, never a segment whose hash differs, and stops at ENDLIST', async () => {
    const { dir, origin, events, task, endPromise } = await setup();
    origin.put('master.m3u8', MASTER);
    origin.put('%v-init-1.mp4', 'init');
    origin.put('0-10.mp4', 'segment 10');
    origin.put('0-11.mp4', 'segment 11 (corrupted at the origin)');
    origin.put('0.m3u8', media([10, 11]));
    origin.put('segments-sha256.json', JSON.stringify({ '0-10.mp4': sha('segment 10'), '0-11.mp4': sha('segment 11') }));
    task.start();
    await until('the mismatch seen', () => events.mismatches.includes('0-11.mp4'));
    // segment 11 does not match: not written, and the playlist listing it is not served yet
    expect(existsSync(join(dir, '0-11.mp4'))).toBe(false);
    expect(existsSync(join(dir, '0.m3u8'))).toBe(false);
    expect(existsSync(join(dir, 'master.m3u8'))).toBe(false);
    expect(events.ready).toBe(0);
    expect(await readFile(join(dir, '0-10.mp4'), 'utf8')).toBe('segment 10');

    // the window moves on: 11 leaves the playlist, 12 arrives, but is not in the hash list yet
    origin.put('0-12.mp4', 'segment 12');
    origin.put('0.m3u8', media([10, 12]));
    await until('the hash list fetched again for 12', () => origin.requests.filter((u) => u.endsWith('segments-sha256.json')).length >= 3);
    expect(existsSync(join(dir, '0-12.mp4'))).toBe(false);
    origin.put('segments-sha256.json', JSON.stringify({ '0-10.mp4': sha('segment 10'), '0-12.mp4': sha('segment 12') }));
    await until('the playlist served', () => existsSync(join(dir, '0.m3u8')));
    expect(await readFile(join(dir, '0.m3u8'), 'utf8')).toBe(media([10, 12]));
    expect(await readFile(join(dir, 'master.m3u8'), 'utf8')).toBe(MASTER);
    expect(await readFile(join(dir, '%v-init-1.mp4'), 'utf8')).toBe('init');
    expect(JSON.parse(await readFile(join(dir, 'segments-sha256.json'), 'utf8'))).toEqual({ '0-10.mp4': sha('segment 10'), '0-12.mp4': sha('segment 12') });
    await until('announced once', () => events.ready === 1);

    // older segments leave with the window (kept one round more for players that read the previous playlist)
    origin.put('0-13.mp4', 'segment 13');
    origin.put('0-14.mp4', 'segment 14');
    origin.put('segments-sha256.json', JSON.stringify({ '0-13.mp4': sha('segment 13'), '0-14.mp4': sha('segment 14') }));
    origin.put('0.m3u8', media([13, 14]));
    await until('the window pruned', async () => !(await readdir(dir)).includes('0-10.mp4'));
    expect((await readdir(dir)).sort()).toEqual(['%v-init-1.mp4', '0-13.mp4', '0-14.mp4', '0.m3u8', 'master.m3u8', 'segments-sha256.json']);

    origin.put('0.m3u8', media([13, 14], true));
    await endPromise;
    expect(events.end?.reason).toBe('ended');
    await task.stop();
    expect(events.ready).toBe(1);
    expect(events.mismatches.every((n) => n === '0-11.mp4')).toBe(true);
  });

  it('takes a segment the origin fails to serve from another relay, checked against the origin hashes', async () => {
    const other = new Map<string, Buffer>([['0-20.mp4', Buffer.from('segment 20')], ['0-21.mp4', Buffer.from('forged 21')]]);
    const { dir, origin, events, task } = await setup({ alternates: () => ['https://relay-b.example/static/redundancy/hls/u'], other });
    origin.put('master.m3u8', MASTER);
    origin.put('%v-init-1.mp4', 'init');
    origin.put('0.m3u8', media([20, 21]));
    origin.put('segments-sha256.json', JSON.stringify({ '0-20.mp4': sha('segment 20'), '0-21.mp4': sha('segment 21') }));
    // the origin is overloaded for the segments (500s, not in its files map: answered 404 → made 500 below)
    const fetchOrigin = origin.fetcher.fetch;
    origin.fetcher.fetch = async (url: string) => (/0-2[01]\.mp4$/.test(url) ? { ok: true, status: 503, headers: {}, body: Buffer.alloc(0), url } : fetchOrigin(url));
    task.start();
    await until('segment 20 from the other relay', () => existsSync(join(dir, '0-20.mp4')));
    await until('the forged 21 refused', () => events.mismatches.includes('0-21.mp4'));
    expect(await readFile(join(dir, '0-20.mp4'), 'utf8')).toBe('segment 20');
    expect(existsSync(join(dir, '0-21.mp4'))).toBe(false);
    expect(existsSync(join(dir, '0.m3u8'))).toBe(false);
    await task.stop();
  });

  const RELAY_B = 'https://relay-b.example/static/redundancy/hls/u';

  it('pulls everything from another relay while the origin is unreachable, with the same hash checks, and returns to the origin', async () => {
    const other = new Map<string, Buffer>();
    const { dir, origin, events, task } = await setup({ alternates: () => [RELAY_B], other });
    origin.put('master.m3u8', MASTER);
    origin.put('%v-init-1.mp4', 'init');
    for (const n of [30, 31]) origin.put(`0-${n}.mp4`, `segment ${n}`);
    origin.put('0.m3u8', mediaSeq([30, 31]));
    // the origin hashes a segment before it lists it: 32 is known from the origin
    origin.put('segments-sha256.json', JSON.stringify(Object.fromEntries([30, 31, 32].map((n) => [`0-${n}.mp4`, sha(`segment ${n}`)]))));
    task.start();
    await until('the origin relayed', () => existsSync(join(dir, '0.m3u8')));
    expect(task.source()).toBeNull();

    // the origin goes away; relay B (the origin listed it) has moved on: 32 forged (B's list agrees with
    // its bytes, the origin's hash does not), 33 good, 34 tampered (not even B's hash)
    origin.state.down = true;
    for (const [name, body] of [['master.m3u8', MASTER], ['%v-init-1.mp4', 'init'], ['0-30.mp4', 'segment 30'], ['0-31.mp4', 'segment 31'], ['0-32.mp4', 'forged 32'], ['0-33.mp4', 'segment 33'], ['0-34.mp4', 'tampered 34'], ['0.m3u8', mediaSeq([30, 31, 32, 33, 34])]] as const) other.set(name, Buffer.from(body));
    other.set('segments-sha256.json', Buffer.from(JSON.stringify({ '0-30.mp4': sha('segment 30'), '0-31.mp4': sha('segment 31'), '0-32.mp4': sha('forged 32'), '0-33.mp4': sha('segment 33'), '0-34.mp4': sha('segment 34') })));
    await until('33 taken from relay B', () => existsSync(join(dir, '0-33.mp4')));
    await until('32 and 34 refused', () => events.mismatches.includes('0-32.mp4') && events.mismatches.includes('0-34.mp4'));
    expect(task.source()).toBe(RELAY_B);
    expect(events.sources).toEqual([`relay ${RELAY_B}`]);
    expect(await readFile(join(dir, '0-33.mp4'), 'utf8')).toBe('segment 33');
    expect(existsSync(join(dir, '0-32.mp4'))).toBe(false);
    expect(existsSync(join(dir, '0-34.mp4'))).toBe(false);
    // the playlist listing them is not served while they are not
    expect(await readFile(join(dir, '0.m3u8'), 'utf8')).toBe(mediaSeq([30, 31]));

    // B serves the right bytes: the playlist follows B's. 35 is forged by B with its own list agreeing
    // (the origin never gave a hash for it): taken, B being vouched for by the origin, until the origin says otherwise
    other.set('0-32.mp4', Buffer.from('segment 32'));
    other.set('0-34.mp4', Buffer.from('segment 34'));
    other.set('0-35.mp4', Buffer.from('forged 35'));
    other.set('segments-sha256.json', Buffer.from(JSON.stringify({ ...JSON.parse(other.get('segments-sha256.json')!.toString()), '0-35.mp4': sha('forged 35') })));
    other.set('0.m3u8', Buffer.from(mediaSeq([30, 31, 32, 33, 34, 35])));
    await until("B's playlist served", async () => existsSync(join(dir, '0.m3u8')) && (await readFile(join(dir, '0.m3u8'), 'utf8')) === mediaSeq([30, 31, 32, 33, 34, 35]));
    expect(JSON.parse(await readFile(join(dir, 'segments-sha256.json'), 'utf8'))).toMatchObject({ '0-32.mp4': sha('segment 32'), '0-34.mp4': sha('segment 34') });
    expect(await readFile(join(dir, '0-35.mp4'), 'utf8')).toBe('forged 35');

    // the origin answers again: pulled from it at once, its hash list read at once (the forged 35 replaced by its own)
    origin.put('0-35.mp4', 'segment 35');
    origin.put('segments-sha256.json', JSON.stringify(Object.fromEntries([33, 34, 35].map((n) => [`0-${n}.mp4`, sha(`segment ${n}`)]))));
    origin.put('0.m3u8', mediaSeq([33, 34, 35]));
    origin.state.down = false;
    await until('back to the origin', async () => (await readFile(join(dir, '0.m3u8'), 'utf8')) === mediaSeq([33, 34, 35]));
    expect(task.source()).toBeNull();
    expect(await readFile(join(dir, '0-35.mp4'), 'utf8')).toBe('segment 35');
    expect(events.mismatches).toContain('0-35.mp4');
    expect(events.sources).toEqual([`relay ${RELAY_B}`, `origin ${BASE}master.m3u8`]);
    expect(events.end).toBeNull();
    await task.stop();
  });

  it('keeps relaying from another relay while it lists new segments, and gives up once it stops (no A <- B <- A loop)', async () => {
    const other = new Map<string, Buffer>();
    const { dir, origin, clock, events, task, endPromise } = await setup({ alternates: () => [RELAY_B], other });
    const all = (upTo: number) => Array.from({ length: upTo - 39 }, (_, i) => 40 + i);
    const putOther = (upTo: number) => {
      for (const n of all(upTo)) other.set(`0-${n}.mp4`, Buffer.from(`segment ${n}`));
      other.set('segments-sha256.json', Buffer.from(JSON.stringify(Object.fromEntries(all(upTo).map((n) => [`0-${n}.mp4`, sha(`segment ${n}`)])))));
      other.set('0.m3u8', Buffer.from(mediaSeq(all(upTo))));
    };
    origin.put('master.m3u8', MASTER);
    origin.put('%v-init-1.mp4', 'init');
    for (const n of [40, 41]) origin.put(`0-${n}.mp4`, `segment ${n}`);
    origin.put('0.m3u8', mediaSeq([40, 41]));
    origin.put('segments-sha256.json', JSON.stringify({ '0-40.mp4': sha('segment 40'), '0-41.mp4': sha('segment 41') }));
    other.set('master.m3u8', Buffer.from(MASTER));
    other.set('%v-init-1.mp4', Buffer.from('init'));
    putOther(41);
    task.start();
    await until('the origin relayed', () => existsSync(join(dir, '0.m3u8')));
    origin.state.down = true;
    await until('on relay B', () => task.source() === RELAY_B);
    // B lists something new every 2.5 s (under the 3 s it may stay still): 7.5 s without the origin, over unreachableMs (5 s)
    for (const upTo of [42, 43, 44]) {
      clock.advance(2500);
      putOther(upTo);
      await until(`segment ${upTo} from B`, async () => (await readFile(join(dir, '0.m3u8'), 'utf8')) === mediaSeq(all(upTo)));
    }
    expect(events.end).toBeNull();
    expect(task.source()).toBe(RELAY_B);
    // B lists nothing new any more (its origin is gone too, or it pulls from us): both fail, the relay gives up
    clock.advance(6000);
    await endPromise;
    expect(events.end?.reason).toBe('unreachable');
    await task.stop();
  });

  it('gives up when the origin stays unreachable', async () => {
    const { origin, clock, events, task, endPromise } = await setup();
    origin.state.down = true;
    task.start();
    await until('a few failed polls', () => origin.requests.length >= 2);
    expect(events.end).toBeNull();
    clock.advance(6000);
    await endPromise;
    expect(events.end?.reason).toBe('unreachable');
    await task.stop();
  });

  it('refuses a live whose playlists point elsewhere', async () => {
    const { dir, origin, events, task, endPromise } = await setup();
    origin.put('master.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://elsewhere.example/0.m3u8\n');
    task.start();
    await endPromise;
    expect(events.end?.reason).toBe('refused');
    expect(existsSync(join(dir, 'master.m3u8'))).toBe(false);
    await task.stop();
  });

  it('keeps what it serves in memory: playlists as written, segments while listed, nothing once stopped', async () => {
    const hot = createMemoryFiles({ maxBytes: 1024 * 1024 });
    const { dir, origin, task, endPromise } = await setup({ hot });
    origin.put('master.m3u8', MASTER);
    origin.put('%v-init-1.mp4', 'init');
    for (const n of [10, 11, 12]) origin.put(`0-${n}.mp4`, `segment ${n}`);
    origin.put('segments-sha256.json', JSON.stringify(Object.fromEntries([10, 11, 12].map((n) => [`0-${n}.mp4`, sha(`segment ${n}`)]))));
    origin.put('0.m3u8', media([10, 11]));
    task.start();
    const served = ['master.m3u8', '0.m3u8', '%v-init-1.mp4', '0-10.mp4', '0-11.mp4', 'segments-sha256.json'];
    // the first round writes these one after the other (each renamed into place, then put in memory)
    await until('the first round in memory', () => served.every((name) => hot.has(join(dir, name))));
    for (const name of served) {
      expect(hot.get(join(dir, name))?.bytes.equals(await readFile(join(dir, name))), name).toBe(true);
    }
    expect(task.hot().sort()).toEqual(['0-10.mp4', '0-11.mp4']);

    // the window moves: 10 is no longer listed; it leaves memory at once (on disk one round more)
    origin.put('0.m3u8', media([11, 12]));
    // (12 is put in memory as it is written, 10 leaves at the end of that round)
    await until('12 relayed and 10 out of memory', () => task.hot().includes('0-12.mp4') && !task.hot().includes('0-10.mp4'));
    expect(hot.has(join(dir, '0-10.mp4'))).toBe(false);
    expect(task.hot().sort()).toEqual(['0-11.mp4', '0-12.mp4']);
    expect(hot.get(join(dir, '0.m3u8'))?.bytes.toString()).toBe(media([11, 12]));

    origin.put('0.m3u8', media([11, 12], true));
    await endPromise;
    await task.stop();
    expect(hot.stats()).toMatchObject({ files: 0, bytes: 0 });
  });
});
