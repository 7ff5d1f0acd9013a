import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createHttpDownloader, type HttpDownloader } from '../../../src/redundancy/mirror/index.js';

// The downloader's transport (src/net/lean-http.ts) against node's own HTTP server: framing
// (Content-Length, chunked, close-delimited), ranges, redirects, kept-alive connections.
const FILE = randomBytes(3 * 1024 * 1024 + 17);
let server: Server;
let base: string;
let connections = 0;
let dir: string;
let downloader: HttpDownloader;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-lean-'));
  server = createServer((req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part, ');
      setTimeout(() => res.end('second part'), 20);
    } else if (req.url === '/close') {
      res.writeHead(200, { connection: 'close' });
      res.end('until the connection closes');
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/file' });
      res.end();
    } else if (req.url === '/file') {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = range ? Number(range[1]) : 0;
      if (from >= FILE.length) {
        res.writeHead(416, { 'content-range': `bytes */${FILE.length}` });
        res.end();
        return;
      }
      res.writeHead(range ? 206 : 200, {
        'content-length': String(FILE.length - from),
        ...(range ? { 'content-range': `bytes ${from}-${FILE.length - 1}/${FILE.length}` } : {}),
        etag: '"v1"',
      });
      res.end(FILE.subarray(from));
    } else {
      res.writeHead(404, { 'content-length': '9' });
      res.end('not found');
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  downloader = createHttpDownloader({ allowPrivateAddresses: true, concurrency: 2, bytesPerSecond: 0, timeoutMs: 5000, clock: systemClock, userAgent: 'test' });
});

afterAll(async () => {
  downloader.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('the lean transport under the downloader', () => {
  it('reads chunked and close-delimited documents', async () => {
    const chunked = await downloader.fetchDocument(`${base}/chunked`, { maxBytes: 1000 });
    expect(chunked.ok && chunked.body.toString()).toBe('first part, second part');
    const closed = await downloader.fetchDocument(`${base}/close`, { maxBytes: 1000 });
    expect(closed.ok && closed.body.toString()).toBe('until the connection closes');
    const missing = await downloader.fetchDocument(`${base}/nothing`, { maxBytes: 1000 });
    expect(missing).toMatchObject({ ok: false, reason: { type: 'http-error', status: 404 } });
  });

  it('downloads a file whole, through a redirect, and resumes a partial one; kept-alive connections are reused', async () => {
    const before = connections;
    const whole = join(dir, 'whole.bin');
    expect(await downloader.downloadFile(`${base}/file`, whole, { maxBytes: 10 * 1024 * 1024 })).toMatchObject({ ok: true, size: FILE.length, resumedFrom: 0 });
    expect((await readFile(whole)).equals(FILE)).toBe(true);
    const redirected = join(dir, 'redirected.bin');
    expect(await downloader.downloadFile(`${base}/redirect`, redirected, { maxBytes: 10 * 1024 * 1024 })).toMatchObject({ ok: true, size: FILE.length });
    expect((await readFile(redirected)).equals(FILE)).toBe(true);
    const partial = join(dir, 'partial.bin');
    await writeFile(partial, FILE.subarray(0, 1000));
    expect(await downloader.downloadFile(`${base}/file`, partial, { maxBytes: 10 * 1024 * 1024 })).toMatchObject({ ok: true, size: FILE.length, resumedFrom: 1000 });
    expect((await readFile(partial)).equals(FILE)).toBe(true);
    // the 416 answer of a complete file
    expect(await downloader.downloadFile(`${base}/file`, partial, { maxBytes: 10 * 1024 * 1024 })).toMatchObject({ ok: true, size: FILE.length, resumedFrom: FILE.length });
    // the 302 answer is dropped with its connection; every other request reused one
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it('refuses the size cap and private addresses', async () => {
    expect(await downloader.downloadFile(`${base}/file`, join(dir, 'capped.bin'), { maxBytes: 1000 })).toMatchObject({ ok: false, reason: { type: 'too-large' } });
    const strict = createHttpDownloader({ allowPrivateAddresses: false, concurrency: 1, bytesPerSecond: 0, timeoutMs: 5000, clock: systemClock, userAgent: 'test' });
    try {
      expect(await strict.fetchDocument(`${base}/chunked`, { maxBytes: 1000 })).toMatchObject({ ok: false, reason: { type: 'blocked-address' } });
    } finally {
      strict.close();
    }
  });
});
