import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, ffprobeJson, generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { downloadWithWebTorrent } from '../../support/webtorrent.js';

interface Details {
  uuid: string;
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; redundancies: { baseUrl: string }[]; files: { fileUrl: string; torrentUrl: string; magnetUri: string }[] }[];
}

const MIRROR_POLICY = {
  redundancy: {
    min_lifetime_floor: '1 second',
    // ticks run only when the test says (runNow): the interval is long
    videos: { check_interval: '10 minutes', strategies: [{ strategy: 'most-views', size: '50MB', min_lifetime: '1 hour' }] },
  },
};

describe('redundancy between three instances: B mirrors A, C follows A', () => {
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  let uuid = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const details = (t: TestInstance) => t.json<Details>(`/api/v1/videos/${uuid}`);
  const plan = (t: TestInstance) => t.instance.scheduler.runNow('redundancy-plan');

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startTestInstance({ db: 'postgres' }),
      startTestInstance({ db: 'embedded', overrides: MIRROR_POLICY }),
      startTestInstance({ db: 'postgres' }),
    ]);
    for (const follower of [b, c]) {
      const res = await follower.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
      expect(res.status).toBe(204);
    }
    const { video } = (await (await a.uploadMultipart(await generatedClip(), { name: 'to be mirrored', channelId: '1' })).json()) as { video: { uuid: string } };
    uuid = video.uuid;
    await a.waitForPublished(uuid);
    for (const t of [b, c]) await waitFor('the video on the followers', () => t.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  it('the followers keep the origin\'s p2p-media-loader swarm ids, not torrent infohashes', async () => {
    const ids = async (t: TestInstance) => (await t.instance.prisma.videoStreamingPlaylist.findFirstOrThrow({ where: { video: { uuid } } })).p2pMediaLoaderInfohashes;
    const origin = await ids(a);
    expect(origin.length).toBeGreaterThan(0);
    for (const t of [b, c]) expect(await ids(t)).toEqual(origin);
  });

  it('mirrors nothing before the host is allowed', async () => {
    await plan(b);
    const list = await b.json<{ total: number }>('/api/v1/server/redundancy/videos?target=remote-videos');
    expect(list.total).toBe(0);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
  });

  it('once allowed, mirrors in one tick and the copy is listed on all three instances', async () => {
    const allow = await b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: true }) });
    expect(allow.status).toBe(204);
    await plan(b);
    const baseUrl = `${b.url}/static/redundancy/hls/${uuid}`;
    for (const t of [b, a, c]) {
      const d = await waitFor(`the redundancy listed on ${hostOf(t)}`, async () => {
        const v = await details(t);
        return v.streamingPlaylists[0]!.redundancies.length > 0 ? v : undefined;
      }, 60_000);
      expect(d.streamingPlaylists[0]!.redundancies).toEqual([{ baseUrl }]);
    }
    const mine = await b.json<{ total: number; data: { uuid: string; redundancies: { streamingPlaylists: { fileUrl: string; strategy: string; size: number; downloadedBytes: number; ratio: number | null }[] } }[] }>('/api/v1/server/redundancy/videos?target=remote-videos');
    const entry = mine.data[0]!.redundancies.streamingPlaylists[0]!;
    expect(entry).toMatchObject({ fileUrl: baseUrl, strategy: 'most-views' });
    // what building the copy cost, for its seeding ratio
    expect(entry.downloadedBytes).toBeGreaterThan(0.9 * entry.size); // the copy also holds torrents we wrote
    const theirs = await a.json<{ total: number }>('/api/v1/server/redundancy/videos?target=my-videos');
    expect(theirs.total).toBe(1);
    const stats = await b.json<{ videosRedundancy: { strategy: string; totalSize: number; totalUsed: number; totalVideos: number }[] }>('/api/v1/server/stats');
    const mostViews = stats.videosRedundancy.find((s) => s.strategy === 'most-views')!;
    expect(mostViews.totalVideos).toBe(1);
    expect(mostViews.totalUsed).toBeGreaterThan(0);
    expect(mostViews.totalUsed).toBeLessThanOrEqual(mostViews.totalSize);
  });

  it('the copy has the origin file names and every segment matches the origin hashes', async () => {
    const origin = await details(a);
    const hls = origin.streamingPlaylists[0]!;
    const originDir = a.instance.layout.hlsDir(uuid);
    const copyDir = join(b.config.storage.redundancy, 'hls', uuid);
    const originFiles = (await readdir(originDir)).sort();
    const copyFiles = (await readdir(copyDir)).filter((f) => !f.endsWith('.torrent')).sort();
    expect(copyFiles).toEqual(originFiles);
    const sha = JSON.parse(await readFile(join(originDir, 'segments-sha256.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const [file, ranges] of Object.entries(sha)) {
      const bytes = Buffer.from(await (await fetch(`${b.url}/static/redundancy/hls/${uuid}/${file}`)).arrayBuffer());
      for (const [range, hash] of Object.entries(ranges)) {
        const [start, end] = range.split('-').map(Number) as [number, number];
        expect(createHash('sha256').update(bytes.subarray(start, end + 1)).digest('hex')).toBe(hash);
      }
    }
    expect(hls.playlistUrl.endsWith('master.m3u8')).toBe(true);
  });

  it('the admin API answers with PeerTube\'s codes', async () => {
    const post = (t: TestInstance, body: unknown, token?: string | null) =>
      t.api('/api/v1/server/redundancy/videos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(token !== undefined ? { token } : {}) });
    expect((await post(b, { videoId: 1 }, null)).status).toBe(401);
    const local = await b.uploadMultipart(await generatedClip(), { name: 'local on b', channelId: '1' });
    const localId = ((await local.json()) as { video: { id: number } }).video.id;
    expect((await post(b, { videoId: localId })).status).toBe(400);
    expect((await post(b, { videoId: 999_999 })).status).toBe(404);
    const remoteId = (await b.json<{ id: number }>(`/api/v1/videos/${uuid}`)).id;
    expect((await post(b, { videoId: remoteId })).status).toBe(409);
    expect((await b.api('/api/v1/server/redundancy/videos/999999', { method: 'DELETE' })).status).toBe(404);
    const badPolicy = await b.api('/api/v1/server/redundancy/policy', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strategies: [{ strategy: 'most-loved', size: '1GB' }] }) });
    expect(badPolicy.status).toBe(400);
    expect(((await badPolicy.json()) as { detail: string }).detail).toMatch(/strategies\[0\]/);
  });

  it('a byte flipped in the stored copy is detected: the copy is withdrawn and leaves the origin\'s list', async () => {
    const copyDir = join(b.config.storage.redundancy, 'hls', uuid);
    const media = (await readdir(copyDir)).find((f) => f.endsWith('-fragmented.mp4'))!;
    const bytes = await readFile(join(copyDir, media));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await writeFile(join(copyDir, media), bytes);
    await b.instance.scheduler.runNow('redundancy-verify');
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    for (const t of [a, b]) {
      await waitFor(`the copy gone from ${hostOf(t)}`, async () => ((await details(t)).streamingPlaylists[0]!.redundancies.length === 0 ? true : undefined), 30_000);
    }
    // the next tick mirrors it again, whole
    await plan(b);
    await waitFor('a fresh copy', async () => ((await details(a)).streamingPlaylists[0]!.redundancies.length === 1 ? true : undefined), 60_000);
  });

  it('disallowing the host removes the copy and its files', async () => {
    const set = (allowed: boolean) => b.api(`/api/v1/server/redundancy/${hostOf(a)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redundancyAllowed: allowed }) });
    expect((await set(false)).status).toBe(204);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    expect((await b.json<{ total: number }>('/api/v1/server/redundancy/videos?target=remote-videos')).total).toBe(0);
    await waitFor('the copy gone from A', async () => ((await details(a)).streamingPlaylists[0]!.redundancies.length === 0 ? true : undefined), 30_000);
    expect((await set(true)).status).toBe(204);
    await plan(b);
    await waitFor('the copy back on A', async () => ((await details(a)).streamingPlaylists[0]!.redundancies.length === 1 ? true : undefined), 60_000);
  });

  it('deleting a mirrored video at its origin removes the copies everywhere', async () => {
    const { video } = (await (await a.uploadMultipart(await generatedClip(), { name: 'short-lived', channelId: '1' })).json()) as { video: { id: number; uuid: string } };
    await a.waitForPublished(video.uuid);
    await waitFor('the second video on B', () => b.api(`/api/v1/videos/${video.uuid}`).then((r) => (r.ok ? true : undefined)), 30_000);
    await plan(b);
    const copyDir = join(b.config.storage.redundancy, 'hls', video.uuid);
    await waitFor('its copy on B', async () => ((await readdir(copyDir).catch(() => [])).length > 0 && (await b.instance.prisma.videoRedundancy.count({ where: { video: { uuid: video.uuid }, state: 'active' } })) === 1 ? true : undefined), 60_000);
    expect((await a.api(`/api/v1/videos/${video.id}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor('the video gone from B', async () => ((await b.api(`/api/v1/videos/${video.uuid}`)).status === 404 ? true : undefined), 30_000);
    await plan(b);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([uuid]);
    expect(await a.instance.prisma.videoRedundancy.count({ where: { video: { uuid: video.uuid } } })).toBe(0);
  });

  it('unfollowing the host removes the copy and its files; following it again brings the copy back', async () => {
    expect((await b.api(`/api/v1/server/following/${hostOf(a)}`, { method: 'DELETE' })).status).toBe(204);
    expect(await readdir(join(b.config.storage.redundancy, 'hls'))).toEqual([]);
    expect((await b.json<{ total: number }>('/api/v1/server/redundancy/videos?target=remote-videos')).total).toBe(0);
    for (const t of [a, c]) {
      await waitFor(`the copy gone from ${hostOf(t)}`, async () => ((await details(t)).streamingPlaylists[0]!.redundancies.length === 0 ? true : undefined), 30_000);
    }
    const follow = await b.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(follow.status).toBe(204);
    // a new Follow (its own id: not dropped as a duplicate of the first) and a new Accept
    await waitFor('the follow accepted', async () => {
      const list = await b.json<{ data: { following: { host: string }; state: string }[] }>('/api/v1/server/following');
      return list.data.some((f) => f.following.host === hostOf(a) && f.state === 'accepted') ? true : undefined;
    }, 30_000);
    await plan(b);
    await waitFor('the copy back on A', async () => ((await details(a)).streamingPlaylists[0]!.redundancies.length === 1 ? true : undefined), 60_000);
  });

  it('with the origin stopped, the mirror still plays: ffprobe reads its master, every segment matches, its REST API fails over, a torrent download completes', async () => {
    const copyBase = `${b.url}/static/redundancy/hls/${uuid}`;
    const torrentFile = (await readdir(join(b.config.storage.redundancy, 'hls', uuid))).find((f) => f.endsWith('.torrent'))!;
    const hostUrlOfOrigin = a.url;
    // the origin's own hashes, read before it goes away
    const originHashes = JSON.parse(await readFile(join(a.instance.layout.hlsDir(uuid), 'segments-sha256.json'), 'utf8')) as Record<string, Record<string, string>>;
    await a.stop();
    a = undefined as unknown as TestInstance;
    const probed = await ffprobeJson(`${copyBase}/master.m3u8`);
    expect(probed.streams.some((st) => st.codec_type === 'video')).toBe(true);
    await decodeFully(`${copyBase}/master.m3u8`);
    // every segment the mirror serves matches the origin's hash
    for (const [file, ranges] of Object.entries(originHashes)) {
      const bytes = Buffer.from(await (await fetch(`${copyBase}/${file}`)).arrayBuffer());
      for (const [range, hash] of Object.entries(ranges)) {
        const [start, end] = range.split('-').map(Number) as [number, number];
        expect(createHash('sha256').update(bytes.subarray(start, end + 1)).digest('hex')).toBe(hash);
      }
    }
    // a player that knows only the mirror's REST API: once B saw the origin down, B's details point at its copy
    const before = await details(b);
    expect(before.streamingPlaylists[0]!.playlistUrl.startsWith(hostUrlOfOrigin)).toBe(true);
    await b.instance.scheduler.runNow('redundancy-origin-health');
    const failover = (await details(b)).streamingPlaylists[0]!;
    expect(failover.playlistUrl).toBe(`${copyBase}/master.m3u8`);
    expect(failover.segmentsSha256Url).toBe(`${copyBase}/segments-sha256.json`);
    await decodeFully(failover.playlistUrl);
    for (const f of failover.files) {
      expect(f.fileUrl.startsWith(`${copyBase}/`)).toBe(true);
      expect((await fetch(f.fileUrl, { method: 'HEAD' })).status).toBe(200);
      expect((await fetch(f.torrentUrl)).status).toBe(200);
      expect(new URLSearchParams(f.magnetUri.slice('magnet:?'.length)).getAll('ws')[0]).toBe(f.fileUrl);
    }
    const torrent = Buffer.from(await (await fetch(`${copyBase}/${torrentFile}`)).arrayBuffer());
    const { data } = await downloadWithWebTorrent(torrent);
    // the bytes are those of one of the copy's media files, served by the mirror
    const media = (await readdir(join(b.config.storage.redundancy, 'hls', uuid))).filter((f) => f.endsWith('.mp4'));
    const hashes = await Promise.all(media.map(async (f) => createHash('sha256').update(Buffer.from(await (await fetch(`${copyBase}/${f}`)).arrayBuffer())).digest('hex')));
    expect(hashes).toContain(createHash('sha256').update(data).digest('hex'));
  });
});
