import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../../src/jobs/index.js';
import { buildAnnounceList, buildTrackerUrls, createTorrentFile } from '../../../src/p2p/index.js';
import { createFfmpeg } from '../../../src/transcoding/index.js';
import { noVideoEvents, type TorrentMaker } from '../../../src/videos/ports.js';
import { createTranscodeJob } from '../../../src/videos/transcode-job.js';
import { createTranscodeStore } from '../../../src/videos/transcode-store.js';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { waitFor } from '../../support/ports.js';

// The operator console's gaps (issue #14, items 5-6): transcoding reports real progress, and the
// recent warnings and errors are listed. One instance (embedded database) for every case.
describe('operator console: transcode progress and recent logs', () => {
  let t: TestInstance;
  let videoId = 0;

  beforeAll(async () => {
    // the instance's own transcoding is off: the job is driven directly, with a gate between its ffmpeg runs
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    const res = await t.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'progress', channelId: '1' });
    expect(res.status).toBe(200);
    videoId = ((await res.json()) as { video: { id: number } }).video.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a transcode reports its progress from ffmpeg, weighted by run, forward only, and ends at 100', async () => {
    const { instance } = t;
    const seen: number[] = [];
    // the first torrent is made right after the HLS run, before the web videos: progress is partial there
    let atFirstTorrent: number[] | null = null;
    const announceList = buildAnnounceList(buildTrackerUrls(instance.urls.base));
    const torrents: TorrentMaker = {
      async create(input) {
        atFirstTorrent ??= [...seen];
        return createTorrentFile({ ...input, announceList });
      },
    };
    const job = createTranscodeJob({
      ffmpeg: createFfmpeg({ ffmpegPath: t.config.ffmpeg.path, ffprobePath: t.config.ffprobe.path }),
      clock: instance.clock,
      urls: instance.urls,
      layout: instance.layout,
      torrents,
      // 144p and 240p (test config), HLS and web videos: three ffmpeg runs
      ladder: { resolutions: t.config.transcoding.resolutions, hls: true, webVideos: true },
      options: { preset: 'ultrafast', threads: 1, segmentDuration: 4, keyframeInterval: 2 },
      concurrency: 1,
      events: noVideoEvents,
      store: createTranscodeStore(instance.prisma),
    });
    const ctx: JobContext = {
      signal: new AbortController().signal,
      job: { id: 1, kind: 'video-transcoding', attempts: 1, maxAttempts: 3, priority: 0, dedupeKey: null, createdAt: new Date() },
      reportProgress: (p) => seen.push(p),
      logger: instance.logger,
    };

    const result = await job.run({ videoId }, ctx);
    expect(result).toMatchObject({ type: 'completed', result: { hls: 2, webVideos: 2 } });

    // after the HLS run (both renditions, half the weight of the three runs): ffmpeg's last report
    // says it wrote the whole input, so the job is at half of the ffmpeg part, not 0 and not 100
    expect(atFirstTorrent).not.toBeNull();
    expect(atFirstTorrent!.at(-1)).toBeCloseTo(47.5, 0);
    // forward only, within 0-100, and 100 once published
    expect(seen.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p > seen[i - 1]!))).toBe(true);
    expect(seen.filter((p) => p > 47.5 && p < 100).length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(100);
    expect(seen.filter((p) => p === 100)).toHaveLength(1);
  }, 240_000);

  it('lists the recent warnings and errors to administrators only, newest first, redacted', async () => {
    const path = '/api/v1/server/logs/recent';
    expect((await t.api(path, { token: null })).status).toBe(401);
    const created = await t.api('/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'logreader', password: 'logreader-password', email: 'logreader@example.com', role: 2 }) });
    expect(created.status).toBe(200);
    const user = await t.login('logreader', 'logreader-password');
    const forbidden = await t.api(path, { token: user });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');

    // the instance's own logger feeds the buffer (the test instance logs nothing to stdout)
    const log = t.instance.logger.child({ component: 'console-test' });
    log.info('an info line is not kept');
    log.warn({ host: 'a.example', accessToken: 'secret-token-value' }, 'first warning of the test');
    log.error({ err: new Error('second, an error') }, 'an error of the test');
    type Entry = { time: string; level: string; component: string | null; msg: string; details: string | null };
    const list = await t.json<{ total: number; data: Entry[] }>(`${path}?component=console-test`);
    expect(list.data.map((e) => [e.level, e.msg])).toEqual([
      ['error', 'an error of the test'],
      ['warn', 'first warning of the test'],
    ]);
    expect(list.data[1]!.details).toContain('a.example');
    expect(list.data[1]!.details).not.toContain('secret-token-value');
    expect(Date.parse(list.data[0]!.time)).not.toBeNaN();
    const errors = await t.json<{ data: Entry[] }>(`${path}?level=error&component=console-test`);
    expect(errors.data.map((e) => e.msg)).toEqual(['an error of the test']);

    // a wrong level is refused with the reason
    const bad = await t.api(`${path}?level=info`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/level/);
  });

  it('streams the redundancy console as server-sent events, to administrators only', async () => {
    const path = '/api/v1/server/redundancy/console/events';
    expect((await t.api(path, { token: null })).status).toBe(401);
    const user = await t.login('logreader', 'logreader-password');
    expect((await t.api(path, { token: user })).status).toBe(403);

    /** The first `console` event of a stream (the snapshot is sent at once). */
    const firstEvent = async (res: Response) => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before a console event: ${text}`);
        text += value;
        const block = text.split('\n\n').find((b) => b.startsWith('event: console\n'));
        if (block) return { reader, data: JSON.parse(block.slice('event: console\ndata: '.length)) as Record<string, unknown> };
      }
    };
    const aborter = new AbortController();
    const res = await t.api(path, { signal: aborter.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { data } = await firstEvent(res);
    // the same body as GET /server/redundancy/console
    const polled = await t.json<Record<string, unknown>>('/api/v1/server/redundancy/console');
    expect(Object.keys(data).sort()).toEqual(Object.keys(polled).sort());
    expect(data.copies).toEqual([]);
    aborter.abort();

    // a stream left open does not keep the instance from stopping (afterAll stops it)
    const open = await t.api(path);
    await firstEvent(open);
  });
});

// The instance's own transcoding, through its job queue: ffmpeg is a wrapper that runs the real one,
// then holds its exit until the test releases it. ffmpeg's last progress report is in while the
// job still runs, so GET /api/v1/jobs/active shows the job part-way, without any timing.
describe('a running transcode job in GET /api/v1/jobs', () => {
  let t: TestInstance;
  let dir = '';
  let release = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mirrortube-ffmpeg-gate-'));
    release = join(dir, 'release');
    const wrapper = join(dir, 'ffmpeg');
    // only the transcoding runs (they ask for -progress) are held; thumbnails pass
    await writeFile(wrapper, `#!/bin/sh\nffmpeg "$@"\ns=$?\ncase " $* " in *" -progress "*) while [ ! -e '${release}' ]; do sleep 0.05; done;; esac\nexit $s\n`);
    await chmod(wrapper, 0o755);
    t = await startTestInstance({ db: 'embedded', overrides: { ffmpeg: { path: wrapper } } });
  });
  afterAll(async () => {
    await writeFile(release, '').catch(() => undefined);
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the progress ffmpeg reported while the job runs, then 100', async () => {
    const res = await t.uploadMultipart(await generatedClip({ seconds: 2 }), { name: 'queued progress', channelId: '1' });
    expect(res.status).toBe(200);
    const { uuid } = ((await res.json()) as { video: { uuid: string } }).video;
    type Jobs = { total: number; data: { id: number; type: string; state: string; progress: number }[] };
    // HLS only (the test config): its one run done is the whole ffmpeg part, held before its exit
    const running = await waitFor('the transcode job active with progress', async () => {
      const jobs = await t.json<Jobs>('/api/v1/jobs/active?jobType=video-transcoding');
      const job = jobs.data[0];
      return job && job.progress > 0 ? job : undefined;
    }, 120_000, 100);
    expect(running.state).toBe('active');
    expect(running.progress).toBeGreaterThan(0);
    expect(running.progress).toBeLessThan(100);
    await writeFile(release, '');
    await t.waitForPublished(uuid);
    // published inside the job: its completion is recorded just after
    const done = await waitFor('the transcode job completed', async () => (await t.json<Jobs>('/api/v1/jobs/completed?jobType=video-transcoding')).data.find((j) => j.id === running.id), 60_000, 100);
    expect(done.progress).toBe(100);
  }, 240_000);
});
