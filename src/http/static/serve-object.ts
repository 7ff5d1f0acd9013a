import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseRange } from './byte-range.js';
import { contentTypeFor } from './content-type.js';
import { ifNoneMatchHits, ifRangeHolds, notModifiedSince } from './validators.js';

/**
 * Where a static mount finds a file that is not on disk: an object in a bucket (files moved to
 * object storage). `relativeKey` is the request's path below the mount, with `/` separators,
 * already checked by resolveInside.
 */
export interface StaticObjectSource {
  head(relativeKey: string): Promise<{ size: number; etag: string; lastModified: Date } | null>;
  /** bytes start..end (inclusive); null when the object went meanwhile */
  read(relativeKey: string, start: number, end: number): Promise<Readable | null>;
}

const EXPOSED = 'Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified';

/**
 * Answers a GET/HEAD from an object (the proxy of our static routes over object storage): the same
 * headers as a file (Range → 206 + Content-Range, 416, ETag, Last-Modified, conditional requests,
 * CORS), the body streamed from the bucket, every byte handed to the connection counted. Returns
 * the status, or null when there is no such object (the caller answers 404).
 */
export async function serveObject(
  req: IncomingMessage,
  res: ServerResponse,
  source: StaticObjectSource,
  relativeKey: string,
  options: { cacheControl?: string | undefined; onBytesSent?: ((n: number) => void) | undefined },
): Promise<number | null> {
  const head = await source.head(relativeKey);
  if (!head) return null;
  const etag = head.etag.startsWith('"') || head.etag.startsWith('W/') ? head.etag : `"${head.etag}"`;
  const lastModified = head.lastModified.toUTCString();
  const headers: OutgoingHttpHeaders = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': EXPOSED,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': lastModified,
  };
  if (options.cacheControl !== undefined) headers['Cache-Control'] = options.cacheControl;
  const h = (name: string) => {
    const v = req.headers[name];
    return v === undefined || v === '' ? undefined : Array.isArray(v) ? v.join(', ') : v;
  };
  const ifNoneMatch = h('if-none-match');
  if (ifNoneMatch !== undefined ? ifNoneMatchHits(ifNoneMatch, etag) : notModifiedSince(h('if-modified-since'), head.lastModified.getTime())) {
    res.writeHead(304, headers);
    res.end();
    return 304;
  }
  headers['Content-Type'] = contentTypeFor(relativeKey);
  const size = head.size;
  const range = ifRangeHolds(h('if-range'), etag, lastModified) ? parseRange(h('range'), size) : ({ type: 'full' } as const);
  if (range.type === 'unsatisfiable') {
    headers['Content-Range'] = `bytes */${size}`;
    headers['Content-Length'] = 0;
    res.writeHead(416, headers);
    res.end();
    return 416;
  }
  const start = range.type === 'partial' ? range.start : 0;
  const end = range.type === 'partial' ? range.end : size - 1;
  const status = range.type === 'partial' ? 206 : 200;
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = end - start + 1;
  if (req.method === 'HEAD' || size === 0) {
    res.writeHead(status, headers);
    res.end();
    return status;
  }
  const body = await source.read(relativeKey, start, end);
  if (!body) return null;
  res.writeHead(status, headers);
  const count = options.onBytesSent;
  if (count) {
    body.on('data', (chunk: Buffer) => {
      if (!res.destroyed && chunk.length > 0) count(chunk.length);
    });
  }
  try {
    await pipeline(body, res);
  } catch (err) {
    // the client went away (or the bucket broke the stream): the connection is closed, nothing more to say
    if (!res.destroyed) res.destroy(err as Error);
  }
  return status;
}
