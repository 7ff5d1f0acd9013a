import http from 'node:http';
import https from 'node:https';
import { parseRemoteUrl, resolveDestination, type DestinationPolicy, type ResolvedAddress } from '../../federation/remote/index.js';
// The socket-level pin of the SSRF guard (connect only to the vetted addresses). Not re-exported by
// federation/remote/index.ts; imported from its file so there is one implementation of the pin.
import { pinnedLookup } from '../../federation/remote/http-exchange.js';
import { aborted, describeError, type DownloadFailure } from './download-failure.js';
import { createPinnedAgents, pinKey, type PinnedRequestOptions } from './pinned-agent.js';

export type Opened = { readonly ok: true; readonly res: http.IncomingMessage; readonly url: URL } | { readonly ok: false; readonly reason: DownloadFailure };

export interface PinnedRequesterOptions {
  readonly policy: DestinationPolicy;
  /** DNS and TCP connect */
  readonly connectTimeoutMs: number;
  /** from the connection (or a reused one) to the answer's head */
  readonly responseTimeoutMs: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  /** idle pooled connections kept per origin and address set */
  readonly maxFreeSockets: number;
  /** an idle pooled connection is closed after this long; default 4 s (below the common 5 s of servers) */
  readonly idleSocketMs?: number;
}

export interface PinnedRequester {
  /** GET `url` (following redirects); the caller reads or destroys the answer's body */
  open(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Opened>;
  /** closes the pooled connections */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GET requests under the federation SSRF guard: the URL must be http(s) without credentials; its
 * host is resolved and vetted (`resolveDestination`) for every request and every redirect hop, and
 * the socket connects only to those addresses (`pinnedLookup`). Connections are kept alive in pools
 * keyed by the vetted addresses (pinned-agent.ts). Redirects are followed by hand, never from https to
 * http. A request that fails on a reused connection (the server closed it while idle) is sent once
 * more on a new connection.
 */
export function createPinnedRequester(options: PinnedRequesterOptions): PinnedRequester {
  const agents = createPinnedAgents({ maxFreeSockets: options.maxFreeSockets, idleMs: options.idleSocketMs ?? 4000 });

  function attempt(url: URL, addresses: readonly ResolvedAddress[], headers: Readonly<Record<string, string>>, signal: AbortSignal, pooled: boolean): Promise<Opened & { stale?: boolean }> {
    return new Promise((resolve) => {
      let settled = false;
      let timedOut: 'connect' | 'response' | undefined;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: Opened & { stale?: boolean }) => {
        clearTimeout(timer);
        if (settled) {
          if (outcome.ok) outcome.res.destroy();
          return;
        }
        settled = true;
        resolve(outcome);
      };
      const transport = url.protocol === 'https:' ? https : http;
      const pin: PinnedRequestOptions = { pinned: pinKey(addresses) };
      const req = transport.request(url, {
        method: 'GET',
        headers,
        lookup: pinnedLookup(addresses),
        agent: pooled ? agents.for(url.protocol) : false,
        signal,
        ...pin,
      });
      const arm = (phase: 'connect' | 'response', ms: number) => {
        clearTimeout(timer);
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
        if (signal.aborted) settle({ ok: false, reason: aborted() });
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
      req.end();
    });
  }

  /** One request to vetted addresses: on a pooled connection, or a new one if that one was stale. */
  async function request(url: URL, addresses: readonly ResolvedAddress[], headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Opened> {
    const first = await attempt(url, addresses, headers, signal, true);
    if (first.ok || first.stale !== true) return first;
    // the server closed the idle connection as we reused it (no byte of this request was answered):
    // once more on a connection of its own
    return attempt(url, addresses, headers, signal, false);
  }

  async function open(first: URL, extra: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Opened> {
    let url = first;
    let redirects = 0;
    while (true) {
      if (signal.aborted) return { ok: false, reason: aborted() };
      const parsed = parseRemoteUrl(url);
      if (!parsed.ok) return { ok: false, reason: parsed.reason };
      let lookupTimer: NodeJS.Timeout | undefined;
      const destination = await Promise.race([
        resolveDestination(parsed.host, options.policy),
        new Promise<'timeout'>((resolve) => {
          lookupTimer = setTimeout(() => resolve('timeout'), options.connectTimeoutMs);
        }),
      ]);
      clearTimeout(lookupTimer);
      if (destination === 'timeout') {
        return { ok: false, reason: { type: 'timeout', phase: 'lookup', message: `no address for ${url.hostname} in time` } };
      }
      if (!destination.ok) return { ok: false, reason: destination.reason };
      const headers = { 'user-agent': options.userAgent, accept: '*/*', 'accept-encoding': 'identity', ...extra };
      const opened = await request(url, destination.addresses, headers, signal);
      if (!opened.ok) return opened;
      const { res } = opened;
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location !== undefined) {
        res.destroy();
        if (redirects >= options.maxRedirects) {
          return { ok: false, reason: { type: 'too-many-redirects', message: `more than ${options.maxRedirects} redirects`, limit: options.maxRedirects } };
        }
        const next = parseRemoteUrl(location, url);
        if (!next.ok) return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href}: ${next.reason.message}` } };
        if (url.protocol === 'https:' && next.url.protocol === 'http:') {
          return { ok: false, reason: { type: 'bad-url', message: `redirect from ${url.href} downgrades to ${next.url.href}` } };
        }
        redirects++;
        url = next.url;
        continue;
      }
      return opened;
    }
  }

  return { open, close: () => agents.destroy() };
}
