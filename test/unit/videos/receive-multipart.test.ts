import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { receiveMultipart } from '../../../src/videos/upload/receive-multipart.js';

const BOUNDARY = '----mirrortubetest';
const head = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\ncut\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="videofile"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
);

/** A request whose body is `chunks`, then an error (the client went away) or the end. */
function fakeRequest(chunks: Buffer[], end: 'error' | 'end'): IncomingMessage {
  const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(req, { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
  setImmediate(() => {
    for (const c of chunks) req.write(c);
    setImmediate(() => (end === 'error' ? req.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })) : req.end(Buffer.from(`\r\n--${BOUNDARY}--\r\n`))));
  });
  return req;
}

describe('receiveMultipart', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-multipart-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a client gone mid-file: refused, and the partial file is gone when it answers', async () => {
    for (const sent of [0, 1, 1000, 100_000]) {
      const r = await receiveMultipart(fakeRequest([head, Buffer.alloc(sent, 1)], 'error'), { tmpDir: dir, fileField: 'videofile', maxFileSize: 1 << 30 });
      expect(r).toMatchObject({ ok: false, reason: { type: 'malformed' } });
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('a whole body: the file and the fields', async () => {
    const r = await receiveMultipart(fakeRequest([head, Buffer.alloc(5000, 2)], 'end'), { tmpDir: dir, fileField: 'videofile', maxFileSize: 1 << 30 });
    if (!r.ok) throw new Error(r.reason.message);
    expect(r.fields).toEqual([['name', 'cut']]);
    expect(r.file.size).toBe(5000);
    expect(await readdir(dir)).toHaveLength(1);
  });
});
