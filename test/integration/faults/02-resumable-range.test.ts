import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { filesUnder, healthy, sendBody, sizeOf, uploadRows } from './fault-support.js';

const MAX_FILE_SIZE = 1024 * 1024;

// Issue 10, item 2: a resumable chunk writes exactly the bytes its Content-Range names; the total
// never exceeds the announced length or uploads.max_file_size; the quota is charged on the real size.
describe('faults: resumable chunks held to their Content-Range (embedded database)', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false }, uploads: { max_file_size: MAX_FILE_SIZE } } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const init = async (size: number) => {
    const res = await t.api('/api/v1/videos/upload-resumable', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(size) },
      body: JSON.stringify({ name: 'ranged', channelId: 1, filename: 'clip.mp4' }),
    });
    return { status: res.status, location: res.headers.get('location') ?? '', id: /upload_id=([a-f0-9]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '' };
  };
  const put = (location: string, range: string, body: Buffer, contentLength?: boolean) =>
    sendBody({
      url: `${t.url}${location}`,
      method: 'PUT',
      headers: {
        authorization: `Bearer ${t.rootToken}`,
        'content-type': 'application/octet-stream',
        'content-range': range,
        ...(contentLength ? { 'content-length': String(body.length) } : {}),
      },
      body,
    });
  const receivedOf = async (location: string, size: number) => {
    const res = await t.api(location, { method: 'PUT', headers: { 'content-range': `bytes */${size}` } });
    expect(res.status).toBe(308);
    const range = res.headers.get('range');
    return range ? Number(/bytes=0-(\d+)/.exec(range)![1]) + 1 : 0;
  };

  it('a 20 MiB body sent as "bytes 0-99/100000" is refused with 409 and writes at most those 100 bytes', async () => {
    const before = await filesUnder(t.config.storage.root);
    const rowsBefore = await uploadRows(t.instance);
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    const { status, location, id } = await init(100_000);
    expect(status).toBe(201);
    for (const withLength of [false, true]) {
      const res = await put(location, 'bytes 0-99/100000', big, withLength);
      expect(res?.status).toBe(409);
      expect(await sizeOf(join(t.instance.layout.resumableTmp, id))).toBeLessThanOrEqual(100);
      expect(await receivedOf(location, 100_000)).toBe(0);
      expect(await healthy(t.url)).toBe(true);
    }
    // the right chunk is still accepted
    const good = await put(location, 'bytes 0-99/100000', big.subarray(0, 100));
    expect(good?.status).toBe(308);
    expect(await receivedOf(location, 100_000)).toBe(100);

    expect((await t.api(location, { method: 'DELETE' })).status).toBe(204);
    expect(await filesUnder(t.config.storage.root)).toEqual(before);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);
  });

  it('announcing a small size and sending a large file never passes the announced size nor uploads.max_file_size', async () => {
    const before = await filesUnder(t.config.storage.root);
    const rowsBefore = await uploadRows(t.instance);
    const big = Buffer.alloc(3 * MAX_FILE_SIZE, 1);
    const { location, id } = await init(1000);
    // a chunk that says 1000 bytes but carries 3 MiB
    expect((await put(location, 'bytes 0-999/1000', big))?.status).toBe(409);
    expect(await sizeOf(join(t.instance.layout.resumableTmp, id))).toBeLessThanOrEqual(1000);
    // a range beyond the announced length
    expect((await put(location, `bytes 0-${big.length - 1}/${big.length}`, big))?.status).toBe(400);
    expect((await put(location, 'bytes 0-1999/1000', big.subarray(0, 2000)))?.status).toBe(400);
    expect(await sizeOf(join(t.instance.layout.resumableTmp, id))).toBeLessThanOrEqual(1000);
    expect(await receivedOf(location, 1000)).toBe(0);
    // announcing more than the limit is refused up front
    const tooBig = await init(MAX_FILE_SIZE + 1);
    expect(tooBig.status).toBe(413);
    expect(await healthy(t.url)).toBe(true);

    expect((await t.api(location, { method: 'DELETE' })).status).toBe(204);
    expect(await filesUnder(t.config.storage.root)).toEqual(before);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);
  });

  it('the quota is charged on the real size of the file', async () => {
    const clip = readFileSync(await generatedClip({ seconds: 2 }));
    const { location } = await init(clip.length);
    const first = await put(location, `bytes 0-${clip.length - 1001}/${clip.length}`, clip.subarray(0, clip.length - 1000));
    expect(first?.status).toBe(308);
    // the last chunk sent with a few extra bytes is refused, then sent right
    expect((await put(location, `bytes ${clip.length - 1000}-${clip.length - 1}/${clip.length}`, Buffer.concat([clip.subarray(clip.length - 1000), Buffer.alloc(5000)])))?.status).toBe(409);
    const done = await put(location, `bytes ${clip.length - 1000}-${clip.length - 1}/${clip.length}`, clip.subarray(clip.length - 1000));
    expect(done?.status).toBe(200);
    const used = await t.json<{ videoQuotaUsed: number }>('/api/v1/users/me/video-quota-used');
    expect(used.videoQuotaUsed).toBe(clip.length);
    const files = await t.instance.prisma.videoFile.findMany();
    expect(files.map((f) => Number(f.size))).toEqual([clip.length]);
    expect(await sizeOf(t.instance.layout.webVideo(files[0]!.filename))).toBe(clip.length);
    expect(await t.instance.prisma.quotaReservation.count()).toBe(0);
  });
});
