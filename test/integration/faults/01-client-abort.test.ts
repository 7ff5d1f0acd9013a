import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { generatedClip } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { abortedRequest, filesUnder, healthy, multipartBody, uploadRows } from './fault-support.js';

// Issue 10, item 1: a client that disconnects at any point of either upload protocol costs
// nothing but that upload: the process lives on, and no file or row is left behind.
describe('faults: client aborts mid-upload (embedded database)', () => {
  let t: TestInstance;
  let clip: Buffer;
  beforeAll(async () => {
    t = await startTestInstance({ db: 'embedded', overrides: { transcoding: { enabled: false } } });
    clip = readFileSync(await generatedClip({ seconds: 3 }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  const root = () => t.config.storage.root;
  const settled = async (expected: string[]) =>
    waitFor('the aborted upload to be cleaned up', async () => {
      const files = await filesUnder(root());
      return JSON.stringify(files) === JSON.stringify(expected) ? files : undefined;
    }, 20_000, 50);

  it('multipart: aborts in the fields, at the start, middle and end of the file leave no file, no row, a live process', async () => {
    const before = await filesUnder(root());
    const rowsBefore = await uploadRows(t.instance);
    const { body, contentType } = multipartBody({ name: 'aborted upload', channelId: '1' }, { field: 'videofile', name: 'clip.mp4', bytes: clip });
    const fileStart = body.indexOf(clip.subarray(0, 64));
    for (const sent of [40, fileStart + 10, fileStart + Math.floor(clip.length / 2), body.length - 3]) {
      await abortedRequest({
        url: `${t.url}/api/v1/videos/upload`,
        method: 'POST',
        headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': contentType },
        body,
        sent,
      });
      expect(await healthy(t.url)).toBe(true);
    }
    await settled(before);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);

    // the next upload works as usual
    const ok = await t.uploadMultipart(await generatedClip({ seconds: 3 }), { name: 'after the aborts', channelId: '1' });
    expect(ok.status).toBe(200);
    expect((await uploadRows(t.instance)).videos).toBe(rowsBefore.videos! + 1);
  });

  it('resumable: an abort during init leaves no session; an abort mid-chunk keeps only the bytes written, and a cancel leaves nothing', async () => {
    const before = await filesUnder(root());
    const rowsBefore = await uploadRows(t.instance);
    const init = Buffer.from(JSON.stringify({ name: 'aborted resumable', channelId: 1, filename: 'clip.mp4' }));
    await abortedRequest({
      url: `${t.url}/api/v1/videos/upload-resumable`,
      method: 'POST',
      headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/json', 'x-upload-content-length': String(clip.length) },
      body: init,
      sent: 10,
    });
    expect(await healthy(t.url)).toBe(true);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);

    const created = await t.api('/api/v1/videos/upload-resumable', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-length': String(clip.length) },
      body: init,
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    await abortedRequest({
      url: `${t.url}${location}`,
      method: 'PUT',
      headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'application/octet-stream', 'content-range': `bytes 0-${clip.length - 1}/${clip.length}` },
      body: clip,
      sent: Math.floor(clip.length / 2),
    });
    expect(await healthy(t.url)).toBe(true);
    const status = await waitFor('the aborted chunk to be recorded', async () => {
      const res = await t.api(location, { method: 'PUT', headers: { 'content-range': `bytes */${clip.length}` } });
      return res.status === 308 ? res : undefined;
    });
    const range = status.headers.get('range');
    const received = range ? Number(/bytes=0-(\d+)/.exec(range)![1]) + 1 : 0;
    expect(received).toBeLessThanOrEqual(Math.floor(clip.length / 2));
    expect((await uploadRows(t.instance)).videos).toBe(rowsBefore.videos);

    const cancelled = await t.api(location, { method: 'DELETE' });
    expect(cancelled.status).toBe(204);
    await settled(before);
    expect(await uploadRows(t.instance)).toEqual(rowsBefore);
  });
});
