import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { sendJson, startServer, type LocalServer } from '../federation-remote/local-servers.js';

const PNG = (fill: number, size: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size, fill)]);
const JPEG = (fill: number, size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(size, fill)]);

type Image = { path: string; width: number };
type RestVideo = {
  uuid: string;
  isLocal: boolean;
  thumbnailPath: string | null;
  previewPath: string | null;
  account: { avatars: Image[] };
  channel: { avatars: Image[] };
};

/**
 * A PeerTube 6.3 origin played by a small server: its real Video object (session-2) and actors,
 * with avatars (PeerTube lists one Image per size in `icon`), rewritten to the server's address.
 */
describe('images of a real PeerTube video and its actors are served by us (embedded database)', () => {
  let t: TestInstance;
  let origin: LocalServer;
  let video: Record<string, unknown>;
  const images = new Map<string, { type: string; body: Buffer }>();

  beforeAll(async () => {
    const docs = new Map<string, unknown>();
    origin = await startServer((req, res) => {
      const path = (req.url ?? '').split('?')[0]!;
      const image = images.get(path);
      if (image) {
        res.writeHead(200, { 'content-type': image.type, 'content-length': image.body.length });
        res.end(image.body);
        return;
      }
      const doc = docs.get(path);
      if (doc) sendJson(res, doc);
      else sendJson(res, { error: 'not found' }, 'application/json', 404);
    });
    const load = (name: string) => JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/session-2/${name}`, 'utf8').replaceAll('http://localhost:9000', origin.base)) as Record<string, unknown>;
    const icon = (path: string, width: number, mediaType = 'image/png') => ({ type: 'Image', url: `${origin.base}${path}`, mediaType, width, height: width });
    const account = { ...load('pt-actor-account-root.json'), icon: [icon('/lazy-static/avatars/root-48.png', 48), icon('/lazy-static/avatars/root-120.png', 120)] };
    const channel = { ...load('pt-actor-channel-root_channel.json'), icon: [icon('/lazy-static/avatars/channel-120.jpg', 120, 'image/jpeg')] };
    video = load('pt-video-ap-08-after-transcoding.json');
    for (const doc of [account, channel, video] as Record<string, unknown>[]) docs.set(new URL(doc.id as string).pathname, doc);
    images.set('/lazy-static/avatars/root-48.png', { type: 'image/png', body: PNG(1, 300) });
    images.set('/lazy-static/avatars/root-120.png', { type: 'image/png', body: PNG(2, 900) });
    images.set('/lazy-static/avatars/channel-120.jpg', { type: 'image/jpeg', body: JPEG(3, 800) });
    for (const i of video.icon as { url: string }[]) images.set(new URL(i.url).pathname, { type: 'image/jpeg', body: JPEG(images.size + 10, 2000 + images.size) });
    t = await startTestInstance({ db: 'embedded' });
  }); // the suite's timeout (test/vitest.config.ts) bounds it
  afterAll(async () => {
    await t?.stop();
    await origin?.close();
  });

  const bytes = async (path: string) => {
    const res = await fetch(`${t.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  it('the imported video lists thumbnailPath, previewPath and the avatars of its account and channel, each serving the origin\'s bytes', async () => {
    const search = await t.json<{ total: number; data: { uuid: string }[] }>(`/api/v1/search/videos?search=${encodeURIComponent(video.id as string)}`);
    expect(search.total).toBe(1);
    const v = await t.json<RestVideo>(`/api/v1/videos/${search.data[0]!.uuid}`);
    expect(v.isLocal).toBe(false);
    expect(v.account.avatars).toEqual([expect.objectContaining({ width: 120, path: expect.stringMatching(/^\/lazy-static\/avatars\/[0-9a-f]{32}\.png$/) })]);
    expect(v.channel.avatars).toEqual([expect.objectContaining({ width: 120, path: expect.stringMatching(/^\/lazy-static\/avatars\/[0-9a-f]{32}\.jpg$/) })]);

    const [thumbnailUrl, previewUrl] = (video.icon as { url: string }[]).map((i) => new URL(i.url).pathname);
    const expected: [string | null, string][] = [
      [v.thumbnailPath, thumbnailUrl!],
      [v.previewPath, previewUrl!],
      [v.account.avatars[0]!.path, '/lazy-static/avatars/root-120.png'],
      [v.channel.avatars[0]!.path, '/lazy-static/avatars/channel-120.jpg'],
    ];
    for (const [ours, theirs] of expected) {
      expect(ours).not.toBeNull();
      // first requests at once: every one gets the image
      for (const got of await Promise.all([1, 2, 3, 4].map(() => bytes(ours!)))) {
        expect(got.status, ours!).toBe(200);
        expect(got.type).toBe(images.get(theirs)!.type);
        expect(got.body.equals(images.get(theirs)!.body)).toBe(true);
      }
    }
    // fetched once, then served from the cache: the origin saw one GET per image
    for (const [ours] of expected) expect((await bytes(ours!)).status).toBe(200);
    for (const [, theirs] of expected) expect(origin.received.filter((r) => r.path === theirs)).toHaveLength(1);
  });

  it('an image the origin does not serve answers 404 (a new name for a URL that is gone)', async () => {
    const name = `${'a'.repeat(32)}.png`;
    await t.instance.prisma.remoteImage.create({ data: { filename: name, kind: 'avatars', url: `${origin.base}/lazy-static/avatars/gone.png` } });
    expect((await bytes(`/lazy-static/avatars/${name}`)).status).toBe(404);
    expect(origin.received.filter((r) => r.path === '/lazy-static/avatars/gone.png')).toHaveLength(1);
  });
});
