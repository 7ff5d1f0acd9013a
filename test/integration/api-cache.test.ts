import { createServer, type Server } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../support/media.js';
import { freePort, waitFor } from '../support/ports.js';
import { startTestInstance, type TestInstance } from '../support/instance.js';
import { buildMagnetUri } from '../../src/p2p/index.js';
import { formatVideo, formatVideoDetails } from '../../src/http/api/format/video.js';
import { createPrismaVideoReadStore } from '../../src/videos/video-read-store.js';
import { VIDEO_SORTS } from '../../src/videos/video-queries.js';
import { activityOf, LOCAL_VIDEO_UUID, PEERTUBE_VIDEO_UUID, startSession2Replay, type Session2Replay } from '../support/peertube-replay.js';

/**
 * The API cache (`cache.api`) never answers with what a write has changed: each test reads as an
 * anonymous client (filling the cache), changes the video through the real path (REST, inbox,
 * transcoding job, origin-health tick), and reads again. The cache's TTL is a day here, so only the
 * invalidation can make the second read fresh.
 */
const LONG_TTL = { cache: { api: { enabled: true, ttl: '1 day', max_entries: 1000 } } };

interface Details {
  name: string;
  privacy: { id: number };
  state: { id: number };
  likes: number;
  views: number;
  files: unknown[];
  streamingPlaylists: { playlistUrl: string; redundancies: { baseUrl: string }[]; files: { fileUrl: string }[] }[];
}
interface List {
  total: number;
  data: { uuid: string; name: string }[];
}

const anonymous = { token: null } as const;

describe('API cache on one instance (embedded)', () => {
  let t: TestInstance;
  const details = (ref: string) => t.json<Details>(`/api/v1/videos/${ref}`, anonymous);
  const list = () => t.json<List>('/api/v1/videos?count=50', anonymous);
  const put = async (ref: string, body: Record<string, unknown>) => {
    const res = await t.api(`/api/v1/videos/${ref}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.text()).toBe(204);
  };

  /** a published local video of root's, as rows (no files on disk: the API reads only rows) */
  async function localVideo(name: string, privacy = 1): Promise<string> {
    const prisma = t.instance.prisma;
    const channel = await prisma.videoChannel.findFirstOrThrow({ where: { name: 'root_channel' } });
    const uuid = randomUUID();
    await prisma.video.create({ data: { uuid, url: t.instance.urls.video(uuid), name, state: 1, privacy, channelId: channel.id } });
    return uuid;
  }

  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: LONG_TTL });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('an edit (PUT) shows at once in the details and the list', async () => {
    const uuid = await localVideo('before the edit');
    expect((await details(uuid)).name).toBe('before the edit');
    expect((await list()).data.find((v) => v.uuid === uuid)?.name).toBe('before the edit');
    await put(uuid, { name: 'after the edit' });
    expect((await details(uuid)).name).toBe('after the edit');
    expect((await list()).data.find((v) => v.uuid === uuid)?.name).toBe('after the edit');
  });

  it('a privacy change: a video made private is refused to anonymous clients at once and leaves the list; unlisted ones are never listed', async () => {
    const uuid = await localVideo('soon private');
    expect((await details(uuid)).privacy.id).toBe(1);
    expect((await list()).data.map((v) => v.uuid)).toContain(uuid);
    await put(uuid, { privacy: 3 });
    expect((await t.api(`/api/v1/videos/${uuid}`, anonymous)).status).toBe(401);
    expect((await list()).data.map((v) => v.uuid)).not.toContain(uuid);
    // its owner still sees it; that read fills nothing an anonymous client could get
    expect((await t.json<Details>(`/api/v1/videos/${uuid}`)).privacy.id).toBe(3);
    expect((await t.api(`/api/v1/videos/${uuid}`, anonymous)).status).toBe(401);
    // unlisted: details by link (as PeerTube), never in the list
    await put(uuid, { privacy: 2 });
    expect((await details(uuid)).privacy.id).toBe(2);
    expect((await list()).data.map((v) => v.uuid)).not.toContain(uuid);
    await put(uuid, { privacy: 1 });
    expect((await list()).data.map((v) => v.uuid)).toContain(uuid);
  });

  it('a private video fetched by its owner is never answered to an anonymous client', async () => {
    const uuid = await localVideo('private from the start', 3);
    for (let i = 0; i < 3; i++) expect((await t.json<Details>(`/api/v1/videos/${uuid}`)).name).toBe('private from the start');
    expect((await t.api(`/api/v1/videos/${uuid}`, anonymous)).status).toBe(401);
    expect((await list()).data.map((v) => v.uuid)).not.toContain(uuid);
  });

  it('a rate changes the likes at once', async () => {
    const uuid = await localVideo('to be liked');
    expect((await details(uuid)).likes).toBe(0);
    const res = await t.api(`/api/v1/videos/${uuid}/rate`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rating: 'like' }) });
    expect(res.status).toBe(204);
    expect((await details(uuid)).likes).toBe(1);
  });

  it('failover: when the origin of a video we mirror goes down, players are sent to our copy at once, and back when it returns', async () => {
    const port = await freePort();
    const origin = `127.0.0.1:${port}`;
    const serve = (): Promise<Server> =>
      new Promise((resolve) => {
        const s = createServer((_req, res) => res.end('#EXTM3U\n'));
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
    let server = await serve();
    const prisma = t.instance.prisma;
    const uuid = randomUUID();
    const actor = await prisma.actor.create({ data: { type: 'Group', preferredUsername: 'remote_channel', host: origin, avatarFilename: 'avatar.png', avatarWidth: 48, url: `http://${origin}/video-channels/remote_channel`, inboxUrl: `http://${origin}/inbox` } });
    const accountActor = await prisma.actor.create({ data: { type: 'Person', preferredUsername: 'remote', host: origin, url: `http://${origin}/accounts/remote`, inboxUrl: `http://${origin}/inbox` } });
    const account = await prisma.account.create({ data: { name: 'remote', displayName: 'remote', actorId: accountActor.id } });
    const channel = await prisma.videoChannel.create({ data: { name: 'remote_channel', displayName: 'remote', accountId: account.id, actorId: actor.id } });
    const video = await prisma.video.create({
      data: { uuid, url: `http://${origin}/videos/watch/${uuid}`, name: 'mirrored', state: 1, privacy: 1, isLocal: false, lastFetchedAt: new Date(), channelId: channel.id },
    });
    await prisma.videoStreamingPlaylist.create({
      data: {
        videoId: video.id,
        playlistFilename: 'master.m3u8',
        segmentsSha256Filename: 'segments-sha256.json',
        playlistUrl: `http://${origin}/static/streaming-playlists/hls/${uuid}/master.m3u8`,
        segmentsSha256Url: `http://${origin}/static/streaming-playlists/hls/${uuid}/segments-sha256.json`,
        files: { create: [{ resolution: 240, size: 1000n, extname: '.mp4', filename: `${uuid}-240-fragmented.mp4`, fileUrl: `http://${origin}/static/streaming-playlists/hls/${uuid}/${uuid}-240-fragmented.mp4` }] },
      },
    });
    const us = await prisma.actor.findFirstOrThrow({ where: { preferredUsername: 'peertube', host: null } });
    const copy = `${t.instance.urls.base}/static/redundancy/hls/${uuid}`;
    await prisma.videoRedundancy.create({ data: { videoId: video.id, actorId: us.id, url: `${t.instance.urls.base}/redundancy/streaming-playlists/hls/${uuid}`, fileUrl: copy, state: 'active', strategy: 'manual' } });

    await t.instance.scheduler.runNow('redundancy-origin-health');
    expect((await details(uuid)).streamingPlaylists[0]?.playlistUrl).toContain(origin);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.instance.scheduler.runNow('redundancy-origin-health');
    const failedOver = await details(uuid);
    expect(failedOver.streamingPlaylists[0]?.playlistUrl).toBe(`${copy}/master.m3u8`);
    expect(failedOver.streamingPlaylists[0]?.files[0]?.fileUrl).toBe(`${copy}/${uuid}-240-fragmented.mp4`);
    server = await serve();
    await t.instance.scheduler.runNow('redundancy-origin-health');
    expect((await details(uuid)).streamingPlaylists[0]?.playlistUrl).toContain(origin);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an upload: the details read while it transcodes give way to the published video with its files', async () => {
    const res = await t.uploadMultipart(await generatedClip(), { name: 'fresh upload', channelId: '1', privacy: '1' });
    expect(res.status).toBe(200);
    const { uuid } = ((await res.json()) as { video: { uuid: string } }).video;
    const during = await details(uuid);
    expect(during.state.id).not.toBe(1);
    await t.waitForPublished(uuid);
    const after = await details(uuid);
    expect(after.state.id).toBe(1);
    expect(after.streamingPlaylists.length + after.files.length).toBeGreaterThan(0);
  });

  it('the one-query reads answer what Prisma\'s includes did (every video above, formatted both ways)', async () => {
    const prisma = t.instance.prisma;
    const store = createPrismaVideoReadStore(prisma);
    const channelInclude = { actor: true, account: { include: { actor: true, user: true } } } as const;
    const include = {
      channel: { include: channelInclude },
      files: { include: { redundancies: { where: { state: 'active' }, orderBy: { id: 'asc' as const }, select: { fileUrl: true } } } },
      streamingPlaylists: { include: { files: true } },
      // ours (the mirror side's state) and other instances' (the origin side's)
      redundancies: { where: { OR: [{ state: 'active' as const }, { remoteState: 'active' as const }] }, orderBy: { id: 'asc' as const } },
    };
    const videos = await prisma.video.findMany({ include, orderBy: { id: 'asc' } });
    expect(videos.length).toBeGreaterThan(5);
    const magnet = buildMagnetUri;
    for (const old of videos) {
      const fresh = await store.findByRef(old.uuid);
      expect(fresh).not.toBeNull();
      expect(JSON.parse(JSON.stringify(formatVideoDetails(fresh!, t.instance.urls, magnet)))).toEqual(JSON.parse(JSON.stringify(formatVideoDetails(old, t.instance.urls, magnet))));
      expect((await store.findByRef(String(old.id)))?.uuid).toBe(old.uuid);
    }
    for (const sort of VIDEO_SORTS) {
      for (const page of [{ start: 0, count: 3 }, { start: 2, count: 15 }, { start: 100, count: 5 }]) {
        const where = { privacy: 1 };
        const prismaSort: Record<string, object> = { name: { name: 'asc' }, '-name': { name: 'desc' }, duration: { duration: 'asc' }, '-duration': { duration: 'desc' }, createdAt: { createdAt: 'asc' }, '-createdAt': { createdAt: 'desc' }, publishedAt: { publishedAt: 'asc' }, '-publishedAt': { publishedAt: 'desc' }, views: { views: 'asc' }, '-views': { views: 'desc' }, likes: { likes: 'asc' }, '-likes': { likes: 'desc' }, '-trending': { views: 'desc' }, '-hot': { views: 'desc' } };
        const oldRows = await prisma.video.findMany({ where, orderBy: [prismaSort[sort]!, { id: 'asc' }], skip: page.start, take: page.count, include: { channel: { include: channelInclude } } });
        const fresh = await store.list({ ...page, sort });
        expect(fresh.total).toBe(await prisma.video.count({ where }));
        expect(fresh.data.map((v) => formatVideo(v, t.instance.urls))).toEqual(oldRows.map((v) => formatVideo(v, t.instance.urls)));
      }
    }
    expect((await store.list({ start: 0, count: 50, search: 'EDIT' })).data.map((v) => v.name)).toEqual(['after the edit']);
    expect((await store.list({ start: 0, count: 50, search: '%' })).total).toBe(0);
  });
});

/** Real PeerTube traffic (session 2) replayed: its Updates, CacheFiles, rates, views and Deletes. */
describe('API cache under PeerTube traffic (session 2 replayed, postgres)', () => {
  let r: Session2Replay;
  const remote = () => r.instance.api(`/api/v1/videos/${PEERTUBE_VIDEO_UUID}`, anonymous);
  const remoteDetails = async () => (await (await remote()).json()) as Details;
  const local = () => r.instance.json<Details>(`/api/v1/videos/${LOCAL_VIDEO_UUID}`, anonymous);
  const listed = () => r.instance.json<List>('/api/v1/videos?count=50', anonymous);

  beforeAll(async () => {
    r = await startSession2Replay({ db: 'postgres', overrides: LONG_TTL });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('a remote Update (seq 17/18) shows its new playlist at once', async () => {
    await r.replayUntil(16);
    const before = (await remoteDetails()).streamingPlaylists[0]?.playlistUrl;
    await r.replayUntil(18);
    const after = (await remoteDetails()).streamingPlaylists[0]?.playlistUrl;
    expect(after).toMatch(/780082ee-f023-4fc4-be60-294cd9b9bacd-master\.m3u8$/);
    expect(after).not.toBe(before);
  });

  it('a new mirror (Create CacheFile, seq 132) is listed as soon as its probe passes', async () => {
    // PeerTube's copy serves bytes matching our segments-sha256.json, so the origin's probe lists it
    const bytes = 'fragmented mp4 bytes of the capture video';
    const file = `${LOCAL_VIDEO_UUID}-240-fragmented.mp4`;
    r.peertube.route((path) => (path.startsWith(`/static/redundancy/hls/${LOCAL_VIDEO_UUID}/`) ? { status: 200, contentType: 'video/mp4', body: bytes } : undefined));
    await r.replayUntil(131);
    const dir = r.instance.instance.layout.hlsDir(LOCAL_VIDEO_UUID);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'segments-sha256.json'), JSON.stringify({ [file]: { '0-9': createHash('sha256').update(bytes.slice(0, 10)).digest('hex') } }));
    expect((await local()).streamingPlaylists[0]?.redundancies).toEqual([]);
    await r.replayUntil(132);
    // read (and cached) while the copy waits for its probe; the probe's verdict must show
    await waitFor('the probed copy listed', async () => ((await local()).streamingPlaylists[0]?.redundancies.length === 1 ? true : undefined), 30_000);
  });

  it('a remote Like (seq 137) and Dislike (139) change the counts at once', async () => {
    await r.replayUntil(136);
    expect((await local()).likes).toBe(0);
    await r.replayUntil(137);
    expect((await local()).likes).toBe(1);
    await r.replayUntil(139);
    expect(await local()).toMatchObject({ likes: 0 });
  });

  it('a counted remote view (seq 146) changes the view count at once', async () => {
    await r.replayUntil(145);
    const before = (await local()).views;
    await r.replayUntil(146);
    expect((await local()).views).toBe(before + 1);
  });

  it('a remote edit (Update, seq 153) renames the video at once, in the details and the list', async () => {
    await r.replayUntil(152);
    const name = (activityOf(153).object as { name: string }).name;
    expect((await remoteDetails()).name).not.toBe(name);
    expect((await listed()).data.find((v) => v.uuid === PEERTUBE_VIDEO_UUID)?.name).not.toBe(name);
    await r.replayUntil(153);
    expect((await remoteDetails()).name).toBe(name);
    expect((await listed()).data.find((v) => v.uuid === PEERTUBE_VIDEO_UUID)?.name).toBe(name);
  });

  it('a remote Delete (seq 156) answers 404 at once; the Undo of the mirror (157) removes it from `redundancies`', async () => {
    expect((await remote()).status).toBe(200);
    await r.replayUntil(156);
    expect((await remote()).status).toBe(404);
    expect((await listed()).data.map((v) => v.uuid)).not.toContain(PEERTUBE_VIDEO_UUID);
    expect((await local()).streamingPlaylists[0]?.redundancies).toHaveLength(1);
    await r.replayUntil(157);
    expect((await local()).streamingPlaylists[0]?.redundancies).toEqual([]);
  });
});
