import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastStaticHandler } from '../../../src/http/static/fast-static.js';
import { createStaticFileCache } from '../../../src/http/static/file-cache.js';
import { createMemoryFiles, type MemoryFiles } from '../../../src/http/static/memory-files.js';
import { strongEtag } from '../../../src/http/static/validators.js';
import { listenFastStatic, rawRequest } from '../../support/static-http.js';

// The static fast path answers memory files (live playlists, hot segments) with the same answer as
// the file on disk: bytes, ETag and Last-Modified, Range (206, 416), conditional requests (304),
// CORS, Cache-Control, and bytes counted for the mount. The memory files are bounded by their budget
// (oldest segments first, pinned files never) and a deleted entry is no longer answered from memory.

const get = (port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(port, urlPath, { headers, method });

describe('memory files on the static fast path', () => {
  let tmp: string;
  let live: string;
  let server: { port: number; close(): Promise<void> };
  let port: number;
  let memory: MemoryFiles;
  const counted = new Map<string, number>();
  const segment = randomBytes(300_000);
  const playlist = Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n0-100.mp4\n');

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-memory-files-'));
    live = path.join(tmp, 'hls', 'live1');
    await mkdir(live, { recursive: true });
    await writeFile(path.join(live, '0-100.mp4'), segment);
    await writeFile(path.join(live, '0.m3u8'), playlist);
    memory = createMemoryFiles({ maxBytes: 1_000_000 });
    for (const [name, bytes, kind] of [['0-100.mp4', segment, 'segment'], ['0.m3u8', playlist, 'pinned']] as const) {
      memory.put(path.join(live, name), bytes, (await stat(path.join(live, name))).mtimeMs, kind);
    }
    const handler = createFastStaticHandler({
      mounts: [
        {
          urlPrefix: '/static/streaming-playlists/hls/',
          directory: path.join(tmp, 'hls'),
          onBytesSent: (n, file) => counted.set(file, (counted.get(file) ?? 0) + n),
          cacheControl: (p) => (p.endsWith('.m3u8') ? 'public, max-age=0, no-cache' : 'public, max-age=31536000, immutable'),
        },
      ],
      cache: createStaticFileCache({ maxBytes: 0 }),
      memory,
    });
    server = await listenFastStatic(handler);
    port = server.port;
  });
  afterAll(async () => {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('answers a Range of a hot segment from memory with the right bytes, validators, CORS and byte count', async () => {
    const hits = memory.stats().hits;
    const info = await stat(path.join(live, '0-100.mp4'));
    const answer = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { Range: 'bytes=1000-70999' });
    expect(answer.status).toBe(206);
    expect(answer.body.equals(segment.subarray(1000, 71000))).toBe(true);
    expect(answer.headers['content-range']).toBe(`bytes 1000-70999/${segment.length}`);
    expect(answer.headers['content-length']).toBe('70000');
    expect(answer.headers['etag']).toBe(strongEtag(info.size, info.mtimeMs));
    expect(answer.headers['last-modified']).toBe(new Date(info.mtimeMs).toUTCString());
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['cache-control']).toContain('immutable');
    expect(answer.headers['content-type']).toBe('video/mp4');
    expect(memory.stats().hits).toBe(hits + 1);
    expect(counted.get(path.join('live1', '0-100.mp4'))).toBe(70_000);

    // a suffix range, an unsatisfiable one, a conditional one, an If-Range that no longer holds
    const suffix = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { Range: 'bytes=-10' });
    expect(suffix.body.equals(segment.subarray(segment.length - 10))).toBe(true);
    const beyond = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { Range: `bytes=${segment.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${segment.length}`);
    const again = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { 'If-None-Match': answer.headers['etag']! });
    expect(again.status).toBe(304);
    const stale = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { Range: 'bytes=0-9', 'If-Range': '"other"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(segment)).toBe(true);
    const head = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(segment.length), 0]);
  });

  it('answers a playlist from memory equal to the file, revalidated', async () => {
    const hits = memory.stats().hits;
    const answer = await get(port, '/static/streaming-playlists/hls/live1/0.m3u8');
    expect(memory.stats().hits).toBe(hits + 1);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(await readFile(path.join(live, '0.m3u8')))).toBe(true);
    expect(answer.headers['cache-control']).toBe('public, max-age=0, no-cache');
    expect(answer.headers['content-type']).toBe('application/vnd.apple.mpegurl');
  });

  it('serves from memory only what is there: a deleted entry is read from disk again, a file gone from both is a 404', async () => {
    memory.put(path.join(live, 'gone.mp4'), Buffer.from('bytes only in memory'), Date.now(), 'segment');
    expect((await get(port, '/static/streaming-playlists/hls/live1/gone.mp4')).body.toString()).toBe('bytes only in memory');
    memory.delete(path.join(live, 'gone.mp4'));
    expect((await get(port, '/static/streaming-playlists/hls/live1/gone.mp4')).status).toBe(404);
    memory.deleteUnder(live);
    const hits = memory.stats().hits;
    const fromDisk = await get(port, '/static/streaming-playlists/hls/live1/0-100.mp4', { Range: 'bytes=5-9' });
    expect(fromDisk.body.equals(segment.subarray(5, 10))).toBe(true);
    expect(memory.stats().hits).toBe(hits);
  });

  it('keeps segments within its byte budget, oldest first, and pinned files whatever their size', () => {
    const small = createMemoryFiles({ maxBytes: 250 });
    small.put('/x/master.m3u8', Buffer.alloc(400), 1, 'pinned');
    for (const n of [1, 2, 3]) small.put(`/x/0-${n}.mp4`, Buffer.alloc(100), 1, 'segment');
    expect(['/x/master.m3u8', '/x/0-1.mp4', '/x/0-2.mp4', '/x/0-3.mp4'].map((p) => small.has(p))).toEqual([true, false, true, true]);
    small.put('/x/big.mp4', Buffer.alloc(251), 1, 'segment');
    expect(small.has('/x/big.mp4')).toBe(false);
    expect(small.stats()).toMatchObject({ bytes: 600, segments: 2, files: 3 });
  });
});
