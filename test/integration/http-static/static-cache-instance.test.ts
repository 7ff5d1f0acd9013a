import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../../support/media.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { waitFor } from '../../support/ports.js';

// A real instance (PostgreSQL): its static files are answered before koa, from the block cache once
// hot. A video made private is refused through the cache exactly as without it, and a re-transcode
// that rewrites a file at the same path is served with its new bytes, never the cached ones.
describe('static file cache in an instance', () => {
  let t: TestInstance;
  let uuid = '';
  let fileName = '';

  const hlsRoot = () => join(t.config.storage.streaming_playlists, 'hls');
  const publicPath = () => `/static/streaming-playlists/hls/${uuid}/${fileName}`;
  const privatePath = () => `/static/streaming-playlists/hls/private/${uuid}/${fileName}`;
  const get = async (path: string, headers: Record<string, string> = {}, token?: string) => {
    const res = await fetch(`${t.apiUrl}${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    return { status: res.status, etag: res.headers.get('etag'), body: Buffer.from(await res.arrayBuffer()) };
  };
  /** Every range three times (a block enters the cache on its second miss, the third is a hit). */
  const ranges = (size: number) => [
    { start: 0, end: 99 },
    { start: Math.floor(size / 3), end: Math.floor(size / 3) + 65_535 },
    { start: size - 1, end: size - 1 },
    { start: 0, end: size - 1 },
  ];
  const expectServedAsOnDisk = async (urlPath: string, onDisk: string, token?: string) => {
    const bytes = await readFile(onDisk);
    for (let round = 0; round < 3; round++) {
      for (const r of ranges(bytes.length)) {
        const answer = await get(urlPath, { range: `bytes=${r.start}-${r.end}` }, token);
        expect(answer.status).toBe(206);
        expect(answer.body.equals(bytes.subarray(r.start, r.end + 1))).toBe(true);
      }
    }
  };
  const setPrivacy = async (privacy: number) => {
    const res = await t.api(`/api/v1/videos/${uuid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ privacy }) });
    expect(res.status).toBe(204);
  };

  beforeAll(async () => {
    t = await startTestInstance({ db: 'postgres' });
    const res = await t.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'cached', channelId: '1', privacy: '1' });
    expect(res.status).toBe(200);
    uuid = ((await res.json()) as { video: { uuid: string } }).video.uuid;
    const v = (await t.waitForPublished(uuid)) as { streamingPlaylists: { files: { fileUrl: string }[] }[] };
    fileName = new URL(v.streamingPlaylists[0]!.files[0]!.fileUrl).pathname.split('/').pop()!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the HLS file exactly as on disk, from the cache once hot', async () => {
    await expectServedAsOnDisk(publicPath(), join(hlsRoot(), uuid, fileName));
  });

  it('refuses a video made private through its old public URL, and gates the private one', async () => {
    await setPrivacy(3); // private
    expect((await get(publicPath(), { range: 'bytes=0-99' })).status).toBe(404);
    expect((await get(publicPath())).status).toBe(404);
    expect((await get(privatePath(), { range: 'bytes=0-99' })).status).toBe(403);
    expect((await get(privatePath(), { range: 'bytes=0-99' }, 'not-a-token')).status).toBe(401);
    await expectServedAsOnDisk(privatePath(), join(hlsRoot(), 'private', uuid, fileName), t.rootToken);
    // nothing cached meanwhile opens it
    expect((await get(publicPath(), { range: 'bytes=0-99' })).status).toBe(404);
    expect((await get(privatePath(), { range: 'bytes=0-99' })).status).toBe(403);

    await setPrivacy(1);
    expect((await get(privatePath(), { range: 'bytes=0-99' }, t.rootToken)).status).toBe(404);
    await expectServedAsOnDisk(publicPath(), join(hlsRoot(), uuid, fileName));
  });

  it('serves the new bytes of a file re-transcoded at the same path', async () => {
    const onDisk = join(hlsRoot(), uuid, fileName);
    const before = await stat(onDisk);
    const etagBefore = (await get(publicPath(), { range: 'bytes=0-99' })).etag;
    const res = await t.api(`/api/v1/videos/${uuid}/transcoding`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transcodingType: 'hls', forceTranscoding: true }),
    });
    expect(res.status).toBe(204);
    await waitFor(
      're-transcoded file',
      async () => {
        const now = await stat(onDisk).catch(() => undefined);
        return now && (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs) ? true : undefined;
      },
      90_000,
      100,
    );
    await t.waitForPublished(uuid);
    await expectServedAsOnDisk(publicPath(), onDisk);
    const after = await get(publicPath(), { range: 'bytes=0-99' });
    expect(after.etag).not.toBe(etagBefore);
  });
});
