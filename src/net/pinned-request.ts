import http from 'node:http';
import https from 'node:https';
import { resolveDestination, type DestinationPolicy } from './destination.js';
import type { ResolvedAddress } from './dns-lookup.js';
import { aborted, describeError, type NetFailure } from './net-failure.js';
import { createLeanTransport, poolKeyOf, type LeanTransport, type PinnedResponse } from './lean-http.js';
import { pinnedLookup } from './pinned-lookup.js';
import { parseRemoteUrl } from './remote-url.js';

/** A request hop: the URL asked and the method (a 303 turns a POST into a GET). */
export interface PinnedHop {
  readonly url: URL;
  readonly method: string;
}

export interface PinnedRequest {
  /** default GET */
  readonly method?: string;
  /** the request's headers for each hop (called again for every redirect target: a signature is per URL) */
  readonly headers: (hop: PinnedHop) => Readonly<Record<string, string>>;
  /** sent with Content-Length; dropped when a redirect turns the request into a GET */
  readonly body?: Buffer;
  /** the caller's cancel (or deadline): ends the request with `aborted` */
  readonly signal: AbortSignal;
  /** default: the requester's */
  readonly maxRedirects?: number;
}

export type Opened =
  | { readonly ok: true; readonly res: PinnedResponse; readonly url: URL }
  /** `abortedIn`: where the caller's signal ended it (a deadline tells the two apart) */
  | { readonly ok: false; readonly reason: NetFailure; readonly abortedIn?: 'lookup' | 'request' };

export interface PinnedRequesterOptions {
  readonly policy: DestinationPolicy;
  /** DNS and TCP connect of each hop */
  readonly connectTimeoutMs: number;
  /** from the connection (or a reused one) to the answer's head; default: only the caller's signal bounds it */
  readonly responseTimeoutMs?: number;
  readonly maxRedirects: number;
  /**
   * Keep-alive pools keyed by origin *and* vetted address set (lean-http.ts, whose answers hand the
   * socket's own chunks to the reader: the transport for downloads): `maxFreeSockets` idle
   * connections per key, closed after `idleSocketMs` (default 4 s, below the common 5 s of
   * servers). Absent: node's HTTP client, a fresh connection per request.
   */
  readonly pool?: { readonly maxFreeSockets: number; readonly idleSocketMs?: number };
}

/** The one SSRF-safe way out: every outbound request of the instance is opened here. */
export interface PinnedRequester {
  /** sends the request, following redirects; the caller reads or destroys the answer's body */
  open(url: URL, request: PinnedRequest): Promise<Opened>;
  /** closes the pooled connections */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
type Attempt = Opened & { readonly stale?: boolean };
type Refused = Extract<Opened, { ok: false }>;
type Vetted = { readonly ok: true; readonly addresses: readonly ResolvedAddress[] } | Refused;

/**
 * Requests under the SSRF guard: the URL must be http(s) without credentials; its host is
 * resolved once and vetted (`resolveDestination`: every address public unless the policy allows
 * private ones) for every request and every redirect hop, and the socket connects only to those
 * addresses (`pinnedLookup`: no second DNS answer is ever used). Redirects are followed by hand (each
 * target vetted again, at most `maxRedirects`, never from https down to http). Time-outs bound the
 * lookup and connect, and optionally the wait for the answer's head. With a pool, a request that
 * fails on a reused connection (the server closed it while idle) is sent once more on a new one.
 */
export function createPinnedRequester(options: PinnedRequesterOptions): PinnedRequester {
  const lean: LeanTransport | undefined =
    options.pool === undefined ? undefined : createLeanTransport({ maxFreeSockets: options.pool.maxFreeSockets, idleMs: options.pool.idleSocketMs ?? 4000 });

  async function leanAttempt(lean: LeanTransport, url: URL, addresses: readonly ResolvedAddress[], hop: PinnedHop, request: PinnedRequest, body: Buffer | undefined, pooled: boolean): Promise<Attempt> {
    const sent = await lean.request({
      url,
      addresses,
      method: hop.method,
      headers: request.headers(hop),
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      connectTimeoutMs: options.connectTimeoutMs,
      ...(options.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: options.responseTimeoutMs }),
      ...(pooled ? { poolKey: poolKeyOf(url, addresses) } : {}),
    });
    if (sent.ok) return { ok: true, res: sent.res, url };
    // the next vetted address, as node's happy eyeballs would (never one the vetting did not give)
    if (sent.unconnected && sent.phase !== 'aborted' && addresses.length > 1) return leanAttempt(lean, url, addresses.slice(1), hop, request, body, pooled);
    if (sent.phase === 'aborted' || request.signal.aborted) return { ok: false, reason: aborted(), abortedIn: 'request' };
    if (sent.phase === 'connect') return { ok: false, reason: { type: 'timeout', phase: 'connect', message: `no connection to ${url.host} in ${options.connectTimeoutMs} ms` } };
    if (sent.error.message === 'response time-out') {
      return { ok: false, reason: { type: 'timeout', phase: 'response', message: `no answer from ${url.host} in ${options.responseTimeoutMs} ms` } };
    }
    return { ok: false, reason: { type: 'network', message: `request to ${url.host} failed: ${describeError(sent.error)}` }, stale: sent.stale };
  }

  function attempt(url: URL, addresses: readonly ResolvedAddress[], hop: PinnedHop, request: PinnedRequest, body: Buffer | undefined, pooled: boolean): Promise<Attempt> {
    if (lean !== undefined) return leanAttempt(lean, url, addresses, hop, request, body, pooled);
    const { signal } = request;
    return new Promise((resolve) => {
      let settled = false;
      let timedOut: 'connect' | 'response' | undefined;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: Attempt) => {
        clearTimeout(timer);
        if (settled) {
          if (outcome.ok) outcome.res.destroy();
          return;
        }
        settled = true;
        resolve(outcome);
      };
      const transport = url.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = { ...request.headers(hop) };
      if (body !== undefined) headers['content-length'] = String(body.length);
      const req = transport.request(url, {
        method: hop.method,
        headers,
        lookup: pinnedLookup(addresses),
        // a fresh connection, never a socket connected for another request's vetting
        agent: false,
        signal,
      });
      const arm = (phase: 'connect' | 'response', ms: number | undefined) => {
        clearTimeout(timer);
        if (ms === undefined) return;
        timer = setTimeout(() => {
          timedOut = phase;
          req.destroy(new Error(`${phase} time-out`));
        }, ms);
      };
      arm('connect', options.connectTimeoutMs);
      req.on('socket', (socket) => {
        const connected = () => arm('response', options.responseTimeoutMs);
        if (!socket.connecting) connected();
        else socket.once('connect', connected);
      });
      req.on('error', (err) => {
        if (signal.aborted) settle({ ok: false, reason: aborted(), abortedIn: 'request' });
        else if (timedOut === 'connect') {
          settle({ ok: false, reason: { type: 'timeout', phase: 'connect', message: `no connection to ${url.host} in ${options.connectTimeoutMs} ms` } });
        } else if (timedOut === 'response') {
          settle({ ok: false, reason: { type: 'timeout', phase: 'response', message: `no answer from ${url.host} in ${options.responseTimeoutMs} ms` } });
        } else {
          settle({ ok: false, reason: { type: 'network', message: `request to ${url.host} failed: ${describeError(err)}` }, stale: req.reusedSocket });
        }
      });
      req.on('response', (res) => {
        res.on('error', () => undefined); // the reader attaches its own handling
        settle({ ok: true, res, url });
      });
      req.end(body);
    });
  }

  /** One request to vetted addresses: on a pooled connection, or a new one if that one was stale. */
  async function send(url: URL, addresses: readonly ResolvedAddress[], hop: PinnedHop, request: PinnedRequest, body: Buffer | undefined): Promise<Opened> {
    const first = await attempt(url, addresses, hop, request, body, true);
    if (first.ok || first.stale !== true) return first;
    // the server closed the idle connection as we reused it (no byte of this request was answered):
    // once more on a connection of its own
    return attempt(url, addresses, hop, request, body, false);
  }

  /** resolveDestination within the connect time-out and the caller's signal */
  function vet(url: URL, signal: AbortSignal): Promise<Vetted> {
    const parsed = parseRemoteUrl(url);
    if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.reason });
    return new Promise((resolve) => {
      const done = (outcome: Vetted) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => done({ ok: false, reason: { type: 'timeout', phase: 'lookup', message: `no address for ${url.hostname} in time` } }),
        options.connectTimeoutMs,
      );
      const onAbort = () => done({ ok: false, reason: aborted(), abortedIn: 'lookup' });
      signal.addEventListener('abort', onAbort, { once: true });
      resolveDestination(parsed.host, options.policy).then(
        (destination) => done(destination.ok ? { ok: true, addresses: destination.addresses } : { ok: false, reason: destination.reason }),
        (err: unknown) => done({ ok: false, reason: { type: 'network', message: `cannot resolve ${url.hostname}: ${describeError(err)}` } }),
      );
    });
  }

  async function open(first: URL, request: PinnedRequest): Promise<Opened> {
    const maxRedirects = request.maxRedirects ?? options.maxRedirects;
    let url = first;
    let method = request.method ?? 'GET';
    let body = request.body;
    let redirects = 0;
    while (true) {
      if (request.signal.aborted) return { ok: false, reason: aborted(), abortedIn: 'lookup' };
      const vetted = await vet(url, request.signal);
      if (!vetted.ok) return vetted;
      const opened = await send(url, vetted.addresses, { url, method }, request, body);
      if (!opened.ok) return opened;
      const { res } = opened;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!REDIRECTS.has(status) || location === undefined) return opened;
      res.destroy();
      if (redirects >= maxRedirects) {
        return { ok: false, reason: { type: 'too-many-redirects', message: `more than ${maxRedirects} redirects`, limit: maxRedirects } };
      }
      const next = parseRemoteUrl(location, url);
      if (!next.ok) return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href}: ${next.reason.message}` } };
      if (url.protocol === 'https:' && next.url.protocol === 'http:') {
        return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href} downgrades to ${next.url.href}` } };
      }
      redirects++;
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
      }
      url = next.url;
    }
  }

  return { open, close: () => lean?.destroy() };
}
