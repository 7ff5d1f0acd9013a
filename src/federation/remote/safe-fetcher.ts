import type { Clock } from '../../lib/clock.js';
import { createPinnedRequester, parseRemoteUrl, readDecodedBody, flattenHeaders, systemLookup, type LookupAddresses, type NetFailure } from '../../net/index.js';
import { isAcceptedContentType } from './content-type.js';
import { fetchJsonThrough, type FetchJsonOptions, type FetchJsonResult } from './fetch-json.js';
import type { FetchFailure, FetchResult } from './fetch-result.js';
import { createNegativeCache } from './negative-cache.js';

export interface SafeFetcherOptions {
  /** false in production (config `federation.allow_private_addresses`); tests on 127.0.0.1 set it */
  readonly allowPrivateAddresses: boolean;
  /** host names exempt from the address check even when private addresses are refused */
  readonly allowedPrivateHosts?: readonly string[];
  /** the whole fetch, every redirect hop and the last body byte included */
  readonly timeoutMs: number;
  /** DNS and TCP connect of each hop; default min(timeoutMs, 10 s) */
  readonly connectTimeoutMs?: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  readonly clock: Clock;
  /** default: the system resolver (`dns.lookup`, every address) */
  readonly lookup?: LookupAddresses;
  /** how long a failed GET is answered from memory without a request; 0 (default) turns it off */
  readonly negativeCacheTtlMs?: number;
  readonly negativeCacheMaxEntries?: number;
}

import type { FetchOptions } from './fetch-options.js';
export type { FetchHop, FetchOptions } from './fetch-options.js';

/** The SSRF-safe way to reach anything remote (DESIGN §2.2 `HttpFetcher`). */
export interface SafeFetcher {
  fetch(url: string | URL, options?: FetchOptions): Promise<FetchResult>;
  /** A GET for a JSON document (ActivityPub by default), optionally signed, parsed with a depth guard. */
  fetchJson(url: string | URL, options?: FetchJsonOptions): Promise<FetchJsonResult>;
}

const CACHED_FAILURES = new Set<FetchFailure['type']>(['blocked-address', 'timeout', 'network', 'too-many-redirects']);
/** 401/403 are not remembered: the same URL may answer a signed request that follows. */
const isRemembered = (reason: FetchFailure): boolean =>
  CACHED_FAILURES.has(reason.type) ||
  (reason.type === 'http-error' && (reason.status === 404 || reason.status === 410 || reason.status === 429 || reason.status >= 500));
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Builds the fetcher every remote request goes through. For each hop: the URL must be http(s)
 * without credentials; its host is resolved (DNS, or the literal address) and every address must
 * be public unless `allowPrivateAddresses`; the socket connects only to those vetted addresses.
 * Redirects are followed by hand (each target checked again, at most `maxRedirects`, never from
 * https down to http). Time-outs bound connect and the whole exchange; the body is capped while it
 * streams. Failures are values (`FetchFailure`); GET failures may be remembered for a short time.
 */
export function createSafeFetcher(options: SafeFetcherOptions): SafeFetcher {
  const requester = createPinnedRequester({
    policy: {
      allowPrivateAddresses: options.allowPrivateAddresses,
      allowedPrivateHosts: options.allowedPrivateHosts?.map((h) => h.toLowerCase()),
      lookup: options.lookup ?? systemLookup,
    },
    connectTimeoutMs: options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000),
    maxRedirects: options.maxRedirects,
  });
  const negativeCache = createNegativeCache<FetchFailure>({
    clock: options.clock,
    ttlMs: options.negativeCacheTtlMs ?? 0,
    maxEntries: options.negativeCacheMaxEntries,
  });

  /** the signal is the whole fetch's deadline: its end is a time-out */
  const deadlineFailure = (reason: NetFailure, url: URL, abortedIn: 'lookup' | 'request' | 'body'): FetchFailure => {
    if (reason.type !== 'aborted') return reason;
    if (abortedIn === 'lookup') return { type: 'timeout', message: `no address for ${url.hostname} in time`, phase: 'lookup' };
    if (abortedIn === 'request') return { type: 'timeout', message: `no answer from ${url.host} in time`, phase: 'response' };
    return { type: 'timeout', message: 'the response did not complete in time', phase: 'response' };
  };

  async function fetchUncached(first: URL, request: FetchOptions, signal: AbortSignal): Promise<FetchResult> {
    const maxBytes = request.maxBytes ?? options.maxBytes;
    const opened = await requester.open(first, {
      method: request.method ?? 'GET',
      ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
      signal,
      ...(request.maxRedirects === undefined ? {} : { maxRedirects: request.maxRedirects }),
      headers: (hop) => {
        const extra = typeof request.headers === 'function' ? request.headers(hop) : (request.headers ?? {});
        const headers: Record<string, string> = {
          'user-agent': options.userAgent,
          accept: '*/*',
          'accept-encoding': 'gzip, deflate, br',
        };
        for (const [name, value] of Object.entries(extra)) {
          const lower = name.toLowerCase();
          if (typeof request.headers !== 'function' && hop.url.origin !== first.origin && CROSS_ORIGIN_DROPPED.has(lower)) continue;
          headers[lower] = value;
        }
        return headers;
      },
    });
    if (!opened.ok) return { ok: false, reason: deadlineFailure(opened.reason, first, opened.abortedIn ?? 'request') };
    const { res, url } = opened;
    const status = res.statusCode ?? 0;
    const headers = flattenHeaders(res.headers);
    if (status < 200 || status > 299) {
      res.destroy();
      const retryAfter = headers['retry-after'];
      return {
        ok: false,
        reason: { type: 'http-error', message: `${url.href} answered ${status}`, status, ...(retryAfter === undefined ? {} : { retryAfter }) },
      };
    }
    const contentType = headers['content-type'];
    if (request.contentTypes !== undefined && !isAcceptedContentType(contentType, request.contentTypes)) {
      res.destroy();
      return { ok: false, reason: { type: 'bad-content-type', message: `${url.href} answered ${contentType ?? 'no Content-Type'}`, contentType } };
    }
    const read = await readDecodedBody(res, maxBytes, signal);
    if (!read.ok) return { ok: false, reason: deadlineFailure(read.reason, url, 'body') };
    return { ok: true, status, headers, body: read.body, url: url.href };
  }

  async function fetch(input: string | URL, request: FetchOptions = {}): Promise<FetchResult> {
    const parsed = parseRemoteUrl(input);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    const method = request.method ?? 'GET';
    const cacheKey = method === 'GET' || method === 'HEAD' ? `${method} ${parsed.url.href}` : undefined;
    if (cacheKey !== undefined && request.bypassNegativeCache !== true) {
      const remembered = negativeCache.get(cacheKey);
      if (remembered !== undefined) return { ok: false, reason: remembered, fromNegativeCache: true };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs ?? options.timeoutMs);
    try {
      const result = await fetchUncached(parsed.url, request, controller.signal);
      if (!result.ok && cacheKey !== undefined && isRemembered(result.reason)) negativeCache.set(cacheKey, result.reason);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    fetch,
    fetchJson: (url, jsonOptions = {}) => fetchJsonThrough(fetch, options.clock, url, jsonOptions),
  };
}
