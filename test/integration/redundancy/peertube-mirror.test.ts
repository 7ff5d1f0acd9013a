import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { fragmentedFiles, startFakePeerTubeMirror, type FakePeerTubeMirror } from './fake-peertube-mirror.js';

interface WebFile {
  resolution: { id: number };
  fps: number;
  size: number;
  fileUrl: string;
  magnetUri: string;
}
interface Details {
  streamingPlaylists: { redundancies: { baseUrl: string }[] }[];
  files: WebFile[];
}
interface RedundancyList {
  total: number;
  data: { uuid: string; redundancies: { files: { id: number; fileUrl: string; strategy: null; expiresOn: string; size: number }[]; streamingPlaylists: { fileUrl: string }[] } }[];
}

const webseedsOf = (magnet: string) => new URLSearchParams(magnet.slice('magnet:?'.length)).getAll('ws');
const filenameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * PeerTube 6.3 mirroring one of our videos, with its real CacheFile bodies (session-2 seq 79 and
 * 132, Undo seq 158): its HLS copy holds only the fragmented MP4s (peertube-redundancy-tree.txt),
 * and it also announces web-video copies (`video/mp4` links with height, fps and size).
 */
describe('a PeerTube mirror of our video: HLS copy without playlists, web-video copies', () => {
  let origin: TestInstance;
  let mirror: FakePeerTubeMirror;
  let corrupt: FakePeerTubeMirror;
  let uuid = '';
  const details = () => origin.json<Details>(`/api/v1/videos/${uuid}`);
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
  const withExpiry = (activity: Record<string, unknown>) => {
    (activity.object as Record<string, unknown>).expires = tomorrow();
    return activity;
  };
  const post = async (from: FakePeerTubeMirror, activity: Record<string, unknown>) => {
    const res = await from.post(`${origin.url}/inbox`, activity);
    expect(res.status, await res.text()).toBeLessThan(300);
    return waitFor(`${String(activity.id)} handled`, async () => {
      const row = await origin.instance.prisma.inboxActivity.findFirst({ where: { activityId: String(activity.id) } });
      return row && row.state !== 'pending' ? row : undefined;
    }, 30_000);
  };

  beforeAll(async () => {
    origin = await startTestInstance({ db: 'embedded', overrides: { transcoding: { web_videos: { enabled: true } } } });
    [mirror, corrupt] = await Promise.all([startFakePeerTubeMirror(), startFakePeerTubeMirror()]);
    uuid = ((await (await origin.uploadMultipart(await generatedClip(), { name: 'mirrored by peertube', channelId: '1' })).json()) as { video: { uuid: string } }).video.uuid;
    await origin.waitForPublished(uuid);
    const hlsDir = origin.instance.layout.hlsDir(uuid);
    const fragments = await fragmentedFiles(hlsDir, await readdir(hlsDir));
    expect(fragments.length).toBeGreaterThan(0);
    for (const { name, bytes } of fragments) {
      mirror.put(`hls/${uuid}/${name}`, bytes);
      // the other mirror's copy has one byte flipped inside the first hashed range of each file
      const flipped = Buffer.from(bytes);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
      flipped[1000]! ^= 0x01;
      corrupt.put(`hls/${uuid}/${name}`, flipped);
    }
  });
  afterAll(async () => {
    await Promise.all([origin?.stop(), mirror?.close(), corrupt?.close()]);
  });

  it('an HLS copy holding only the fragmented MP4s is probed OK and listed; only hashed segment ranges are asked for', async () => {
    const handled = await post(mirror, withExpiry(mirror.captured(132, { origin: origin.url, uuid })));
    expect(handled.state).toBe('processed');
    const listed = await waitFor('the copy probed and listed', async () => {
      const v = await details();
      return v.streamingPlaylists[0]!.redundancies.length > 0 ? v.streamingPlaylists[0]!.redundancies : undefined;
    }, 30_000);
    expect(listed).toEqual([{ baseUrl: `${mirror.base}/static/redundancy/hls/${uuid}` }]);
    expect(mirror.requested.length).toBeGreaterThan(0);
    for (const path of mirror.requested) expect(path).toMatch(/-fragmented\.mp4$/);
    const mine = await origin.json<RedundancyList>('/api/v1/server/redundancy/videos?target=my-videos');
    expect(mine.data.map((d) => d.redundancies.streamingPlaylists.map((s) => s.fileUrl))).toEqual([[`${mirror.base}/static/redundancy/hls/${uuid}`]]);
  });

  it('a copy with a flipped byte is hidden', async () => {
    await post(corrupt, withExpiry(corrupt.captured(132, { origin: origin.url, uuid })));
    const row = await waitFor('the corrupt copy probed', async () => {
      const r = await origin.instance.prisma.videoRedundancy.findFirst({ where: { actor: { url: corrupt.actorUrl } } });
      return r && r.remoteState !== 'pending_probe' ? r : undefined;
    }, 30_000);
    expect(row.remoteState).toBe('unhealthy');
    expect(row.reason).toMatch(/does not match its hash/);
    expect((await details()).streamingPlaylists[0]!.redundancies).toEqual([{ baseUrl: `${mirror.base}/static/redundancy/hls/${uuid}` }]);
  });

  it('a web-video copy (video/mp4 CacheFile) is recorded, probed, listed as a webseed and in redundancies.files; its Undo removes it', async () => {
    const file = (await details()).files.find((f) => f.resolution.id === 240)!;
    expect(file).toBeDefined();
    const name = filenameOf(file.fileUrl);
    const bytes = await readFile(origin.instance.layout.webVideo(name));
    // PeerTube names its copy after the origin's file: /static/redundancy/<file name>
    mirror.put(name, bytes);
    const create = withExpiry(mirror.captured(79, { origin: origin.url, uuid, file: { size: bytes.length, fps: file.fps } }));
    const href = ((create.object as Record<string, unknown>).url as { href: string }).href;
    expect(href).toBe(`${mirror.base}/static/redundancy/${uuid}-240.mp4`);
    expect(name).toBe(`${uuid}-240.mp4`);
    expect((await post(mirror, create)).state).toBe('processed');
    const seeds = await waitFor('the web-video copy listed as a webseed', async () => {
      const f = (await details()).files.find((x) => x.resolution.id === 240)!;
      const ws = webseedsOf(f.magnetUri);
      return ws.length > 1 ? ws : undefined;
    }, 30_000);
    expect(seeds).toEqual([file.fileUrl, href]);
    // the other resolution has no copy
    for (const f of (await details()).files.filter((x) => x.resolution.id !== 240)) expect(webseedsOf(f.magnetUri)).toEqual([f.fileUrl]);
    const mine = await origin.json<RedundancyList>('/api/v1/server/redundancy/videos?target=my-videos');
    expect(mine.data[0]!.redundancies.files).toEqual([
      { id: expect.any(Number), fileUrl: href, strategy: null, createdAt: expect.any(String), updatedAt: expect.any(String), expiresOn: (create.object as { expires: string }).expires, size: bytes.length },
    ]);

    const undo = mirror.captured(158, { origin: origin.url, uuid });
    expect((await post(mirror, undo)).state).toBe('processed');
    expect(webseedsOf((await details()).files.find((x) => x.resolution.id === 240)!.magnetUri)).toEqual([file.fileUrl]);
    expect((await origin.json<RedundancyList>('/api/v1/server/redundancy/videos?target=my-videos')).data[0]!.redundancies.files).toEqual([]);
  });

  it('a web-video copy whose bytes differ from our file is hidden', async () => {
    const file = (await details()).files.find((f) => f.resolution.id === 240)!;
    const name = filenameOf(file.fileUrl);
    const bytes = Buffer.from(await readFile(origin.instance.layout.webVideo(name)));
    bytes[bytes.length - 100]! ^= 0x01;
    corrupt.put(name, bytes);
    await post(corrupt, withExpiry(corrupt.captured(79, { origin: origin.url, uuid, file: { size: bytes.length, fps: file.fps } })));
    const row = await waitFor('the corrupt web-video copy probed', async () => {
      const r = await origin.instance.prisma.videoFileRedundancy.findFirst({ where: { actor: { url: corrupt.actorUrl } } });
      return r && r.state !== 'pending-probe' ? r : undefined;
    }, 30_000);
    expect(row.state).toBe('unhealthy');
    expect(row.reason).toMatch(/differ from our file/);
    expect(webseedsOf((await details()).files.find((x) => x.resolution.id === 240)!.magnetUri)).toEqual([file.fileUrl]);
  });
});
