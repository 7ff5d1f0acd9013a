import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { childInstanceEnv, killChildren, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { freePort, waitFor } from '../../support/ports.js';
import { readDatabase } from '../../support/read-database.js';

// SIGKILL in the middle of a mirror download (DESIGN §4: "a copy is complete or absent"), on both
// databases (issue 10's "must show"): nothing partial is announced or served, a restart removes
// orphans, reclaims the killed job, resumes the download with Range, and the finished copy is the
// origin's, within its budget; no job is left active and the job that finished it is completed.

const B_PASSWORD = 'crash-mirror-password';
const BUDGET_BYTES = 50 * 1024 * 1024;
/** the mirror's bandwidth cap on the first run: the copy takes several seconds, so the kill lands mid-download */
const FIRST_RUN_BANDWIDTH = 384 * 1024;

const run = promisify(execFile);

/**
 * A clip whose 720p rendition is well over 1 MiB. The mirror's downloader writes a file in batches
 * of about 1 MiB, so a kill only leaves media bytes on disk (something to resume from) once a file
 * has passed that size. The test pattern of `generatedClip` compresses to ~45 kB/s at 720p; with
 * noise the encoder runs at its bit rate cap (~2.5 Mbit/s), so a few seconds are enough.
 */
async function noisyClip(seconds: number): Promise<string> {
  const dir = join(tmpdir(), 'mirrortube-test-media');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `noisy-1280x720-${seconds}s.mp4`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp.mp4`;
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String(seconds),
    '-vf', 'noise=alls=40:allf=t+u',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', tmp,
  ]);
  await rename(tmp, file);
  return file;
}

async function login(base: string): Promise<string> {
  const client = (await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()) as Record<string, string>;
  const res = await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: new URLSearchParams({ ...client, grant_type: 'password', username: 'root', password: B_PASSWORD }) });
  if (!res.ok) throw new Error(`login on ${base}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** name → size of the plain files of a folder (none when it does not exist) */
async function filesOf(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isFile()) out.set(e.name, (await stat(join(dir, e.name))).size);
  return out;
}

const sum = (sizes: Iterable<number>) => [...sizes].reduce((n, s) => n + s, 0);

interface Details {
  streamingPlaylists: { redundancies: { baseUrl: string }[]; files: { torrentUrl: string | null }[] }[];
}

for (const dbKind of ['embedded', 'postgres'] as const) describe(`a mirror cut off by SIGKILL (mirror in a child process, ${dbKind})`, () => {
  let a: TestInstance | undefined;
  let bStorage = '';
  let bDatabase: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  const children: { child: ChildProcess; exited: Promise<number | null>; output: () => string }[] = [];

  afterAll(async () => {
    await killChildren(children);
    await a?.stop();
    await bDatabase?.drop();
    if (bStorage) await rm(bStorage, { recursive: true, force: true });
  });

  it('announces and serves nothing partial, cleans up and resumes after a restart, and stays within budget', async () => {
    onTestFailed(() => {
      for (const [i, c] of children.entries()) console.error(`--- mirror B, run ${i + 1}:\n${c.output().slice(-4000)}`);
    });
    // --- origin A (in process) and mirror B (the mirrortube command, its own database)
    const clipReady = noisyClip(6);
    bStorage = await mkdtemp(join(tmpdir(), 'mt-crash-mirror-'));
    bDatabase = await createTestDatabase(dbKind, { storage: bStorage });
    /** B's database: PostgreSQL at any time, the embedded one only while B is not running */
    const bDb = { url: bDatabase.url, storage: bStorage };
    const bPort = await freePort();
    const b = `http://127.0.0.1:${bPort}`;
    const policyFile = join(bStorage, 'redundancy.yaml');
    // JSON is YAML: lists (the strategies) cannot go through environment overrides
    await writeFile(
      policyFile,
      JSON.stringify({
        redundancy: {
          min_lifetime_floor: '1 second',
          videos: { check_interval: '1 second', strategies: [{ strategy: 'most-views', size: BUDGET_BYTES, min_lifetime: '1 hour' }] },
          mirror: { bandwidth: FIRST_RUN_BANDWIDTH },
        },
      }),
    );
    const env: Record<string, string> = {
      ...childInstanceEnv({ storage: bStorage, port: bPort, password: B_PASSWORD }),
      ...(bDatabase.url ? { MIRRORTUBE_DATABASE__URL: bDatabase.url, MIRRORTUBE_DATABASE__POOL_SIZE: '4' } : {}),
      MIRRORTUBE_LISTEN__HOSTNAME: '127.0.0.1',
      MIRRORTUBE_WEBSERVER__HTTPS: 'false',
      MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
      MIRRORTUBE_JOBS__SHUTDOWN_DEADLINE: '2 seconds',
      // transfer totals are saved on shutdown (not after a SIGKILL) or at this interval: never
      // during this test, so the bytes counted for the copy are those of the run that completed it
      MIRRORTUBE_METRICS__TRANSFERS_FLUSH_INTERVAL: '1 hour',
    };
    // both at once (allSettled: whatever started is cleaned up by afterAll, even if the other failed)
    const started = await Promise.allSettled([
      startTestInstance({ db: dbKind, overrides: { transcoding: { resolutions: { '144p': false, '240p': true, '720p': true } } } }).then((t) => (a = t)),
      startChildInstance(env, bPort, ['--config', policyFile]).then((c) => (children.push(c), c)),
    ]);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const first = children[0]!;
    const origin = a!;
    const aHost = `127.0.0.1:${origin.instance.port}`;
    const bToken = await login(b);
    const bApi = (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${bToken}`);
      if (init.body) headers.set('content-type', 'application/json');
      return fetch(`${b}${path}`, { ...init, headers });
    };
    /** B's copies in state 'active' (PeerTube's list of them), read through B's API on both databases */
    const activeCopies = async () =>
      (await (await bApi('/api/v1/server/redundancy/videos?target=remote-videos')).json()) as {
        total: number;
        data: { uuid: string; redundancies: { streamingPlaylists: { fileUrl: string; strategy: string; size: number; downloadedBytes: number }[] } }[];
      };
    const isActive = async (uuid: string) => (await activeCopies()).data.some((v) => v.uuid === uuid);
    /** B's jobs of the mirror kind in a PeerTube job state, through its API */
    const mirrorJobs = async (state: string) =>
      ((await (await bApi(`/api/v1/jobs/${state}?count=100`)).json()) as { data: { id: number; type: string }[] }).data.filter((j) => j.type === 'videos-redundancy-mirror');

    // --- B follows A; A publishes the video; B knows it
    expect((await bApi('/api/v1/server/following', { method: 'POST', body: JSON.stringify({ hosts: [aHost] }) })).status).toBe(204);
    await waitFor('B to be an accepted follower of A', async () => {
      const list = (await (await bApi('/api/v1/server/following')).json()) as { data: { state: string }[] };
      return list.data[0]?.state === 'accepted' ? true : undefined;
    }, 60_000);
    const upload = await origin.uploadMultipart(await clipReady, { name: 'mirrored then killed', channelId: '1' });
    expect(upload.status).toBe(200);
    const { uuid } = ((await upload.json()) as { video: { uuid: string } }).video;
    await origin.waitForPublished(uuid);
    await waitFor('the video on B', () => fetch(`${b}/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);

    const originDir = origin.instance.layout.hlsDir(uuid);
    const originFiles = await filesOf(originDir);
    const originMedia = [...originFiles].filter(([name]) => name.endsWith('.mp4'));
    // at least one media file big enough to leave a flushed part on disk mid-download (see noisyClip)
    expect(Math.max(...originMedia.map(([, size]) => size))).toBeGreaterThan(1.5 * 1024 * 1024);
    // the origin's .torrent files, as the mirror fetches them (before any copy is listed: A then adds
    // the copies to its torrents' webseeds)
    let originTorrentBytes = 0;
    for (const f of (await origin.json<Details>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.files) {
      if (f.torrentUrl) originTorrentBytes += (await (await fetch(f.torrentUrl)).arrayBuffer()).byteLength;
    }
    expect(originTorrentBytes).toBeGreaterThan(0);

    // --- A allowed: B's scheduler plans the copy within a tick and its job starts downloading
    expect((await bApi(`/api/v1/server/redundancy/${aHost}`, { method: 'PUT', body: JSON.stringify({ redundancyAllowed: true }) })).status).toBe(204);
    const copiesDir = join(bStorage, 'redundancy', 'hls');
    const mirrorTmp = join(bStorage, 'tmp', 'mirror');
    const workDirs = async (forUuid: string) => ((await readdir(mirrorTmp).catch(() => [])) as string[]).filter((n) => n.startsWith(`mirror-${forUuid}-`));
    /** media files in the copy's work folder(s), name → size on disk */
    const mediaInWork = async () => {
      const media = new Map<string, number>();
      for (const dir of await workDirs(uuid)) for (const [name, size] of await filesOf(join(mirrorTmp, dir))) if (name.endsWith('.mp4')) media.set(name, size);
      return media;
    };
    /** a media file cut in the middle: some bytes on disk, not all of the origin's */
    const cutFile = (media: Map<string, number>) => [...media].find(([name, size]) => size > 0 && size < (originFiles.get(name) ?? 0));

    await waitFor('the copy to be downloading on B (its work folder)', async () => ((await workDirs(uuid)).length > 0 ? true : undefined), 60_000, 50);
    expect(await isActive(uuid)).toBe(false);
    // while it downloads, the copy is neither served by B nor announced to A
    expect((await fetch(`${b}/static/redundancy/hls/${uuid}/master.m3u8`)).status).toBe(404);
    expect((await origin.json<Details>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies).toEqual([]);

    // part of a media file written to the work folder, the copy not finished: kill without warning
    const moment = await waitFor('a partly downloaded media file in the work folder', async () => {
      if (cutFile(await mediaInWork()) !== undefined) return 'cut';
      return (await isActive(uuid)) ? 'finished before a media file was seen cut' : undefined;
    }, 30_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(moment).toBe('cut');
    expect(first.child.signalCode).toBe('SIGKILL');

    // --- after the kill, before the restart: nothing partial announced or in place to be served
    // B's database as the kill left it: the copy still 'downloading' (never 'active'), its job
    // 'active' under a lease nobody holds any more
    const atKill = await readDatabase(bDb, async (q) => ({
      copies: await q<{ state: string }>('SELECT r.state FROM "VideoRedundancy" r JOIN "Video" v ON v.id = r."videoId" WHERE v.uuid = $1', [uuid]),
      jobs: await q<{ state: string }>('SELECT state FROM "Job" WHERE kind = $1', ['videos-redundancy-mirror']),
    }));
    expect(atKill.copies.map((c) => c.state)).toEqual(['downloading']);
    expect(atKill.jobs.map((j) => j.state)).toEqual(['active']);
    expect(await readdir(copiesDir).catch(() => [])).toEqual([]);
    expect(await origin.instance.prisma.videoRedundancy.count({ where: { video: { uuid } } })).toBe(0);
    expect((await origin.json<Details>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies).toEqual([]);
    expect(await workDirs(uuid)).toHaveLength(1);
    const mediaAtKill = await mediaInWork();
    expect(cutFile(mediaAtKill)).toBeDefined();
    const partialAtKill = sum(mediaAtKill.values());
    expect(partialAtKill).toBeLessThan(sum(originMedia.map(([, size]) => size)));

    // what a crash at another moment could have left: a copy folder the database does not know, and
    // the work folder of a mirror of a video we know nothing of
    const orphan = join(copiesDir, randomUUID());
    await mkdir(orphan, { recursive: true });
    await writeFile(join(orphan, 'master.m3u8'), '#EXTM3U\n');
    const stray = join(mirrorTmp, `mirror-${randomUUID()}-${randomBytes(6).toString('hex')}`);
    await mkdir(stray, { recursive: true });
    await writeFile(join(stray, 'x-720-fragmented.mp4'), randomBytes(4096));

    // --- restart on the same storage and database, bandwidth cap lifted
    const second = await startChildInstance({ ...env, MIRRORTUBE_REDUNDANCY__MIRROR__BANDWIDTH: '0' }, bPort, ['--config', policyFile]);
    children.push(second);
    // the start-up clean-up runs before the server is ready
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(stray)).toBe(false);

    const baseUrl = `${b}/static/redundancy/hls/${uuid}`;
    await waitFor('the copy active on B', async () => ((await isActive(uuid)) ? true : undefined), 60_000);
    await waitFor('the copy listed by A', async () => {
      const redundancies = (await origin.json<Details>(`/api/v1/videos/${uuid}`)).streamingPlaylists[0]!.redundancies;
      return redundancies.length > 0 ? redundancies : undefined;
    }, 60_000).then((redundancies) => expect(redundancies).toEqual([{ baseUrl }]));
    expect(await workDirs(uuid)).toEqual([]);
    expect((await readdir(copiesDir)).sort()).toEqual([uuid]);

    // --- the copy is the origin's: same names (plus B's torrents), every hashed range matches
    const copyFiles = await filesOf(join(copiesDir, uuid));
    expect([...copyFiles.keys()].filter((f) => !f.endsWith('.torrent')).sort()).toEqual([...originFiles.keys()].sort());
    const sha = JSON.parse(await readFile(join(originDir, 'segments-sha256.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(sha).length).toBeGreaterThan(0);
    for (const [file, ranges] of Object.entries(sha)) {
      const res = await fetch(`${baseUrl}/${file}`);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(originFiles.get(file));
      for (const [range, hash] of Object.entries(ranges)) {
        const [start, end] = range.split('-').map(Number) as [number, number];
        expect(createHash('sha256').update(bytes.subarray(start, end + 1)).digest('hex')).toBe(hash);
      }
    }

    // --- resumed, not restarted. A copy from scratch downloads every file of the origin's folder
    // plus the origin's .torrent files: `fromScratch`. The bytes counted for the copy are those of
    // the run that completed it (the killed run never reports, and transfer totals are not saved
    // before the SIGKILL). Resuming asks only for what follows the partial files (Range), so that
    // run downloads at most `fromScratch - partialAtKill` (exactly that when nothing is retried);
    // starting the cut file over would download at least the part it had again, and fail here.
    // It still downloads the rest of the media: the counter is not simply empty.
    const fromScratch = sum(originFiles.values()) + originTorrentBytes;
    const listed = await activeCopies();
    expect(listed.total).toBe(1);
    const entry = listed.data[0]!.redundancies.streamingPlaylists[0]!;
    expect(entry.fileUrl).toBe(baseUrl);
    expect(entry.downloadedBytes).toBeLessThanOrEqual(fromScratch - partialAtKill);
    expect(entry.downloadedBytes).toBeGreaterThanOrEqual(sum(originMedia.map(([, size]) => size)) - partialAtKill);

    // --- budget: the copy on disk is what B accounts for, within the strategy's size
    const onDisk = sum(copyFiles.values());
    expect(entry.strategy).toBe('most-views');
    expect(entry.size).toBe(onDisk);
    expect(onDisk).toBeLessThanOrEqual(BUDGET_BYTES);
    const stats = (await (await fetch(`${b}/api/v1/server/stats`)).json()) as { videosRedundancy: { strategy: string; totalSize: number; totalUsed: number; totalVideos: number }[] };
    const mostViews = stats.videosRedundancy.find((s) => s.strategy === 'most-views')!;
    expect(mostViews).toMatchObject({ totalSize: BUDGET_BYTES, totalUsed: onDisk, totalVideos: 1 });

    // --- the killed job was taken back and finished: none left active, exactly one completed
    expect(await mirrorJobs('active')).toEqual([]);
    expect(await mirrorJobs('completed')).toHaveLength(1);
    expect(await mirrorJobs('failed')).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // the rows after a clean stop: one copy, active, of the size on disk; its one job completed
    const atEnd = await readDatabase(bDb, async (q) => ({
      copies: await q<{ state: string; sizeBytes: unknown }>('SELECT r.state, r."sizeBytes" FROM "VideoRedundancy" r JOIN "Video" v ON v.id = r."videoId" WHERE v.uuid = $1', [uuid]),
      jobs: await q<{ state: string }>('SELECT state FROM "Job" WHERE kind = $1', ['videos-redundancy-mirror']),
      active: await q<{ n: number }>(`SELECT count(*)::int AS n FROM "Job" WHERE state = 'active'`),
    }));
    expect(atEnd.copies.map((c) => [c.state, Number(c.sizeBytes)])).toEqual([['active', onDisk]]);
    expect(atEnd.jobs.map((j) => j.state)).toEqual(['completed']);
    expect(atEnd.active).toEqual([{ n: 0 }]);
  }, 300_000);
});
