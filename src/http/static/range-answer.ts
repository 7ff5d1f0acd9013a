import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { parseRange } from './byte-range.js';
import { ifNoneMatchHits, ifRangeHolds, notModifiedSince } from './validators.js';

/** What a static answer is about: one file on disk or one object in a bucket. */
export interface RangeAnswerSubject {
  etag: string;
  /** the HTTP date (`Last-Modified`) and the same instant in milliseconds */
  lastModified: string;
  mtimeMs: number;
  size: number;
  contentType: string;
  cacheControl: string | undefined;
}

/** The headers a cross-origin player may read (hls.js reads Content-Range on byte-range playlists). */
export const EXPOSED_HEADERS = 'Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified';

/**
 * The validators, conditional and Range part of a static answer, shared by files and bucket
 * objects: answers 304 and 416 itself (`{ answered }`), or says which bytes to send, with what
 * status and headers.
 */
export function planRangeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  subject: RangeAnswerSubject,
): { answered: 304 | 416 } | { status: 200 | 206; start: number; end: number; length: number; headers: OutgoingHttpHeaders } {
  const headers: OutgoingHttpHeaders = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    'Accept-Ranges': 'bytes',
    ETag: subject.etag,
    'Last-Modified': subject.lastModified,
  };
  if (subject.cacheControl !== undefined) headers['Cache-Control'] = subject.cacheControl;
  const ifNoneMatch = requestHeader(req, 'if-none-match');
  if (ifNoneMatch !== undefined ? ifNoneMatchHits(ifNoneMatch, subject.etag) : notModifiedSince(requestHeader(req, 'if-modified-since'), subject.mtimeMs)) {
    res.writeHead(304, headers);
    res.end();
    return { answered: 304 };
  }
  headers['Content-Type'] = subject.contentType;
  const size = subject.size;
  const range = ifRangeHolds(requestHeader(req, 'if-range'), subject.etag, subject.lastModified) ? parseRange(requestHeader(req, 'range'), size) : ({ type: 'full' } as const);
  if (range.type === 'unsatisfiable') {
    headers['Content-Range'] = `bytes */${size}`;
    headers['Content-Length'] = 0;
    res.writeHead(416, headers);
    res.end();
    return { answered: 416 };
  }
  const start = range.type === 'partial' ? range.start : 0;
  const end = range.type === 'partial' ? range.end : size - 1;
  const length = end - start + 1;
  const status = range.type === 'partial' ? 206 : 200;
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = length;
  return { status, start, end, length, headers };
}

/** A request header as one string (repeated ones joined), undefined when absent or empty. */
export function requestHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined || value === '') return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}
