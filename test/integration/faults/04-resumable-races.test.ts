import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { filesUnder, healthy, openRequest, sendBody, sizeOf, uploadRows } from './fault-support.js';

// Issue 10, item 4: a DELETE while a chunk streams, or two last chunks at once, answer PeerTube's
// status codes (204/404/409/503…), never 500; exactly one video or none, nothing left behind.
describe('faults: resumable upload races (embedded database)', () => {
  let t: TestInstance;
  let clip: Buffer;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    clip = readFileSync(await generatedClip({ seconds: 3 }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  const init = async () => {
    const res = await t.api('/api/v1/videos/upload-resumable', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(clip.length) },
      body: JSON.stringify({ name: 'raced upload', channelId: 1, filename: 'clip.mp4' }),
    });
    expect(res.status).toBe(201);
    const location = res.headers.get('location')!;
    return { location, file: join(t.instance.layout.resumableTmp, /upload_id=([a-f0-9]+)/.exec(location)![1]!) };
  };
  const chunkHeaders = (range: string) => ({ authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/octet-stream', 'content-range': range });
  const whole = () => `bytes 0-${clip.length - 1}/${clip.length}`;

  it('a DELETE while a chunk is streaming: 204 for the DELETE, 404 for the chunk, no session, no file, no video', async () => {
    const before = await filesUnder(t.config.storage.root);
    const rowsBefore = await uploadRows(t.instance);
    const { location, file } = await init();
    const streaming = openRequest({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(whole()) });
    await streaming.write(clip.subarray(0, 64 * 1024));
    await waitFor('the first bytes to reach the disk', async () => ((await sizeOf(file)) > 0 ? true : undefined), 20_000, 20);

    const deleted = await t.api(location, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    await streaming.write(clip.subarray(64 * 1024));
    streaming.end();
    const answer = await streaming.response;
    expect(answer?.status).toBe(404);

    expect((await t.api(location, { method: 'PUT', headers: { 'content-range': `bytes */${clip.length}` } })).status).toBe(404);
    expect((await t.api(location, { method: 'DELETE' })).status).toBe(404);
    expect(await healthy(t.url)).toBe(true);
    expect(await filesUnder(t.config.storage.root)).toEqual(before);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);
  });

  it('two last chunks at once: one video; the other answers 409 while the first streams, then the same video', async () => {
    const rowsBefore = await uploadRows(t.instance);
    const { location, file } = await init();
    const cut = clip.length - 4096;
    const first = await sendBody({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(`bytes 0-${cut - 1}/${clip.length}`), body: clip.subarray(0, cut) });
    expect(first?.status).toBe(308);

    const lastRange = `bytes ${cut}-${clip.length - 1}/${clip.length}`;
    const one = openRequest({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(lastRange) });
    await one.write(clip.subarray(cut));
    await waitFor('the last chunk to be on disk', async () => ((await sizeOf(file)) === clip.length ? true : undefined), 20_000, 20);
    // the first last chunk has all its bytes but has not ended: a second one is a conflict
    const two = await sendBody({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(lastRange), body: clip.subarray(cut) });
    expect(two?.status).toBe(409);
    one.end();
    const answer = await one.response;
    expect(answer?.status).toBe(200);
    const video = (JSON.parse(answer!.text) as { video: { uuid: string } }).video;

    // sent again after completion: the same video, not a second one
    const again = await sendBody({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(lastRange), body: clip.subarray(cut) });
    expect(again?.status).toBe(200);
    expect((JSON.parse(again!.text) as { video: { uuid: string } }).video.uuid).toBe(video.uuid);
    // too late to cancel
    expect((await t.api(location, { method: 'DELETE' })).status).toBe(404);

    const rows = await uploadRows(t.instance);
    expect(rows.videos).toBe(rowsBefore.videos! + 1);
    expect(await t.instance.prisma.video.count({ where: { uuid: video.uuid } })).toBe(1);
    expect(await filesUnder(t.instance.layout.resumableTmp)).toEqual([]);
    expect(await t.instance.prisma.quotaReservation.count()).toBe(0);
    expect(await healthy(t.url)).toBe(true);
  });

  it('last chunks sent in parallel: every answer is 200, 409 or 503 (with Retry-After), and exactly one video exists', async () => {
    const rowsBefore = await uploadRows(t.instance);
    const { location } = await init();
    const cut = clip.length - 4096;
    expect((await sendBody({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(`bytes 0-${cut - 1}/${clip.length}`), body: clip.subarray(0, cut) }))?.status).toBe(308);
    const lastRange = `bytes ${cut}-${clip.length - 1}/${clip.length}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => sendBody({ url: `${t.url}${location}`, method: 'PUT', headers: chunkHeaders(lastRange), body: clip.subarray(cut) })),
    );
    const statuses = answers.map((a) => a?.status);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 503)).toBe(true);
    expect(statuses).toContain(200);
    for (const a of answers) if (a?.status === 503) expect(a.headers['retry-after']).toBe('300');
    const uuids = new Set(answers.filter((a) => a?.status === 200).map((a) => (JSON.parse(a!.text) as { video: { uuid: string } }).video.uuid));
    expect(uuids.size).toBe(1);
    expect((await uploadRows(t.instance)).videos).toBe(rowsBefore.videos! + 1);
    expect(await filesUnder(t.instance.layout.resumableTmp)).toEqual([]);
    expect(await healthy(t.url)).toBe(true);
  });
});
