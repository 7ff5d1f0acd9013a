import { createReadStream, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentTypeFor } from './content-type.js';
import { BLOCK_SIZE, type CachedFile, type StaticFileCache } from './file-cache.js';
import { findFile, isMissing } from './find-file.js';
import { resolveInside } from './resolve-inside.js';
import { decodedMount } from './decoded-mount.js';
import { serveObject } from './serve-object.js';
import { cacheControlFor, type StaticMount } from './static-router.js';
import { EXPOSED_HEADERS, planRangeAnswer } from './range-answer.js';
import type { MemoryFile, MemoryFiles } from './memory-files.js';
import { createColdReads, readExactly, type Part } from './cold-reads.js';

/** Bodies longer than this are streamed from the file (never held in memory, never cached). */
const STREAM_ABOVE = 16 * 1024 * 1024;
const STREAM_CHUNK = 1024 * 1024;


export interface FastStaticOptions {
  mounts: readonly StaticMount[];
  cache: StaticFileCache;
  /** files whose owner keeps their bytes in memory (live playlists and hot segments): answered without the disk */
  memory?: MemoryFiles;
  /** every answer, once its headers and body are handed to the connection */
  onAnswered?: (method: string, status: number, startedAt: number) => void;
  /** a failure that became a 500 (or a destroyed connection when the headers were out) */
  onError?: (error: unknown, method: string, urlPath: string) => void;
  /** bytes of cold ranges held in memory for answers being written, over all of them (32 MiB) */
  maxReadInFlight?: number;
}

/**
 * GET/HEAD of static files straight on node's request handler, before koa: the same answers as
 * `createStaticRouter` + `serveFile` (Range, 416, ETag / Last-Modified / If-None-Match /
 * If-Modified-Since / If-Range, Accept-Ranges, Content-Type, Cache-Control, CORS, plain 404 for a
 * refused or missing path, bytes counted through the mount's onBytesSent), with the file's bytes
 * served from the static file cache when hot and read in large blocks when not.
 *
 * Only mounts under `/static/` without a `respond` hook are served here (the private-file gates
 * and the torrent rewriter need koa); the mount is chosen by the longest prefix among all mounts,
 * so a path under a gated mount is never served by an ungated one. Returns false when the request
 * is not one of ours (koa answers it).
 *
 * Path safety: `resolveInside` (lexical), then each path segment below the mount's folder is
 * lstat'ed: when none is a symbolic link the real path is the lexical one, inside the folder; a
 * symbolic link sends the request through `realpathInside` as before. The file is stat'ed on
 * every request and the cache entry checked against it (inode, size, mtime, ctime).
 */
/** The handler (true: answered here; false: koa's), with the bytes of cold ranges it holds for answers being written. */
export type FastStaticHandler = ((req: IncomingMessage, res: ServerResponse) => boolean) & { readInFlight(): number };

export function createFastStaticHandler(options: FastStaticOptions): FastStaticHandler {
  const byLongestPrefix = [...options.mounts].sort((a, b) => b.urlPrefix.length - a.urlPrefix.length);
  const cache = options.cache;
  const cold = createColdReads(options.maxReadInFlight);

  return Object.assign(fastStatic, { readInFlight: cold.inFlight });

  function fastStatic(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url ?? '';
    if (!url.startsWith('/static/')) return false;
    const q = url.indexOf('?');
    const urlPath = q === -1 ? url : url.slice(0, q);
    const mount = byLongestPrefix.find((m) => urlPath.startsWith(m.urlPrefix));
    if (!mount || mount.respond || !mount.urlPrefix.startsWith('/static/')) return false;
    // an encoded path that decodes into a longer (gated) mount, e.g. `hls/%70rivate/…`, is koa's to refuse
    if (decodedMount(byLongestPrefix, urlPath) !== mount) return false;

    const startedAt = performance.now();
    serve(req, res, method, mount, urlPath.slice(mount.urlPrefix.length)).then(
      (status) => options.onAnswered?.(method, status, startedAt),
      (error: unknown) => {
        options.onError?.(error, method, urlPath);
        if (!res.headersSent) {
          const body = JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error' });
          res.writeHead(500, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        } else {
          res.destroy();
        }
        options.onAnswered?.(method, 500, startedAt);
      },
    );
    return true;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, method: string, mount: StaticMount, relativePath: string, attempt = 1): Promise<number> {
    const lexical = resolveInside(mount.directory, relativePath);
    if (!lexical.ok) return notFound(res);
    const hot = options.memory?.get(lexical.path);
    if (hot) return fromMemory(req, res, method, mount, relativePath, lexical.path, hot);
    const found = await findFile(mount.directory, lexical.path);
    const onBytesSent = mount.onBytesSent;
    const servedPath = onBytesSent || mount.objects ? path.relative(mount.directory, lexical.path) : '';
    const liveKind = options.memory?.liveKindOf(lexical.path);
    const memory = options.memory;
    const count =
      liveKind && memory
        ? (n: number) => {
            onBytesSent?.(n, servedPath);
            memory.sent(liveKind, 'disk', n);
          }
        : onBytesSent
          ? (n: number) => onBytesSent(n, servedPath)
          : undefined;
    if (!found) {
      // moved to object storage: proxied from the bucket
      const status = mount.objects && (await serveObject(req, res, mount.objects, servedPath.split(path.sep).join('/'), { cacheControl: cacheControlFor(mount, servedPath), onBytesSent: count }));
      return status || notFound(res);
    }
    const file = cache.file(found.path, found.stat);

    const plan = planRangeAnswer(req, res, {
      etag: file.etag,
      lastModified: file.lastModified,
      mtimeMs: file.mtimeMs,
      size: file.size,
      contentType: contentTypeFor(file.path),
      cacheControl: cacheControlFor(mount, relativePath),
    });
    if ('answered' in plan) return plan.answered;
    const { status, start, end, length, headers } = plan;

    if (method === 'HEAD' || length === 0) {
      res.writeHead(status, headers);
      res.end();
      return status;
    }
    if (length > STREAM_ABOVE) {
      await streamRange(res, file, start, end, status, headers, count);
      return status;
    }

    const parts = await blocksOf(file, start, end);
    if (parts === 'stream') {
      await streamRange(res, file, start, end, status, headers, count);
      return status;
    }
    if (parts === null) {
      // the file changed (or went) between its stat and its read: start again with what is there now
      if (attempt >= 3) throw new Error(`${file.path} keeps changing while read`);
      return serve(req, res, method, mount, relativePath, attempt + 1);
    }
    res.writeHead(status, headers);
    res.cork();
    for (const { bytes, pooled } of parts) {
      if (!count && !pooled) {
        res.write(bytes);
        continue;
      }
      res.write(bytes, (error) => {
        if (pooled) cold.release(bytes, pooled);
        if (!error) count?.(bytes.length);
      });
    }
    res.end();
    res.uncork();
    return status;
  }

  /** The answer from a memory file: the same validators, Range, CORS and byte counting as from disk. */
  function fromMemory(req: IncomingMessage, res: ServerResponse, method: string, mount: StaticMount, relativePath: string, absolutePath: string, file: MemoryFile): number {
    const plan = planRangeAnswer(req, res, {
      etag: file.etag,
      lastModified: file.lastModified,
      mtimeMs: file.mtimeMs,
      size: file.bytes.length,
      contentType: contentTypeFor(absolutePath),
      cacheControl: cacheControlFor(mount, relativePath),
    });
    if ('answered' in plan) return plan.answered;
    const { status, start, end, length, headers } = plan;
    res.writeHead(status, headers);
    if (method === 'HEAD' || length === 0) {
      res.end();
      return status;
    }
    const onBytesSent = mount.onBytesSent;
    const bytes = file.bytes.subarray(start, end + 1);
    const liveKind = options.memory?.liveKindOf(absolutePath);
    if (!onBytesSent && !liveKind) {
      res.end(bytes);
      return status;
    }
    const servedPath = onBytesSent ? path.relative(mount.directory, absolutePath) : '';
    res.write(bytes, (error) => {
      if (error) return;
      onBytesSent?.(bytes.length, servedPath);
      if (liveKind) options.memory?.sent(liveKind, 'memory', bytes.length);
    });
    res.end();
    return status;
  }

  /** The bytes start..end (inclusive) of the file as a list of buffers (cached blocks where hot); null when the file changed. */
  async function blocksOf(file: CachedFile, start: number, end: number): Promise<Part[] | null | 'stream'> {
    const first = Math.floor(start / BLOCK_SIZE);
    const last = Math.floor(end / BLOCK_SIZE);
    const parts: Array<Part | undefined> = [];
    let missing = false;
    for (let index = first; index <= last; index++) {
      const block = cache.block(file, index);
      if (block === undefined) missing = true;
      parts.push(block && { bytes: slice(block, index, start, end) });
    }
    if (!missing) return parts as Part[];

    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (error) {
      if (isMissing(error)) return changed(file);
      throw error;
    }
    try {
      let stale = false;
      const wanted = parts.map((part, i) => (part === undefined ? cache.admit(file, first + i) : false));
      const readAll = !wanted.includes(true);
      const pooledBytes = readAll ? end - start + 1 : parts.reduce((sum, part, i) => sum + (part === undefined && !wanted[i] ? blockLength(file, first + i, start, end) : 0), 0);
      if (cold.overBudget(pooledBytes)) return 'stream';
      await (readAll
        ? // nothing worth keeping: the range in pooled buffers
          cold.readPooled(handle, start, end).then((read) => void parts.splice(0, parts.length, ...read))
        : // every read settles before the answer goes on (none lands after its bytes were released)
          Promise.allSettled(
            parts.map(async (part, i) => {
              if (part !== undefined) return;
              const index = first + i;
              const blockStart = index * BLOCK_SIZE;
              const blockEnd = Math.min(file.size, blockStart + BLOCK_SIZE) - 1;
              if (wanted[i]) {
                const block = await readExactly(handle, blockStart, blockEnd - blockStart + 1);
                cache.store(file, index, block);
                parts[i] = { bytes: slice(block, index, start, end) };
              } else {
                const [part] = await cold.readPooled(handle, Math.max(start, blockStart), Math.min(end, blockEnd));
                parts[i] = part;
              }
            }),
          ).then((results) => {
            const failed = results.find((r) => r.status === 'rejected');
            if (failed) throw failed.reason;
          })
      ).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ESHORT') {
          for (const part of parts) if (part?.pooled) cold.release(part.bytes, part.pooled);
          throw error;
        }
        stale = true;
      });
      // replaced or written while we read (or between its stat and our open): never keep or serve a mix
      if (stale || !sameFile(file, await handle.stat())) {
        for (const part of parts) if (part?.pooled) cold.release(part.bytes, part.pooled);
        return changed(file);
      }
    } finally {
      await handle.close();
    }
    return parts as Part[];
  }

  function changed(file: CachedFile): null {
    cache.forget(file.path);
    return null;
  }

  async function streamRange(res: ServerResponse, file: CachedFile, start: number, end: number, status: number, headers: OutgoingHttpHeaders, count?: (n: number) => void): Promise<void> {
    const stream = createReadStream(file.path, { start, end, highWaterMark: STREAM_CHUNK });
    // opened before the headers go out, so a file gone meanwhile is still a clean error
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    res.writeHead(status, headers);
    if (count) {
      stream.on('data', (chunk: Buffer | string) => {
        if (!res.destroyed) count(chunk.length);
      });
    }
    try {
      await pipeline(stream, res);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_STREAM_PREMATURE_CLOSE' && code !== 'ECONNRESET' && code !== 'EPIPE') throw error;
    }
  }
}

function sameFile(file: CachedFile, stat: Stats): boolean {
  return stat.ino === file.ino && stat.dev === file.dev && stat.size === file.size && stat.mtimeMs === file.mtimeMs && stat.ctimeMs === file.ctimeMs;
}

/** Bytes of block `index` inside start..end. */
function blockLength(file: CachedFile, index: number, start: number, end: number): number {
  const blockStart = index * BLOCK_SIZE;
  return Math.min(end, Math.min(file.size, blockStart + BLOCK_SIZE) - 1) - Math.max(start, blockStart) + 1;
}

/** The part of block `index` inside start..end. */
function slice(block: Buffer, index: number, start: number, end: number): Buffer {
  const blockStart = index * BLOCK_SIZE;
  const from = Math.max(0, start - blockStart);
  const to = Math.min(block.length, end - blockStart + 1);
  return from === 0 && to === block.length ? block : block.subarray(from, to);
}

function notFound(res: ServerResponse): number {
  res.writeHead(404, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': 9,
  });
  res.end('Not Found');
  return 404;
}
