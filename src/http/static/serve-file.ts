import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Context } from 'koa';
import { parseRange } from './byte-range.js';
import { contentTypeFor } from './content-type.js';
import { countSentBytes } from './count-sent-bytes.js';
import { setCorsHeaders } from './cors.js';
import { ifNoneMatchHits, ifRangeHolds, notModifiedSince, strongEtag } from './validators.js';

export interface ServeFileOptions {
  /** `Cache-Control` value, e.g. `public, max-age=7200`; omitted when undefined. */
  cacheControl?: string;
  /** Overrides the extension-based Content-Type. */
  contentType?: string;
  /** Called with the number of body bytes written to the client, chunk by chunk (see countSentBytes). */
  onBytesSent?: (n: number) => void;
}

export type ServeFileResult =
  | { ok: true; status: 200 | 206 | 304 | 416 }
  | { ok: false; reason: { type: 'method-not-allowed' | 'not-found' } };

/**
 * Answers GET/HEAD for one file with Range (single range → 206, unsatisfiable → 416), strong
 * ETag / Last-Modified validators (→ 304), Accept-Ranges, Content-Type, Cache-Control and CORS.
 * The file is opened once and everything (stat, stream) goes through that handle.
 * `absolutePath` must already be checked (see `resolveInside` and `realpathInside`).
 * On `{ ok: false }` nothing has been written to `ctx`; the caller chooses the answer.
 */
export async function serveFile(
  ctx: Context,
  absolutePath: string,
  options: ServeFileOptions = {},
): Promise<ServeFileResult> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return { ok: false, reason: { type: 'method-not-allowed' } };

  let handle: FileHandle;
  try {
    handle = await open(absolutePath, 'r');
  } catch (error) {
    if (isMissing(error)) return { ok: false, reason: { type: 'not-found' } };
    throw error;
  }

  let handedOver = false;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, reason: { type: 'not-found' } };

    const size = stat.size;
    const etag = strongEtag(size, stat.mtimeMs);
    const lastModified = new Date(stat.mtimeMs).toUTCString();

    setCorsHeaders(ctx);
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('ETag', etag);
    ctx.set('Last-Modified', lastModified);
    if (options.cacheControl !== undefined) ctx.set('Cache-Control', options.cacheControl);

    const ifNoneMatch = header(ctx, 'If-None-Match');
    const notModified =
      ifNoneMatch !== undefined
        ? ifNoneMatchHits(ifNoneMatch, etag)
        : notModifiedSince(header(ctx, 'If-Modified-Since'), stat.mtimeMs);
    if (notModified) {
      ctx.status = 304;
      return { ok: true, status: 304 };
    }

    ctx.set('Content-Type', options.contentType ?? contentTypeFor(absolutePath));

    const range = ifRangeHolds(header(ctx, 'If-Range'), etag, lastModified)
      ? parseRange(header(ctx, 'Range'), size)
      : ({ type: 'full' } as const);

    if (range.type === 'unsatisfiable') {
      ctx.status = 416;
      ctx.set('Content-Range', `bytes */${size}`);
      ctx.body = '';
      return { ok: true, status: 416 };
    }

    const start = range.type === 'partial' ? range.start : 0;
    const end = range.type === 'partial' ? range.end : size - 1;
    const length = end - start + 1;
    const status = range.type === 'partial' ? 206 : 200;

    ctx.status = status;
    if (status === 206) ctx.set('Content-Range', `bytes ${start}-${end}/${size}`);

    if (ctx.method === 'HEAD' || length === 0) {
      if (ctx.method === 'GET') ctx.body = Buffer.alloc(0);
      ctx.length = length;
      return { ok: true, status };
    }

    const stream = handle.createReadStream({ start, end, autoClose: true });
    handedOver = true; // closed by the stream (koa destroys the body when the response ends)
    const onBytesSent = options.onBytesSent;
    ctx.body = onBytesSent ? countSentBytes(stream, ctx.res, onBytesSent) : stream;
    ctx.length = length;
    return { ok: true, status };
  } finally {
    if (!handedOver) await handle.close();
  }
}

function header(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name);
  return value === '' ? undefined : value;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP';
}
