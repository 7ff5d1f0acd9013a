import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeFor } from './content-type.js';
import { planRangeAnswer } from './range-answer.js';

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
  const plan = planRangeAnswer(req, res, {
    etag,
    lastModified: head.lastModified.toUTCString(),
    mtimeMs: head.lastModified.getTime(),
    size: head.size,
    contentType: contentTypeFor(relativeKey),
    cacheControl: options.cacheControl,
  });
  if ('answered' in plan) return plan.answered;
  const { status, start, end, headers } = plan;
  if (req.method === 'HEAD' || plan.length === 0) {
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
