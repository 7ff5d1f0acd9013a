import { storableText } from '../../lib/unstorable-text.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * What one POST to an inbox came to:
 * - `delivered`: 2xx;
 * - `rejected`: the host answered but refuses this activity (3xx, 4xx but 408/429): not retried;
 * - `throttled`: 429, the host is up but wants us to slow down;
 * - `unavailable`: 5xx, 408, time-out or network error: the host (or this inbox) is down for now.
 */
export type AttemptResult =
  | { readonly type: 'delivered'; readonly status: number }
  | { readonly type: 'rejected'; readonly status: number; readonly detail: string }
  | { readonly type: 'throttled'; readonly status: number; readonly retryAfterMs: number | undefined; readonly detail: string }
  | {
      readonly type: 'unavailable';
      readonly status: number | undefined;
      readonly retryAfterMs: number | undefined;
      readonly detail: string;
    };

/** Classifies an HTTP answer (PeerTube's rule: 4xx other than 408 and 429 is final). */
export function classifyResponse(
  response: { readonly status: number; readonly retryAfter: string | undefined; readonly bodySnippet?: string },
  now: Date,
  maxRetryAfterMs: number,
): AttemptResult {
  const { status } = response;
  const detail = describeStatus(status, response.bodySnippet);
  if (status >= 200 && status < 300) return { type: 'delivered', status };
  const retryAfterMs = capped(parseRetryAfter(response.retryAfter, now), maxRetryAfterMs);
  if (status === 429) return { type: 'throttled', status, retryAfterMs, detail };
  if (status === 408 || status >= 500 || status < 200) return { type: 'unavailable', status, retryAfterMs, detail };
  // 3xx: a signed POST cannot follow a redirect (the signature covers the first URL); 4xx: refused.
  return { type: 'rejected', status, detail };
}

/** A request that got no HTTP answer. */
export function classifyTransportFailure(failure: { readonly type: 'timeout' | 'network'; readonly detail?: string }): AttemptResult {
  const detail = failure.type === 'timeout' ? `time-out${failure.detail ? `: ${failure.detail}` : ''}` : `network error: ${failure.detail ?? 'unknown'}`;
  return { type: 'unavailable', status: undefined, retryAfterMs: undefined, detail };
}

function capped(ms: number | undefined, max: number): number | undefined {
  return ms === undefined ? undefined : Math.min(ms, max);
}

function describeStatus(status: number, snippet: string | undefined): string {
  // the remote's words end up in text columns (a host's and a job's last error): nothing PostgreSQL refuses
  const text = snippet === undefined ? undefined : storableText(snippet.replace(/\s+/g, ' ').trim().slice(0, 300));
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}
