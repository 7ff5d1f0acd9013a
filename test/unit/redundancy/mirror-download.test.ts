import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  captureInitSection,
  createTokenBucket,
  declaredTooLarge,
  httpErrorOf,
  isRetryable,
  memorySink,
  openBatchedFileWriter,
  pinKey,
  rangeValidatorOf,
  StopTransfer,
  transferBody,
  unaskedEncoding,
  type BodySink,
  type BodyTransferOptions,
} from '../../../src/redundancy/mirror/index.js';
import { parseResponseHead, poolKeyOf } from '../../../src/net/index.js';
import { virtualTime } from '../../support/virtual-time.js';

const HREF = 'https://origin.example/f.mp4';

describe("checks of an answer's head", () => {
  it('httpErrorOf keeps Retry-After as sent', () => {
    expect(httpErrorOf(503, HREF, { 'retry-after': '120' })).toEqual({ type: 'http-error', status: 503, message: `${HREF} answered 503`, retryAfter: '120' });
    expect(httpErrorOf(404, HREF, {})).toEqual({ type: 'http-error', status: 404, message: `${HREF} answered 404` });
  });

  it.each([
    [undefined, true],
    ['identity', true],
    [' Identity ', true],
    ['', true],
    ['gzip', false],
    ['br', false],
  ])('Content-Encoding %j accepted: %s', (encoding, accepted) => {
    const failure = unaskedEncoding(HREF, encoding === undefined ? {} : { 'content-encoding': encoding });
    if (accepted) expect(failure).toBeUndefined();
    else expect(failure).toMatchObject({ type: 'network' });
  });

  it.each([
    [undefined, undefined],
    ['100', undefined],
    ['101', 'too-large'],
    ['not a number', undefined],
  ])('Content-Length %j against a 100-byte limit → %s', (length, type) => {
    const failure = declaredTooLarge(HREF, length === undefined ? {} : { 'content-length': length }, 100);
    expect(failure?.type).toBe(type);
  });

  it('If-Range uses a strong ETag, else Last-Modified', () => {
    expect(rangeValidatorOf({ etag: '"abc"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe('"abc"');
    expect(rangeValidatorOf({ etag: 'W/"abc"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
    expect(rangeValidatorOf({ etag: 'W/"abc"' })).toBeUndefined();
  });

  it('only network failures and time-outs are retried', () => {
    expect(isRetryable({ type: 'network', message: '' })).toBe(true);
    expect(isRetryable({ type: 'timeout', phase: 'response', message: '' })).toBe(true);
    expect(isRetryable({ type: 'http-error', status: 500, message: '' })).toBe(false);
    expect(isRetryable({ type: 'rejected', message: '' })).toBe(false);
  });
});

describe('pinned keep-alive agents', () => {
  it('pinKey: the same address set in any order gives the same key, another set another key', () => {
    const a = { address: '203.0.113.5', family: 4 as const };
    const b = { address: '2001:db8::5', family: 6 as const };
    expect(pinKey([a, b])).toBe(pinKey([b, a]));
    expect(pinKey([a])).not.toBe(pinKey([a, b]));
    expect(pinKey([a])).not.toBe(pinKey([{ address: '203.0.113.6', family: 4 }]));
  });

  it('pools by scheme, host, port and vetted addresses', () => {
    const a = [{ address: '203.0.113.5', family: 4 as const }];
    const b = [{ address: '203.0.113.6', family: 4 as const }];
    for (const protocol of ['http:', 'https:']) {
      const url = new URL(`${protocol}//origin.example:8443/f.mp4`);
      const one = poolKeyOf(url, a);
      expect(one).toContain('origin.example:8443');
      expect(one).not.toBe(poolKeyOf(url, b));
      expect(one).not.toBe(poolKeyOf(new URL(`${protocol}//origin.example:8444/f.mp4`), a));
      expect(one).toBe(poolKeyOf(new URL(`${protocol}//origin.example:8443/g.mp4`), a));
    }
    expect(poolKeyOf(new URL('http://o.example/'), a)).not.toBe(poolKeyOf(new URL('https://o.example/'), a));
  });

  it('reads an answer head: status, lower-case names, repeats joined, keep-alive; refuses two Content-Lengths', () => {
    expect(parseResponseHead('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/20\r\nVia: a\r\nVia: b')).toEqual({
      status: 206,
      headers: { 'content-range': 'bytes 0-9/20', via: 'a, b' },
      keepAlive: true,
    });
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: close')?.keepAlive).toBe(false);
    expect(parseResponseHead('HTTP/1.0 200 OK')?.keepAlive).toBe(false);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6')).toBeUndefined();
    expect(parseResponseHead('ICY 200 OK')).toBeUndefined();
  });
});

/** An answer whose body the test writes; `complete` as the HTTP parser would set it at the body's end. */
function fakeAnswer() {
  const stream = new PassThrough();
  const res = stream as unknown as IncomingMessage & { complete: boolean };
  res.complete = false;
  return {
    res,
    send: (...chunks: Buffer[]) => {
      for (const chunk of chunks) stream.write(chunk);
    },
    end: () => {
      res.complete = true;
      stream.end();
    },
    cut: () => stream.end(),
  };
}

const options = (overrides: Partial<BodyTransferOptions> = {}): BodyTransferOptions => ({
  start: 0,
  maxBytes: 1e9,
  onBytes: () => undefined,
  signal: new AbortController().signal,
  idleMs: 10_000,
  ...overrides,
});

describe('transferBody', () => {
  const data = randomBytes(10_000);
  const parts = [data.subarray(0, 3000), data.subarray(3000, 7000), data.subarray(7000)];

  it('passes every chunk to the observer at its offset, then to the sink; counts the bytes', async () => {
    const answer = fakeAnswer();
    const sink = memorySink();
    const seen: [number, number][] = [];
    let counted = 0;
    const done = transferBody(answer.res, sink, {
      ...options({ start: 500, onBytes: (n) => (counted += n) }),
      observer: { restart: () => undefined, update: (chunk, offset) => (seen.push([offset, chunk.length]), { ok: true }) },
    });
    answer.send(...parts);
    answer.end();
    expect(await done).toEqual({ ok: true, position: 10_500 });
    expect(sink.body().equals(data)).toBe(true);
    expect(seen).toEqual([
      [500, 3000],
      [3500, 4000],
      [7500, 3000],
    ]);
    expect(counted).toBe(10_000);
  });

  it('the observer refuses a chunk: it never reaches the sink, the answer is destroyed', async () => {
    const answer = fakeAnswer();
    const sink = memorySink();
    const done = transferBody(answer.res, sink, {
      ...options(),
      observer: { restart: () => undefined, update: (_chunk, offset) => (offset >= 3000 ? { ok: false, message: 'bad range' } : { ok: true }) },
    });
    answer.send(...parts);
    const end = await done;
    expect(end).toMatchObject({ ok: false, position: 3000 });
    expect(!end.ok && end.error instanceof StopTransfer && end.error.reason).toEqual({ type: 'rejected', message: 'bad range' });
    expect(sink.body().length).toBe(3000);
    expect(answer.res.destroyed).toBe(true);
  });

  it('the size cap counts from the start offset', async () => {
    const answer = fakeAnswer();
    const done = transferBody(answer.res, memorySink(), options({ start: 1000, maxBytes: 5000 }));
    answer.send(...parts);
    const end = await done;
    expect(end).toMatchObject({ ok: false, position: 4000 });
    expect(!end.ok && end.error instanceof StopTransfer && end.error.reason.type).toBe('too-large');
  });

  it('a body cut before its end is a failure, not a short success', async () => {
    const answer = fakeAnswer();
    const done = transferBody(answer.res, memorySink(), options());
    answer.send(parts[0]!);
    answer.cut();
    expect(await done).toMatchObject({ ok: false, position: 3000, idle: false });
  });

  it('nothing for idleMs → the idle time-out; time the sink holds the body back does not count', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const silent = fakeAnswer();
      const timedOut = transferBody(silent.res, memorySink(), options({ idleMs: 50 }));
      await vi.advanceTimersByTimeAsync(60);
      expect(await timedOut).toMatchObject({ ok: false, idle: true });

      const answer = fakeAnswer();
      let release = () => undefined as void;
      const slow: BodySink = {
        push: () => false,
        drained: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      };
      let settled = false;
      const done = transferBody(answer.res, slow, options({ idleMs: 50 })).finally(() => (settled = true));
      answer.send(parts[0]!);
      await vi.advanceTimersByTimeAsync(200); // four idle periods while the sink holds the body back
      expect(settled).toBe(false);
      answer.end();
      release();
      expect(await done).toEqual({ ok: true, position: 3000 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('the bandwidth cap holds the body for (bytes − burst) / rate', async () => {
    const { clock, waits, timer } = virtualTime();
    const bucket = createTokenBucket({ bytesPerSecond: 1000, burstBytes: 4000, clock, timer });
    const answer = fakeAnswer();
    const done = transferBody(answer.res, memorySink(), options({ throttle: { bucket, timer } }));
    answer.send(...parts);
    answer.end();
    expect(await done).toEqual({ ok: true, position: 10_000 });
    expect(waits.reduce((a, b) => a + b, 0)).toBe(6000);
  });
});

describe('openBatchedFileWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-batched-writer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the chunks in order at the start offset of a partial file; asks to wait while a batch is in flight and the next is full', async () => {
    const path = join(dir, 'partial');
    const prefix = randomBytes(1000);
    await writeFile(path, prefix);
    const writer = await openBatchedFileWriter(path, 1000, 4096);
    const chunks = Array.from({ length: 40 }, () => randomBytes(1000));
    let waited = 0;
    for (const chunk of chunks) {
      if (!writer.push(chunk)) {
        waited++;
        await writer.drained();
      }
    }
    expect(await writer.close()).toBeUndefined();
    expect((await readFile(path)).equals(Buffer.concat([prefix, ...chunks]))).toBe(true);
    expect(waited).toBeGreaterThan(0); // backpressure happened (a write takes longer than four pushes)
  });

  it('a new file from 0 replaces what was there', async () => {
    const path = join(dir, 'fresh');
    await writeFile(path, randomBytes(5000));
    const writer = await openBatchedFileWriter(path, 0);
    writer.push(Buffer.from('abc'));
    expect(await writer.close()).toBeUndefined();
    expect(await readFile(path, 'utf8')).toBe('abc');
  });

  it('a disk error is returned by close(), and push() asks to stop', async () => {
    // /dev/full: every write fails with ENOSPC
    const writer = await openBatchedFileWriter('/dev/full', 1, 1024);
    expect(writer.push(randomBytes(2048))).toBe(true);
    await expect(writer.drained()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(writer.push(randomBytes(10))).toBe(false);
    expect(await writer.close()).toMatchObject({ code: 'ENOSPC' });
  });
});

describe('captureInitSection', () => {
  const box = (type: string, size: number) => {
    const b = Buffer.alloc(size);
    b.writeUInt32BE(size, 0);
    b.write(type, 4, 'latin1');
    return b;
  };
  const init = Buffer.concat([box('ftyp', 24), box('moov', 100)]);
  const file = Buffer.concat([init, box('moof', 50), box('mdat', 500)]);

  it('checks the first bytes as they stream, across chunk borders and after a restart', () => {
    const capture = captureInitSection(init.length);
    capture.update(Buffer.from('garbage that a restart throws away'), 0);
    capture.restart();
    for (let offset = 0; offset < file.length; offset += 7) capture.update(file.subarray(offset, offset + 7), offset);
    expect(capture.check()).toEqual({ ok: true, boxes: ['ftyp', 'moov'] });
  });

  it('a file shorter than its init section, and an implausible size, are refused', () => {
    const short = captureInitSection(init.length);
    short.update(init.subarray(0, 50), 0);
    expect(short.check()).toMatchObject({ ok: false, message: expect.stringContaining('50 of 124') });
    expect(captureInitSection(64 * 1024 * 1024).check()).toMatchObject({ ok: false, message: expect.stringContaining('implausible') });
  });
});
