import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';

type Video = { uuid: string; isLocal: boolean; thumbnailPath: string | null; previewPath: string | null };

describe('remote thumbnails and previews are served under /lazy-static/ (B and C follow A)', () => {
  let a: TestInstance;
  let b: TestInstance;
  let c: TestInstance;
  let origin: Video;
  let thumbnail: Buffer;
  let preview: Buffer;

  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;
  const bytes = async (t: TestInstance, path: string) => {
    const res = await fetch(`${t.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };
  const cacheDir = (t: TestInstance) => join(t.config.storage.cache, 'remote-images');
  const cached = async (t: TestInstance) => {
    const names = (await readdir(cacheDir(t))).filter((n) => !n.startsWith('.'));
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(cacheDir(t), n))).size));
    return { names, total: sizes.reduce((s, n) => s + n, 0) };
  };
  const follow = async (from: TestInstance) => {
    const res = await from.api('/api/v1/server/following', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [hostOf(a)] }) });
    expect(res.status).toBe(204);
  };
  const remoteCopy = (on: TestInstance) =>
    waitFor(`A's video on ${hostOf(on)}`, async () => {
      const res = await on.api(`/api/v1/videos/${origin.uuid}`);
      return res.ok ? ((await res.json()) as Video) : undefined;
    }, 60_000);

  beforeAll(async () => {
    a = await startTestInstance({ db: 'postgres', overrides: { transcoding: { enabled: false } } });
    const up = await a.uploadMultipart(await generatedClip(), { name: 'with images', channelId: '1', privacy: '1' });
    expect(up.status).toBe(200);
    const { video } = (await up.json()) as { video: { uuid: string } };
    origin = await a.json<Video>(`/api/v1/videos/${video.uuid}`);
    thumbnail = (await bytes(a, origin.thumbnailPath!)).body;
    preview = (await bytes(a, origin.previewPath!)).body;
    expect(thumbnail.length).toBeGreaterThan(100);
    expect(preview.length).toBeGreaterThan(thumbnail.length);
    [b, c] = await Promise.all([
      // B's cache holds the preview or the thumbnail, never both
      startTestInstance({ db: 'embedded', overrides: { cache: { remote_images: { size: preview.length + thumbnail.length - 1 } } } }),
      // C takes A's thumbnail but refuses its (larger) preview
      startTestInstance({ db: 'postgres', overrides: { cache: { remote_images: { max_file_size: preview.length - 1 } } } }),
    ]);
    await Promise.all([follow(b), follow(c)]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => i.stop()));
  });

  it('B lists thumbnailPath and previewPath for the remote video, and serves the bytes A serves', async () => {
    const copy = await remoteCopy(b);
    expect(copy.isLocal).toBe(false);
    expect(copy.thumbnailPath).toMatch(/^\/lazy-static\/thumbnails\/[0-9a-f]{32}\.jpg$/);
    expect(copy.previewPath).toMatch(/^\/lazy-static\/previews\/[0-9a-f]{32}\.jpg$/);
    const listed = await b.json<{ data: Video[] }>('/api/v1/videos');
    expect(listed.data.find((v) => v.uuid === origin.uuid)).toMatchObject({ thumbnailPath: copy.thumbnailPath, previewPath: copy.previewPath });

    expect(await cached(b)).toEqual({ names: [], total: 0 });
    // concurrent first requests: all get the same bytes
    const first = await Promise.all([1, 2, 3].map(() => bytes(b, copy.thumbnailPath!)));
    for (const r of first) {
      expect(r.status).toBe(200);
      expect(r.type).toBe('image/jpeg');
      expect(r.body.equals(thumbnail)).toBe(true);
    }
    const p = await bytes(b, copy.previewPath!);
    expect(p.status).toBe(200);
    expect(p.body.equals(preview)).toBe(true);
    const head = await fetch(`${b.url}${copy.previewPath!}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(preview.length);
  });

  it('B\'s cache stays within cache.remote_images.size (least recently used evicted), and an evicted image is fetched again', async () => {
    const copy = await remoteCopy(b);
    const bound = preview.length + thumbnail.length - 1;
    const after = await cached(b);
    expect(after.total).toBeLessThanOrEqual(bound);
    expect(after.names).toEqual([copy.previewPath!.split('/').pop()]);
    const again = await bytes(b, copy.thumbnailPath!);
    expect(again.body.equals(thumbnail)).toBe(true);
    expect((await cached(b)).names).toEqual([copy.thumbnailPath!.split('/').pop()]);
  });

  it('C refuses an image larger than cache.remote_images.max_file_size: 404, not cached (a smaller one is served)', async () => {
    const copy = await remoteCopy(c);
    expect(copy.previewPath).not.toBeNull();
    expect((await bytes(c, copy.previewPath!)).status).toBe(404);
    expect((await bytes(c, copy.previewPath!)).status).toBe(404);
    expect((await cached(c)).names).toEqual([]);
    const small = await bytes(c, copy.thumbnailPath!);
    expect(small.status).toBe(200);
    expect(small.body.equals(thumbnail)).toBe(true);
    expect((await cached(c)).names).toEqual([copy.thumbnailPath!.split('/').pop()]);
  });

  it('unknown names answer 404; our own images are still served from their folders', async () => {
    expect((await bytes(b, `/lazy-static/thumbnails/${'0'.repeat(32)}.jpg`)).status).toBe(404);
    expect((await bytes(b, `/lazy-static/avatars/${'0'.repeat(32)}.jpg`)).status).toBe(404);
    expect((await bytes(a, origin.thumbnailPath!)).body.equals(thumbnail)).toBe(true);
  });
});
