import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, symlink, unlink, utimes, writeFile, open } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastStaticHandler } from '../../../src/http/static/fast-static.js';
import { BLOCK_SIZE, createStaticFileCache, type StaticFileCache } from '../../../src/http/static/file-cache.js';
import { prng as seeded } from '../../support/prng.js';
import { listenFastStatic, rawRequest } from '../../support/static-http.js';

// The fast static handler's block cache never answers stale bytes, wrong ranges or files it should
// refuse: files replaced under it (rename over, rewritten in place with the same size and mtime,
// deleted then put back as a re-mirrored copy would be), random ranges compared with the file's
// bytes, and the byte bound of the cache.

const get = (port: number, urlPath: string, headers: Record<string, string> = {}) => rawRequest(port, urlPath, { headers });

describe('static file cache', () => {
  let tmp: string;
  let hls: string;
  let server: { port: number; close(): Promise<void> };
  let port: number;
  let cache: StaticFileCache;
  const counted = new Map<string, number>();
  const errors: unknown[] = [];
  const MAX = 8 * BLOCK_SIZE;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-static-cache-'));
    hls = path.join(tmp, 'hls');
    await mkdir(path.join(hls, 'v1'), { recursive: true });
    await mkdir(path.join(hls, 'private', 'v2'), { recursive: true });
    await mkdir(path.join(tmp, 'outside'), { recursive: true });
    cache = createStaticFileCache({ maxBytes: MAX });
    const handler = createFastStaticHandler({
      mounts: [
        { urlPrefix: '/static/hls/', directory: hls, onBytesSent: (n, file) => counted.set(file, (counted.get(file) ?? 0) + n) },
        // a gated mount: never answered by the fast handler, even though its folder is inside the other one
        { urlPrefix: '/static/hls/private/', directory: path.join(hls, 'private'), respond: async () => false },
      ],
      cache,
      onError: (error) => errors.push(error),
    });
    server = await listenFastStatic(handler);
    port = server.port;
  });

  afterAll(async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it('answers random ranges, suffix ranges and the last byte exactly as the file, cold and cached', async () => {
    const bytes = randomBytes(5 * BLOCK_SIZE + 12345);
    await writeFile(path.join(hls, 'v1', 'random.mp4'), bytes);
    const prng = seeded(12);
    const size = bytes.length;
    const ranges: Array<{ header: string; start: number; end: number }> = [
      { header: `bytes=${size - 1}-${size - 1}`, start: size - 1, end: size - 1 },
      { header: `bytes=${size - 1}-`, start: size - 1, end: size - 1 },
      { header: 'bytes=-1', start: size - 1, end: size - 1 },
      { header: 'bytes=-70000', start: size - 70000, end: size - 1 },
      { header: `bytes=-${size + 10}`, start: 0, end: size - 1 },
      { header: `bytes=${BLOCK_SIZE - 1}-${BLOCK_SIZE}`, start: BLOCK_SIZE - 1, end: BLOCK_SIZE },
      { header: `bytes=0-${size + 100}`, start: 0, end: size - 1 },
      { header: `bytes=${2 * BLOCK_SIZE}-`, start: 2 * BLOCK_SIZE, end: size - 1 },
    ];
    for (let i = 0; i < 60; i++) {
      const start = Math.floor(prng() * size);
      const end = Math.min(size - 1, start + Math.floor(prng() * 3 * BLOCK_SIZE));
      ranges.push({ header: `bytes=${start}-${end}`, start, end });
    }
    counted.clear();
    let expectedCount = 0;
    // three rounds: misses, admissions (second miss of a block), then hits
    for (let round = 0; round < 3; round++) {
      for (const r of ranges) {
        const answer = await get(port, '/static/hls/v1/random.mp4', { range: r.header });
        expect(answer.status, r.header).toBe(206);
        expect(answer.headers['content-range'], r.header).toBe(`bytes ${r.start}-${r.end}/${size}`);
        expect(Number(answer.headers['content-length'])).toBe(r.end - r.start + 1);
        expect(answer.body.equals(bytes.subarray(r.start, r.end + 1)), r.header).toBe(true);
        expectedCount += r.end - r.start + 1;
      }
      const whole = await get(port, '/static/hls/v1/random.mp4');
      expect(whole.status).toBe(200);
      expect(whole.body.equals(bytes)).toBe(true);
      expectedCount += size;
    }
    expect(cache.stats().blocks).toBeGreaterThan(0);
    expect((await get(port, '/static/hls/v1/random.mp4', { range: `bytes=${size}-` })).status).toBe(416);
    // byte accounting stays exact through the cache
    expect(counted.get(path.join('v1', 'random.mp4'))).toBe(expectedCount);
  });

  /** Asks twice (a block enters the cache on its second miss) and a third time from the cache. */
  const warm = async (urlPath: string, range = 'bytes=0-99') => {
    for (let i = 0; i < 3; i++) await get(port, urlPath, { range });
  };

  it('serves the new bytes of a file replaced by a rename (a re-transcode), even with the same size and mtime', async () => {
    const file = path.join(hls, 'v1', 'replaced.mp4');
    const before = randomBytes(300_000);
    await writeFile(file, before);
    await warm('/static/hls/v1/replaced.mp4');
    const old = await stat(file);
    const after = randomBytes(300_000);
    await writeFile(`${file}.tmp`, after);
    await utimes(`${file}.tmp`, old.atime, old.mtime);
    await rename(`${file}.tmp`, file);
    const answer = await get(port, '/static/hls/v1/replaced.mp4', { range: 'bytes=0-99' });
    expect(answer.body.equals(after.subarray(0, 100))).toBe(true);
  });

  it('serves the new bytes of a file rewritten in place with the same size and mtime', async () => {
    const file = path.join(hls, 'v1', 'in-place.mp4');
    const before = randomBytes(200_000);
    await writeFile(file, before);
    await warm('/static/hls/v1/in-place.mp4');
    const old = await stat(file);
    const after = randomBytes(200_000);
    const handle = await open(file, 'r+');
    await handle.write(after, 0, after.length, 0);
    await handle.close();
    await utimes(file, old.atime, old.mtime); // only ctime tells the change now
    const answer = await get(port, '/static/hls/v1/in-place.mp4', { range: 'bytes=0-99' });
    expect(answer.body.equals(after.subarray(0, 100))).toBe(true);
    expect((await get(port, '/static/hls/v1/in-place.mp4')).body.equals(after)).toBe(true);
  });

  it('answers 404 for an evicted copy and the new bytes once it is mirrored again', async () => {
    await mkdir(path.join(hls, 'v3'));
    const file = path.join(hls, 'v3', 'copy.mp4');
    await writeFile(file, randomBytes(150_000));
    await warm('/static/hls/v3/copy.mp4');
    await rm(path.join(hls, 'v3'), { recursive: true });
    expect((await get(port, '/static/hls/v3/copy.mp4', { range: 'bytes=0-99' })).status).toBe(404);
    expect((await get(port, '/static/hls/v3/copy.mp4')).status).toBe(404);
    await mkdir(path.join(hls, 'v3'));
    const again = randomBytes(150_000);
    await writeFile(file, again);
    const answer = await get(port, '/static/hls/v3/copy.mp4', { range: 'bytes=0-99' });
    expect(answer.status).toBe(206);
    expect(answer.body.equals(again.subarray(0, 100))).toBe(true);
  });

  it('refuses a file turned into a symbolic link leading outside the folder after it was cached', async () => {
    const file = path.join(hls, 'v1', 'swapped.mp4');
    await writeFile(file, randomBytes(100_000));
    await warm('/static/hls/v1/swapped.mp4');
    await writeFile(path.join(tmp, 'outside', 'secret.mp4'), 'top secret');
    await unlink(file);
    await symlink(path.join(tmp, 'outside', 'secret.mp4'), file);
    const answer = await get(port, '/static/hls/v1/swapped.mp4');
    expect(answer.status).toBe(404);
    expect(answer.body.toString()).not.toContain('secret');
  });

  it('leaves the files of a gated mount to the gate, whatever the cache holds', async () => {
    const file = path.join(hls, 'private', 'v2', 'secret.mp4');
    await writeFile(file, randomBytes(100_000));
    const answer = await get(port, '/static/hls/private/v2/secret.mp4');
    expect(answer.status).toBe(418);
    // a file moved from the public folder to the private one is gone from the public URL
    const moved = path.join(hls, 'v1', 'to-hide.mp4');
    await writeFile(moved, randomBytes(100_000));
    await warm('/static/hls/v1/to-hide.mp4');
    await mkdir(path.join(hls, 'private', 'v1'), { recursive: true });
    await rename(moved, path.join(hls, 'private', 'v1', 'to-hide.mp4'));
    expect((await get(port, '/static/hls/v1/to-hide.mp4', { range: 'bytes=0-99' })).status).toBe(404);
    expect((await get(port, '/static/hls/private/v1/to-hide.mp4', { range: 'bytes=0-99' })).status).toBe(418);
  });

  it('keeps within its byte bound', async () => {
    for (let i = 0; i < 4; i++) {
      await writeFile(path.join(hls, 'v1', `bulk-${i}.mp4`), randomBytes(3 * BLOCK_SIZE));
      for (let round = 0; round < 2; round++) await get(port, `/static/hls/v1/bulk-${i}.mp4`);
    }
    expect(cache.stats().bytes).toBeLessThanOrEqual(MAX);
    expect(cache.stats().bytes).toBeGreaterThan(0);
    for (let i = 0; i < 4; i++) {
      const bytes = (await get(port, `/static/hls/v1/bulk-${i}.mp4`)).body;
      expect(bytes.length).toBe(3 * BLOCK_SIZE);
    }
  });
});

describe('cold ranges beyond the bytes held in memory', () => {
  it('streams them from the file with the same answers, and every byte read leaves the in-flight count', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-static-budget-'));
    const bytes = randomBytes(10 * BLOCK_SIZE + 777);
    await writeFile(path.join(tmp, 'cold.mp4'), bytes);
    let counted = 0;
    const errors: unknown[] = [];
    // no cache, and less room than one 3 MiB range: those stream, small ones are read
    const handler = createFastStaticHandler({
      mounts: [{ urlPrefix: '/static/hls/', directory: tmp, onBytesSent: (n) => (counted += n) }],
      cache: createStaticFileCache({ maxBytes: 0 }),
      maxReadInFlight: BLOCK_SIZE,
      onError: (error) => errors.push(error),
    });
    const server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const prng = seeded(7);
      const ranges = Array.from({ length: 16 }, (_, i) => {
        const start = Math.floor(prng() * (bytes.length - 3 * BLOCK_SIZE));
        return { start, end: start + (i % 2 === 0 ? 3 * BLOCK_SIZE : 1000) };
      });
      const answers = await Promise.all(ranges.map((r) => get(port, '/static/hls/cold.mp4', { range: `bytes=${r.start}-${r.end}` })));
      let expected = 0;
      answers.forEach((answer, i) => {
        const { start, end } = ranges[i]!;
        expect(answer.status).toBe(206);
        expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/${bytes.length}`);
        expect(answer.body.equals(bytes.subarray(start, end + 1))).toBe(true);
        expected += end - start + 1;
      });
      expect(counted).toBe(expected);
      expect(handler.readInFlight()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
