import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticRouter, type StaticMount } from '../../../src/http/static/index.js';
import { createFastStaticHandler } from '../../../src/http/static/fast-static.js';
import { createStaticFileCache } from '../../../src/http/static/file-cache.js';
import { rawRequest } from '../../support/static-http.js';

// Real HTTP on 127.0.0.1 against a koa app that only has the static router (plus a fallback), and
// the same answers from the fast handler that runs before koa (with its block cache: small blocks
// of the cache are exercised by asking for every file twice or more).

/** A raw request on a connection of its own: unlike fetch(), it sends the path exactly as written (no `..` normalisation). */
const raw = (port: number, requestPath: string, options: { method?: string; headers?: Record<string, string> } = {}) => rawRequest(port, requestPath, { ...options, agent: false });

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.each([
  { handler: 'koa static router', fast: false },
  { handler: 'fast static handler with its cache', fast: true },
])('$handler over real HTTP', ({ fast }) => {
  let tmp: string;
  let server: http.Server;
  let port: number;
  let base: string;
  const content = randomBytes(1024 * 1024 + 123);
  const big = randomBytes(32 * 1024 * 1024);
  const sent: Array<{ n: number; file: string }> = [];
  const unexpectedErrors: Error[] = [];
  const closeWaiters: Array<{ url: string; resolve: () => void }> = [];

  function sentFor(file: string): number {
    return sent.filter((s) => s.file === file).reduce((sum, s) => sum + s.n, 0);
  }

  /** Resolves when the server has closed its side of the next response for `url` (no sleeping). */
  function nextResponseClosed(url: string): Promise<void> {
    return new Promise((resolve) => closeWaiters.push({ url, resolve }));
  }

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-static-'));
    const hls = path.join(tmp, 'storage', 'streaming-playlists', 'hls');
    const uuidDir = path.join(hls, '0b7f');
    await mkdir(uuidDir, { recursive: true });
    await mkdir(path.join(tmp, 'outside'), { recursive: true });
    await writeFile(path.join(uuidDir, 'video-720-fragmented.mp4'), content);
    await writeFile(path.join(uuidDir, 'big.mp4'), big);
    await writeFile(path.join(uuidDir, 'master.m3u8'), '#EXTM3U\n');
    await writeFile(path.join(uuidDir, 'empty.json'), '');
    await writeFile(path.join(uuidDir, '.partial'), 'secret');
    await writeFile(path.join(tmp, 'outside', 'secret.txt'), 'top secret');
    await writeFile(path.join(tmp, 'storage', 'sibling.txt'), 'sibling secret');
    await symlink(path.join(tmp, 'outside', 'secret.txt'), path.join(uuidDir, 'escape.mp4'));
    await symlink(path.join(tmp, 'outside'), path.join(uuidDir, 'escape-dir'));
    await symlink('video-720-fragmented.mp4', path.join(uuidDir, 'alias.mp4'));

    const app = new Koa();
    // Client aborts surface as stream errors in koa; anything else is a bug in the code under test.
    app.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') unexpectedErrors.push(error);
    });
    app.use(async (ctx, next) => {
      const url = ctx.url;
      ctx.res.on('close', () => {
        const index = closeWaiters.findIndex((w) => w.url === url);
        if (index >= 0) closeWaiters.splice(index, 1)[0]?.resolve();
      });
      await next();
    });
    const mounts: StaticMount[] = [
      {
        urlPrefix: '/static/streaming-playlists/hls/',
        directory: hls,
        cacheControl: 'public, max-age=7200',
        onBytesSent: (n, file) => sent.push({ n, file }),
      },
      { urlPrefix: '/static/', directory: path.join(tmp, 'storage') },
    ];
    app.use(createStaticRouter(mounts));
    app.use((ctx) => {
      ctx.body = 'fallback';
    });
    const koa = app.callback();
    const fastHandler = createFastStaticHandler({ mounts, cache: createStaticFileCache({ maxBytes: 64 * 1024 * 1024 }), onError: (error) => unexpectedErrors.push(error as Error) });
    server = http.createServer((req, res) => {
      if (!fast) return void koa(req, res);
      const url = req.url ?? '';
      res.on('close', () => {
        const index = closeWaiters.findIndex((w) => w.url === url);
        if (index >= 0) closeWaiters.splice(index, 1)[0]?.resolve();
      });
      if (!fastHandler(req, res)) void koa(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
    expect(unexpectedErrors).toEqual([]);
  });

  const file = '/static/streaming-playlists/hls/0b7f/video-720-fragmented.mp4';

  it('serves a whole file with validators, type, cache and CORS headers', async () => {
    const closed = nextResponseClosed(file);
    const res = await fetch(base + file);
    const body = Buffer.from(await res.arrayBuffer());
    await closed;
    expect(res.status).toBe(200);
    expect(sha256(body)).toBe(sha256(content));
    expect(res.headers.get('content-length')).toBe(String(content.length));
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers.get('last-modified')).toMatch(/GMT$/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=7200');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('Content-Range');
    expect(res.headers.get('access-control-expose-headers')).toContain('Content-Length');
    expect(sentFor('0b7f/video-720-fragmented.mp4')).toBe(content.length);
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    sent.length = 0;
    const closed = nextResponseClosed(file);
    const res = await fetch(base + file, { headers: { Range: 'bytes=1000-1999' } });
    const body = Buffer.from(await res.arrayBuffer());
    await closed;
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 1000-1999/${content.length}`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(body.equals(content.subarray(1000, 2000))).toBe(true);
    expect(sentFor('0b7f/video-720-fragmented.mp4')).toBe(1000);
  });

  it('answers an open-ended range and a suffix range', async () => {
    const open = await fetch(base + file, { headers: { Range: `bytes=${content.length - 10}-` } });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(content.subarray(content.length - 10))).toBe(true);

    const suffix = await fetch(base + file, { headers: { Range: 'bytes=-500' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(
      `bytes ${content.length - 500}-${content.length - 1}/${content.length}`,
    );
    expect(Buffer.from(await suffix.arrayBuffer()).equals(content.subarray(content.length - 500))).toBe(true);
  });

  it('answers 416 with bytes */size for an unsatisfiable range', async () => {
    const res = await fetch(base + file, { headers: { Range: `bytes=${content.length}-` } });
    await res.arrayBuffer();
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${content.length}`);
  });

  it('serves the whole file for a multi-range request', async () => {
    const res = await fetch(base + file, { headers: { Range: 'bytes=0-1,10-11' } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(content.length);
  });

  it('ignores the range when If-Range no longer matches', async () => {
    const res = await fetch(base + file, { headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(content.length);
  });

  it('answers HEAD with headers and no body, and counts no bytes', async () => {
    sent.length = 0;
    const res = await raw(port, file, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(content.length));
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.body.length).toBe(0);
    const ranged = await raw(port, file, { method: 'HEAD', headers: { Range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-length']).toBe('100');
    expect(sent).toEqual([]);
  });

  it('answers 304 to a matching If-None-Match and to If-Modified-Since', async () => {
    const first = await fetch(base + file);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';

    const cached = await fetch(base + file, { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    expect((await cached.arrayBuffer()).byteLength).toBe(0);

    const changed = await fetch(base + file, { headers: { 'If-None-Match': '"something-else"' } });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();

    const since = await fetch(base + file, { headers: { 'If-Modified-Since': lastModified } });
    expect(since.status).toBe(304);
  });

  it('uses the content type table', async () => {
    const m3u8 = await fetch(`${base}/static/streaming-playlists/hls/0b7f/master.m3u8`);
    expect(m3u8.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await m3u8.text()).toBe('#EXTM3U\n');
    const empty = await fetch(`${base}/static/streaming-playlists/hls/0b7f/empty.json`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('application/json');
    expect(empty.headers.get('content-length')).toBe('0');
  });

  it('answers the CORS preflight and 405 for other methods', async () => {
    const preflight = await raw(port, file, {
      method: 'OPTIONS',
      headers: { Origin: 'https://other.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    expect(preflight.headers['access-control-allow-headers']).toContain('Range');

    const post = await raw(port, file, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
    const del = await raw(port, file, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });

  it('follows symlinks that stay inside the folder', async () => {
    const res = await fetch(`${base}/static/streaming-playlists/hls/0b7f/alias.mp4`);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(content));
  });

  it.each([
    '/static/streaming-playlists/hls/0b7f/missing.mp4',
    '/static/streaming-playlists/hls/0b7f/',
    '/static/streaming-playlists/hls/0b7f',
    '/static/streaming-playlists/hls/../../sibling.txt',
    '/static/streaming-playlists/hls/0b7f/..%2f..%2f..%2fsibling.txt',
    '/static/streaming-playlists/hls/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd',
    '/static/streaming-playlists/hls/%2e%2e/%2e%2e/sibling.txt',
    '/static/streaming-playlists/hls/..%5c..%5csibling.txt',
    '/static/streaming-playlists/hls/0b7f/video-720-fragmented.mp4%00.jpg',
    '/static/streaming-playlists/hls/0b7f/%00',
    '/static/streaming-playlists/hls//etc/passwd',
    '/static/streaming-playlists/hls/%2fetc%2fpasswd',
    '/static/streaming-playlists/hls/0b7f/.partial',
    '/static/streaming-playlists/hls/0b7f/escape.mp4',
    '/static/streaming-playlists/hls/0b7f/escape-dir/secret.txt',
    '/static/streaming-playlists/hls/%',
    '/static/x/..%2f..%2fetc/passwd',
  ])('answers a plain 404 to %s', async (evil) => {
    const res = await raw(port, evil);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('Not Found');
  });

  it('falls through outside the mounted prefixes and serves the outer mount', async () => {
    expect((await raw(port, '/api/v1/videos')).body.toString()).toBe('fallback');
    const sibling = await raw(port, '/static/sibling.txt');
    expect(sibling.status).toBe(200);
    expect(sibling.body.toString()).toBe('sibling secret');
  });

  it('counts only the bytes actually sent when the client aborts', async () => {
    sent.length = 0;
    const closed = nextResponseClosed('/static/streaming-playlists/hls/0b7f/big.mp4');
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/static/streaming-playlists/hls/0b7f/big.mp4', agent: false }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });
    await closed;
    const counted = sentFor('0b7f/big.mp4');
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(big.length);
  });
});
