import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { parseRange } from './byte-range.js';
import { countSentBytes } from './count-sent-bytes.js';
import { setCorsHeaders } from './cors.js';
import { ifNoneMatchHits, ifRangeHolds } from './validators.js';

export interface ServeBufferOptions {
  contentType: string;
  /** A strong ETag of these exact bytes (quoted). */
  etag: string;
  cacheControl?: string | undefined;
  /** Called with the number of body bytes written to the client (see countSentBytes). */
  onBytesSent?: ((n: number) => void) | undefined;
}

/**
 * Answers GET/HEAD with a body built in memory (small derived files, e.g. a rewritten .torrent),
 * with the same rules as serveFile: CORS, Accept-Ranges, ETag (→ 304 on If-None-Match), a single
 * Range (→ 206, unsatisfiable → 416) honoured only while If-Range names this ETag. There is no
 * Last-Modified (the body depends on more than one file), so If-Modified-Since is not consulted
 * and a date in If-Range never matches (→ the whole body). The caller has checked the method.
 */
export function serveBuffer(ctx: Context, body: Buffer, options: ServeBufferOptions): { status: 200 | 206 | 304 | 416 } {
  setCorsHeaders(ctx);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('ETag', options.etag);
  if (options.cacheControl !== undefined) ctx.set('Cache-Control', options.cacheControl);

  const ifNoneMatch = header(ctx, 'If-None-Match');
  if (ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, options.etag)) {
    ctx.status = 304;
    return { status: 304 };
  }

  ctx.set('Content-Type', options.contentType);
  const size = body.length;
  const range = ifRangeHolds(header(ctx, 'If-Range'), options.etag, '') ? parseRange(header(ctx, 'Range'), size) : ({ type: 'full' } as const);
  if (range.type === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${size}`);
    ctx.body = '';
    return { status: 416 };
  }

  const start = range.type === 'partial' ? range.start : 0;
  const end = range.type === 'partial' ? range.end : size - 1;
  const status = range.type === 'partial' ? 206 : 200;
  ctx.status = status;
  if (status === 206) ctx.set('Content-Range', `bytes ${start}-${end}/${size}`);
  const part = body.subarray(start, end + 1);

  if (ctx.method === 'HEAD' || part.length === 0) {
    if (ctx.method === 'GET') ctx.body = Buffer.alloc(0);
    ctx.length = part.length;
    return { status };
  }
  const onBytesSent = options.onBytesSent;
  // a Buffer given to Readable.from is one chunk (not iterated byte by byte)
  ctx.body = onBytesSent ? countSentBytes(Readable.from(part), ctx.res, onBytesSent) : part;
  ctx.length = part.length;
  return { status };
}

function header(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name);
  return value === '' ? undefined : value;
}
