import type { Clock } from '../../lib/clock.js';
import { isAcceptedContentType } from './content-type.js';
import { resolveDestination, type DestinationPolicy, type DestinationResult } from './destination.js';
import { systemLookup, type LookupAddresses } from './dns-lookup.js';
import { fetchJsonThrough, type FetchJsonOptions, type FetchJsonResult } from './fetch-json.js';
import type { FetchFailure, FetchResult } from './fetch-result.js';
import { exchange } from './http-exchange.js';
import { createNegativeCache } from './negative-cache.js';
import { parseRemoteUrl } from './remote-url.js';

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

export interface FetchHop {
  readonly url: URL;
  readonly method: string;
}

export interface FetchOptions {
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /**
   * Request headers, or a function called for every hop (a signed request must be signed again
   * for each redirect target). Static `Authorization`/`Cookie` headers are dropped when a
   * redirect leaves the first URL's origin.
   */
  readonly headers?: Readonly<Record<string, string>> | ((hop: FetchHop) => Readonly<Record<string, string>>);
  readonly body?: string | Buffer;
  /** refuse a 2xx response whose Content-Type is none of these (see isAcceptedContentType) */
  readonly contentTypes?: readonly string[];
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  /** fetch even if this URL failed a moment ago */
  readonly bypassNegativeCache?: boolean;
}

/** The SSRF-safe way to reach anything remote (DESIGN §2.2 `HttpFetcher`). */
export interface SafeFetcher {
  fetch(url: string | URL, options?: FetchOptions): Promise<FetchResult>;
  /** A GET for a JSON document (ActivityPub by default), optionally signed, parsed with a depth guard. */
  fetchJson(url: string | URL, options?: FetchJsonOptions): Promise<FetchJsonResult>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CACHED_FAILURES = new Set<FetchFailure['type']>(['blocked-address', 'timeout', 'network', 'too-many-redirects']);
/** 401/403 are not remembered: the same URL may answer a signed request that follows. */
const isRemembered = (reason: FetchFailure): boolean =>
  CACHED_FAILURES.has(reason.type) ||
  (reason.type === 'http-error' && (reason.status === 404 || reason.status === 410 || reason.status === 429 || reason.status >= 500));
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization']);

function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done('timeout'), ms);
    const onAbort = () => done('timeout');
    const done = (value: T | 'timeout') => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(done, (err: unknown) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

/**
 * Builds the fetcher every remote request goes through. For each hop: the URL must be http(s)
 * without credentials; its host is resolved (DNS, or the literal address) and every address must
 * be public unless `allowPrivateAddresses`; the socket connects only to those vetted addresses.
 * Redirects are followed by hand (each target checked again, at most `maxRedirects`, never from
 * https down to http). Time-outs bound connect and the whole exchange; the body is capped while it
 * streams. Failures are values (`FetchFailure`); GET failures may be remembered for a short time.
 */
export function createSafeFetcher(options: SafeFetcherOptions): SafeFetcher {
  const policy: DestinationPolicy = {
    allowPrivateAddresses: options.allowPrivateAddresses,
    allowedPrivateHosts: options.allowedPrivateHosts?.map((h) => h.toLowerCase()),
    lookup: options.lookup ?? systemLookup,
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000);
  const negativeCache = createNegativeCache<FetchFailure>({
    clock: options.clock,
    ttlMs: options.negativeCacheTtlMs ?? 0,
    maxEntries: options.negativeCacheMaxEntries,
  });

  async function fetchUncached(first: URL, request: FetchOptions, signal: AbortSignal): Promise<FetchResult> {
    const maxBytes = request.maxBytes ?? options.maxBytes;
    const maxRedirects = request.maxRedirects ?? options.maxRedirects;
    let url = first;
    let method: string = request.method ?? 'GET';
    let body = request.body === undefined ? undefined : Buffer.from(request.body);
    let redirects = 0;

    while (true) {
      const parsed = parseRemoteUrl(url);
      if (!parsed.ok) return { ok: false, reason: parsed.reason };
      const destination: DestinationResult | 'timeout' = await withDeadline(resolveDestination(parsed.host, policy), connectTimeoutMs, signal);
      if (destination === 'timeout') {
        return { ok: false, reason: { type: 'timeout', message: `no address for ${url.hostname} in time`, phase: 'lookup' } };
      }
      if (!destination.ok) return { ok: false, reason: destination.reason };

      const extra = typeof request.headers === 'function' ? request.headers({ url, method }) : (request.headers ?? {});
      const headers: Record<string, string> = {
        'user-agent': options.userAgent,
        accept: '*/*',
        'accept-encoding': 'gzip, deflate, br',
      };
      for (const [name, value] of Object.entries(extra)) {
        const lower = name.toLowerCase();
        if (typeof request.headers !== 'function' && url.origin !== first.origin && CROSS_ORIGIN_DROPPED.has(lower)) continue;
        headers[lower] = value;
      }
      if (body !== undefined) headers['content-length'] = String(body.length);

      const hop = await exchange({ url, addresses: destination.addresses, method, headers, body, signal, connectTimeoutMs });
      if (!hop.ok) return { ok: false, reason: hop.reason };
      const response = hop.response;

      const location = response.headers.location;
      if (REDIRECTS.has(response.status) && location !== undefined) {
        response.discard();
        if (redirects >= maxRedirects) {
          return { ok: false, reason: { type: 'too-many-redirects', message: `more than ${maxRedirects} redirects`, limit: maxRedirects } };
        }
        const next = parseRemoteUrl(location, url);
        if (!next.ok) return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href}: ${next.reason.message}` } };
        if (url.protocol === 'https:' && next.url.protocol === 'http:') {
          return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href} downgrades to ${next.url.href}` } };
        }
        redirects++;
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
        }
        url = next.url;
        continue;
      }

      if (response.status < 200 || response.status > 299) {
        response.discard();
        const retryAfter = response.headers['retry-after'];
        return {
          ok: false,
          reason: {
            type: 'http-error',
            message: `${url.href} answered ${response.status}`,
            status: response.status,
            ...(retryAfter === undefined ? {} : { retryAfter }),
          },
        };
      }
      const contentType = response.headers['content-type'];
      if (request.contentTypes !== undefined && !isAcceptedContentType(contentType, request.contentTypes)) {
        response.discard();
        return {
          ok: false,
          reason: { type: 'bad-content-type', message: `${url.href} answered ${contentType ?? 'no Content-Type'}`, contentType },
        };
      }
      const read = await response.readBody(maxBytes);
      if (!read.ok) return { ok: false, reason: read.reason };
      return { ok: true, status: response.status, headers: response.headers, body: read.body, url: url.href };
    }
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
