import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { storageMove } from '../../../src/cli/storage-move.js';
import { createLocalSeedableFiles, createPrismaSeedableFileStore, readTorrentInfo } from '../../../src/p2p/index.js';
import { startTestS3, type TestS3 } from './s3-server.js';

/**
 * Object storage against a real S3 API (s3rver): A's transcoded files move to its buckets (HLS
 * through its base_url = the bucket, and through our static route that proxies with Range), a
 * private video's files stay private (under `private/`, only through the gated route); B mirrors
 * A's video into its own bucket (staged, committed, announced), serves it, and evicts it.
 */
interface Details {
  uuid: string;
  state: { id: number };
  files: { fileUrl: string; size: number; torrentUrl: string }[];
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: { fileUrl: string; size: number; torrentUrl: string }[]; redundancies: { baseUrl: string }[] }[];
}

describe('object storage (s3rver)', () => {
  let s3: TestS3;
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  let secret = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const details = (t: TestInstance, id: string) => t.json<Details>(`/api/v1/videos/${id}`);
  const localNames = async (dir: string) => {
    try {
      return await readdir(dir);
    } catch {
      return [];
    }
  };
  const upload = async (name: string, privacy = 1) => {
    const res = await a.uploadMultipart(await generatedClip({ seconds: 3 }), { name, channelId: '1', privacy: String(privacy) });
    expect(res.status).toBe(200);
    const { video } = (await res.json()) as { video: { uuid: string } };
    return video.uuid;
  };
  /** the move job ran: the video's HLS folder left the disk and the bucket holds it */
  const waitMoved = async (id: string, prefix: string) =>
    waitFor(`${id} moved to the bucket`, async () => {
      const keys = await s3.keys('a-playlists', `${prefix}${id}/`);
      const local = await localNames(join(a.config.storage.streaming_playlists, 'hls', ...(prefix ? [prefix.slice(0, -1)] : []), id));
      const row = await a.instance.prisma.videoObjectStorage.findUnique({ where: { videoId: (await a.instance.prisma.video.findUniqueOrThrow({ where: { uuid: id } })).id } });
      return row && local.length === 0 && keys.length > 0 ? keys : undefined;
    }, 90_000);

  beforeAll(async () => {
    s3 = await startTestS3(['a', 'b']);
    [a, b] = await Promise.all([
      // A: HLS and web videos (the playlists bucket has a base_url, the web videos one not: proxied by us)
      startTestInstance({ db: 'embedded', overrides: { object_storage: s3.configFor('a', { playlistsBaseUrl: true }), transcoding: { web_videos: { enabled: true } } } }),
      startTestInstance({
        db: 'embedded',
        overrides: {
          object_storage: s3.configFor('b'),
          redundancy: { min_lifetime_floor: '1 second', videos: { check_interval: '10 minutes', strategies: [{ strategy: 'recently-added', size: '50MB', min_lifetime: '30 minutes', min_views: 0 }] } },
        },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
    await s3?.close();
  });

  it('upload → transcode → files in the bucket; REST points at the base_url; HLS plays from the bucket and through our proxy with Range', async () => {
    uuid = await upload('in the bucket');
    await a.waitForPublished(uuid);
    const keys = await waitMoved(uuid, '');
    const v = await details(a, uuid);
    const hls = v.streamingPlaylists[0]!;
    // the master, variant playlists, hashes and one fragmented mp4 per resolution (144p, 240p)
    expect(keys).toContain(`${uuid}/${hls.playlistUrl.split('/').pop()}`);
    expect(keys.filter((k) => k.endsWith('-fragmented.mp4'))).toHaveLength(2);
    expect(keys.filter((k) => k.endsWith('.m3u8'))).toHaveLength(3);
    const bucketBase = `${s3.endpoint}/a-playlists/${uuid}/`;
    expect(hls.playlistUrl.startsWith(bucketBase)).toBe(true);
    expect(hls.segmentsSha256Url.startsWith(bucketBase)).toBe(true);
    for (const f of hls.files) expect(f.fileUrl.startsWith(bucketBase)).toBe(true);

    // the player's path through the bucket URL: master → variant → a byte range of the segment file
    const master = await (await fetch(hls.playlistUrl)).text();
    const variant = master.split('\n').find((l) => l.endsWith('.m3u8'))!;
    const media = await (await fetch(`${bucketBase}${variant}`)).text();
    const range = /#EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(media)!;
    const [length, offset] = [Number(range[1]), Number(range[2])];
    const segmentFile = /^[^#].*\.mp4$/m.exec(media)![0];
    const fromBucket = await fetch(`${bucketBase}${segmentFile}`, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
    expect(fromBucket.status).toBe(206);
    const bucketBytes = Buffer.from(await fromBucket.arrayBuffer());
    expect(bucketBytes.length).toBe(length);

    // the same through our static route (nothing on disk: proxied from the bucket), counted as served bytes
    const before = await a.json<{ total: { uploadedBytes?: number; httpUploadedBytes?: number } }>(`/api/v1/server/transfers?videoId=${uuid}`);
    const ours = `${a.url}/static/streaming-playlists/hls/${uuid}/${segmentFile}`;
    const size = hls.files.find((f) => f.fileUrl.endsWith(segmentFile))!.size;
    const proxied = await fetch(ours, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
    expect(proxied.status).toBe(206);
    expect(proxied.headers.get('content-range')).toBe(`bytes ${offset}-${offset + length - 1}/${size}`);
    expect(proxied.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await proxied.arrayBuffer()).equals(bucketBytes)).toBe(true);
    const whole = await fetch(`${a.url}/static/streaming-playlists/hls/${uuid}/${variant}`);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe(media);
    const unsatisfiable = await fetch(ours, { headers: { range: `bytes=${size}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${size}`);
    const after = await a.json<typeof before>(`/api/v1/server/transfers?videoId=${uuid}`);
    expect(JSON.stringify(after.total)).not.toBe(JSON.stringify(before.total));
    expect(await fetch(`${a.url}/static/streaming-playlists/hls/${uuid}/nothing-here.mp4`).then((r) => r.status)).toBe(404);

    // web videos: in their bucket, no base_url: REST names our route, which proxies the bucket with Range
    const webKeys = await s3.keys('a-videos');
    expect(webKeys.filter((k) => k.startsWith(uuid) && k.endsWith('.mp4'))).toHaveLength(2);
    expect(v.files).toHaveLength(2);
    const web = v.files[0]!;
    expect(web.fileUrl.startsWith(`${a.url}/static/web-videos/${uuid}-`)).toBe(true);
    expect(await localNames(a.config.storage.web_videos)).toEqual(['private']);
    const tail = await fetch(web.fileUrl, { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${web.size - 100}-${web.size - 1}/${web.size}`);
    const direct = await fetch(`${s3.endpoint}/a-videos/${web.fileUrl.split('/').pop()}`, { headers: { range: `bytes=${web.size - 100}-${web.size - 1}` } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
  });

  it('files only in the bucket: our seeder leaves them (nothing to refuse at each sync), their torrents\' webseeds and REST URLs serve the same bytes', async () => {
    const local = createLocalSeedableFiles({ store: createPrismaSeedableFileStore(a.instance.prisma), paths: { webVideo: (f) => f, hlsFile: (_u, f) => f, torrent: (f) => f }, ownHost: hostOf(a) });
    expect(await local.ofVideo(uuid)).toEqual([]);
    for await (const c of local.all()) expect(c.videoUuid).not.toBe(uuid);
    await a.instance.seeding.port.syncVideo(uuid);
    expect(a.instance.seeding.seeder!.list({ videoUuid: uuid })).toEqual([]);
    const v = await details(a, uuid);
    const files = [...v.streamingPlaylists[0]!.files, ...v.files];
    expect(files).toHaveLength(4);
    for (const f of files) {
      // the torrent stays on our disk (object_storage.torrents is off); its webseed is where the file is:
      // the bucket's base_url (HLS here), else our static route (web videos here), which proxies the bucket
      const torrent = readTorrentInfo(Buffer.from(await (await fetch(f.torrentUrl)).arrayBuffer()));
      if (!torrent.ok) throw new Error(`unreadable torrent ${f.torrentUrl}`);
      expect(torrent.value.urlList).toEqual([f.fileUrl]);
      const webseed = torrent.value.urlList[0]!;
      expect(webseed.startsWith(f.fileUrl.includes('/a-playlists/') ? `${s3.endpoint}/a-playlists/` : `${a.url}/static/web-videos/`)).toBe(true);
      const [viaSeed, viaRest] = await Promise.all([webseed, f.fileUrl].map((u) => fetch(u, { headers: { range: 'bytes=0-4095' } })));
      expect([viaSeed!.status, viaRest!.status]).toEqual([206, 206]);
      expect(Buffer.from(await viaSeed!.arrayBuffer()).equals(Buffer.from(await viaRest!.arrayBuffer()))).toBe(true);
    }
  });

  it('a private video: objects under private/, never reachable on public routes, served through the gated route', async () => {
    secret = await upload('private one', 3);
    await waitFor('the private video transcoded', async () => ((await details(a, secret)).state.id === 1 ? true : undefined), 90_000);
    const keys = await waitMoved(secret, 'private/');
    expect(await s3.keys('a-playlists', `${secret}/`)).toEqual([]);
    const hls = (await details(a, secret)).streamingPlaylists[0]!;
    // not the bucket's URL: the private route
    expect(hls.playlistUrl).toBe(`${a.url}/static/streaming-playlists/hls/private/${secret}/${hls.playlistUrl.split('/').pop()}`);
    const file = keys.find((k) => k.endsWith('-fragmented.mp4'))!.split('/').pop()!;
    expect((await fetch(`${a.url}/static/streaming-playlists/hls/${secret}/${file}`)).status).toBe(404);
    // an encoded "private" does not reach the private objects through the public route
    expect((await fetch(`${a.url}/static/streaming-playlists/hls/%70rivate/${secret}/${file}`)).status).not.toBe(200);
    // nor a private file on disk (the router picks the mount by the decoded path)
    const onDisk = join(a.config.storage.streaming_playlists, 'hls', 'private', 'some-video');
    await mkdir(onDisk, { recursive: true });
    await writeFile(join(onDisk, 'secret.m3u8'), '#EXTM3U\n');
    expect((await fetch(`${a.url}/static/streaming-playlists/hls/%70rivate/some-video/secret.m3u8`)).status).toBe(404);
    expect((await fetch(`${a.url}/static/streaming-playlists/hls/private/some-video/secret.m3u8`)).status).toBe(403);
    expect((await fetch(`${a.url}/static/streaming-playlists/hls/private/${secret}/${file}`)).status).toBe(403);
    const withToken = await a.api(`/static/streaming-playlists/hls/private/${secret}/${file}`, { headers: { range: 'bytes=0-99' } });
    expect(withToken.status).toBe(206);
    expect(withToken.headers.get('cache-control')).toBe('private, no-store');
    expect((await withToken.arrayBuffer()).byteLength).toBe(100);
  });

  it('a privacy change moves the objects: public → public keys and base_url URLs; private again → back under private/, the public keys gone', async () => {
    const setPrivacy = async (privacy: number) => expect((await a.api(`/api/v1/videos/${secret}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) })).status).toBe(204);
    await setPrivacy(1);
    expect(await s3.keys('a-playlists', `private/${secret}/`)).toEqual([]);
    const publicKeys = await s3.keys('a-playlists', `${secret}/`);
    expect(publicKeys.length).toBeGreaterThan(3);
    const hls = (await details(a, secret)).streamingPlaylists[0]!;
    expect(hls.playlistUrl.startsWith(`${s3.endpoint}/a-playlists/${secret}/`)).toBe(true);
    expect((await fetch(hls.playlistUrl)).status).toBe(200);
    await setPrivacy(3);
    expect(await s3.keys('a-playlists', `${secret}/`)).toEqual([]);
    expect((await s3.keys('a-playlists', `private/${secret}/`)).length).toBe(publicKeys.length);
    expect((await fetch(hls.playlistUrl)).status).toBe(404);
    expect((await details(a, secret)).streamingPlaylists[0]!.playlistUrl.startsWith(`${a.url}/static/streaming-playlists/hls/private/${secret}/`)).toBe(true);
  });

  it('storage move (the command\'s path): every local video back to the file system, then to object storage again; resumable', async () => {
    const lines: string[] = [];
    const port = a.instance.storageMove!;
    const run = (to: 'filesystem' | 'object-storage') => storageMove({ port, to, out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(await run('filesystem')).toBe(0);
    expect(lines.some((l) => /^\[2\/2\] video \d+: completed/.test(l))).toBe(true);
    expect(await s3.keys('a-playlists')).toEqual([]);
    const hlsRoot = join(a.config.storage.streaming_playlists, 'hls');
    expect((await localNames(join(hlsRoot, uuid))).length).toBeGreaterThan(3);
    const back = (await details(a, uuid)).streamingPlaylists[0]!;
    expect(back.playlistUrl.startsWith(`${a.url}/static/streaming-playlists/hls/${uuid}/`)).toBe(true);
    expect((await fetch(back.playlistUrl)).status).toBe(200);
    // nothing left to move: a second run says so and changes nothing
    lines.length = 0;
    expect(await run('filesystem')).toBe(0);
    expect(lines[0]).toMatch(/nothing to move/);
    expect(await run('object-storage')).toBe(0);
    expect(await localNames(join(hlsRoot, uuid))).toEqual([]);
    expect((await s3.keys('a-playlists', `${uuid}/`)).length).toBeGreaterThan(3);
    expect((await details(a, uuid)).streamingPlaylists[0]!.playlistUrl.startsWith(`${s3.endpoint}/a-playlists/${uuid}/`)).toBe(true);
  });

  it('a move left undone (its job failed for good, or never written) is queued again by the node holding the files', async () => {
    const prisma = a.instance.prisma;
    const videoId = (await prisma.video.findUniqueOrThrow({ where: { uuid } })).id;
    // back on the disk, with a move job that failed for good (the bucket was down longer than its retries)
    expect((await a.instance.storageMove!.move('filesystem', videoId)).type).toBe('completed');
    await prisma.job.create({ data: { kind: 'move-to-object-storage', payload: { videoId }, dedupeKey: `move-${videoId}`, state: 'failed', attempts: 5, maxAttempts: 5, lastError: 'the bucket was down' } });
    expect((await localNames(join(a.config.storage.streaming_playlists, 'hls', uuid))).length).toBeGreaterThan(3);
    expect((await a.instance.scheduler.runNow('object-storage-resume-moves')).status).toBe('completed');
    await waitMoved(uuid, '');
    // nothing left to resume: the tick queues nothing more
    const before = await prisma.job.count({ where: { kind: 'move-to-object-storage', dedupeKey: `move-${videoId}` } });
    expect((await a.instance.scheduler.runNow('object-storage-resume-moves')).status).toBe('completed');
    expect(await prisma.job.count({ where: { kind: 'move-to-object-storage', dedupeKey: `move-${videoId}` } })).toBe(before);
  });

  it('transcoding reads its input from the bucket and its outputs go back there (an admin rerun of a video whose files are all in the bucket)', async () => {
    const completed = async (type: string) => (await a.json<{ data: { type: string }[] }>('/api/v1/jobs/completed?count=100')).data.filter((j) => j.type === type).length;
    const completedTranscodes = () => completed('video-transcoding');
    const before = await completedTranscodes();
    const movesBefore = await completed('move-to-object-storage');
    // a web video of an older run (another ladder) still in the bucket: the move after the rerun removes it
    await s3.put('a-videos', `${uuid}-1080.mp4`, 'older run');
    const rerun = await a.api(`/api/v1/videos/${uuid}/transcoding`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transcodingType: 'hls' }) });
    expect(rerun.status).toBe(204);
    await waitFor('the rerun transcode done', async () => ((await completedTranscodes()) > before ? true : undefined), 90_000);
    await a.waitForPublished(uuid);
    await waitFor('the outputs moved', async () => ((await completed('move-to-object-storage')) > movesBefore ? true : undefined), 60_000);
    // moved again: nothing on disk, the bucket holds the new outputs (the same names), playable through the base URL
    const keys = await waitMoved(uuid, '');
    expect(keys.filter((k) => k.endsWith('-fragmented.mp4'))).toHaveLength(2);
    await waitFor('the URLs at the bucket again', async () => ((await details(a, uuid)).streamingPlaylists[0]!.playlistUrl.startsWith(`${s3.endpoint}/a-playlists/`) ? true : undefined), 30_000);
    expect((await fetch((await details(a, uuid)).streamingPlaylists[0]!.playlistUrl)).status).toBe(200);
    expect(await localNames(join(a.config.storage.tmp, 'transcode'))).toEqual([]);
    expect((await s3.keys('a-videos')).filter((k) => k.startsWith(uuid))).toEqual([`${uuid}-144.mp4`, `${uuid}-240.mp4`]);
  });

  it('a mirror stores its copy in its bucket (staged, committed), announces it, serves it, and evicts it', async () => {
    const follow = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(follow.status).toBe(204);
    await waitFor('the video known on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    const copyBase = `${b.url}/static/redundancy/hls/${uuid}`;
    await waitFor('the copy announced and listed on A', async () => {
      const r = (await details(a, uuid)).streamingPlaylists[0]!.redundancies;
      return r.some((x) => x.baseUrl === copyBase) ? true : undefined;
    }, 90_000);
    const keys = await s3.keys('b-copies');
    expect(keys.filter((k) => k.startsWith('_staging/'))).toEqual([]);
    expect(keys).toContain(`${uuid}/_manifest.json`);
    const files = keys.filter((k) => k.endsWith('-fragmented.mp4'));
    expect(files).toHaveLength(2);
    // nothing of the copy left on B's disk: it is served from the bucket
    expect(await localNames(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    const name = files[0]!.split('/').pop()!;
    const origin = Buffer.from(await (await fetch(`${s3.endpoint}/a-playlists/${uuid}/${name}`, { headers: { range: 'bytes=1000-1999' } })).arrayBuffer());
    const served = await fetch(`${copyBase}/${name}`, { headers: { range: 'bytes=1000-1999' } });
    expect(served.status).toBe(206);
    expect(Buffer.from(await served.arrayBuffer()).equals(origin)).toBe(true);

    // evicted (the strategy leaves the policy): withdrawn everywhere, the objects gone
    const res = await b.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ check_interval: '10 minutes', strategies: [] }) });
    expect(res.status).toBe(200);
    expect((await b.instance.scheduler.runNow('redundancy-plan')).status).toBe('completed');
    await waitFor('the copy withdrawn on A', async () => ((await details(a, uuid)).streamingPlaylists[0]!.redundancies.length === 0 ? true : undefined), 60_000);
    expect(await s3.keys('b-copies')).toEqual([]);
    expect((await fetch(`${copyBase}/${name}`)).status).toBe(404);
  });

  it('the move is written with the publication: the process dying right after the transcode commits does not leave the video on disk', async () => {
    // Stands for a crash at the first moment a move job would be written: until the trigger goes,
    // writing one fails (and so does whatever transaction writes it).
    const prisma = a.instance.prisma;
    await prisma.$executeRawUnsafe(`CREATE FUNCTION test_no_move_job() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."kind" = 'move-to-object-storage' THEN RAISE EXCEPTION 'the process died here'; END IF; RETURN NEW; END $$`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER test_no_move_job BEFORE INSERT ON "Job" FOR EACH ROW EXECUTE FUNCTION test_no_move_job()`);
    const id = await upload('crash after publication');
    const videoId = (await prisma.video.findUniqueOrThrow({ where: { uuid: id } })).id;
    // the first transcode attempt is over (published, then "crashed"; or rolled back with its move)
    await waitFor('the first transcode attempt over', async () => {
      const job = await prisma.job.findFirst({ where: { kind: 'video-transcoding', dedupeKey: `video-${videoId}` } });
      return job && (job.lastError !== null || job.state === 'completed') ? true : undefined;
    }, 90_000);
    await prisma.$executeRawUnsafe('DROP TRIGGER test_no_move_job ON "Job"');
    await prisma.$executeRawUnsafe('DROP FUNCTION test_no_move_job()');
    // a retry waiting out its backoff is due now
    await prisma.job.updateMany({ where: { kind: 'video-transcoding', dedupeKey: `video-${videoId}`, state: 'pending' }, data: { runAt: new Date() } });
    // the transcode's retry publishes it with its move (nothing else would ever move it)
    await a.waitForPublished(id);
    await waitMoved(id, '');
    expect((await s3.keys('a-videos')).filter((k) => k.startsWith(id))).toHaveLength(2);
  });
});
