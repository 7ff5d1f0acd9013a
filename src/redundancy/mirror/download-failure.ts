import type { IncomingHttpHeaders } from 'node:http';
import { aborted as netAborted, describeError, type AbortedFailure, type FetchFailure } from '../../net/index.js';

export { describeError };

/** Why a download did not complete. Expected failures are values. */
export type DownloadFailure =
  | FetchFailure
  | AbortedFailure
  | { readonly type: 'disk'; readonly message: string; readonly code?: string }
  /** the observer refused the bytes (a hash mismatch, the copy's size cap) */
  | { readonly type: 'rejected'; readonly message: string };

/** Thrown inside a transfer to end it with this failure (a refusal, not the connection's fault). */
export class StopTransfer extends Error {
  constructor(readonly reason: DownloadFailure) {
    super(reason.message);
  }
}

export const aborted = (): DownloadFailure => netAborted();

/** Worth another attempt at once: the connection broke or went quiet. */
export const isRetryable = (reason: DownloadFailure): boolean => reason.type === 'network' || reason.type === 'timeout';

// Checks of an answer's head before its body is read: pure, tested by table.

/** The answer's status as a failure, with its Retry-After as sent. */
export function httpErrorOf(status: number, href: string, headers: IncomingHttpHeaders): DownloadFailure {
  const retryAfter = headers['retry-after'];
  return { type: 'http-error', status, message: `${href} answered ${status}`, ...(retryAfter === undefined ? {} : { retryAfter }) };
}

/** We ask for `Accept-Encoding: identity`: any other coding would not be the file's bytes. */
export function unaskedEncoding(href: string, headers: IncomingHttpHeaders): DownloadFailure | undefined {
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return undefined;
  return { type: 'network', message: `${href} answered with Content-Encoding ${encoding.slice(0, 40)}, not asked for` };
}

/** A Content-Length over the limit refuses the answer before its body. */
export function declaredTooLarge(href: string, headers: IncomingHttpHeaders, maxBytes: number): DownloadFailure | undefined {
  const declared = Number(headers['content-length']);
  if (!Number.isFinite(declared) || declared <= maxBytes) return undefined;
  return { type: 'too-large', message: `${href} is larger than ${maxBytes} bytes`, limit: maxBytes };
}

/** What a resumed request sends as If-Range: a strong ETag, else Last-Modified (weak ETags may not be used). */
export function rangeValidatorOf(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  return etag !== undefined && !etag.startsWith('W/') ? etag : headers['last-modified'];
}
