import type { DeliveryResponse, DeliveryTransport } from './delivery-transport.js';

/**
 * The shape of `federation/remote`'s SafeFetcher that delivery uses, declared here so this folder
 * does not depend on that one's internals: the composition root passes the instance's fetcher.
 */
export interface PostingFetcher {
  fetch(
    url: string,
    options: {
      method: 'POST';
      headers: Readonly<Record<string, string>>;
      body: Buffer;
      timeoutMs: number;
      maxRedirects: number;
      maxBytes: number;
      bypassNegativeCache: boolean;
    },
  ): Promise<
    | { readonly ok: true; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer }
    | { readonly ok: false; readonly reason: { readonly type: string; readonly message: string; readonly status?: number } }
  >;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Delivery over the SSRF-safe fetcher (addresses vetted after DNS, private ones refused in
 * production). Mapping: a 2xx is delivered; an `http-error` keeps its status (but not its
 * Retry-After, which the fetcher does not pass on); time-outs and network errors are retried;
 * a refused address, a bad URL or a redirect (never followed: the signature covers the first URL)
 * give the delivery up. A 2xx whose answer is over 64 KiB was still delivered.
 */
export function createSafeFetcherTransport(fetcher: PostingFetcher): DeliveryTransport {
  return {
    async post(request): Promise<DeliveryResponse> {
      if (request.signal.aborted) return { ok: false, reason: { type: 'aborted' } };
      const result = await fetcher.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        timeoutMs: request.timeoutMs,
        maxRedirects: 0,
        maxBytes: MAX_ANSWER_BYTES,
        bypassNegativeCache: true,
      });
      if (result.ok) {
        return { ok: true, status: result.status, retryAfter: result.headers['retry-after'], bodySnippet: '' };
      }
      const { reason } = result;
      switch (reason.type) {
        case 'http-error':
          return { ok: true, status: reason.status ?? 500, retryAfter: undefined, bodySnippet: '' };
        case 'too-large':
          // Only a 2xx body is read, so the inbox took the activity.
          return { ok: true, status: 200, retryAfter: undefined, bodySnippet: '' };
        case 'timeout':
          return { ok: false, reason: { type: 'timeout', detail: reason.message } };
        case 'network':
          return { ok: false, reason: { type: 'network', detail: reason.message } };
        default:
          return { ok: false, reason: { type: 'refused', detail: `${reason.type}: ${reason.message}` } };
      }
    },
  };
}
