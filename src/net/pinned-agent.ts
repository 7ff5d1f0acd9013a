import http from 'node:http';
import https from 'node:https';
import type { ResolvedAddress } from './dns-lookup.js';

/**
 * The pool key of a vetted address set: the same set, in any order, gives the same key. A request
 * passes it as the `pinned` option; a pooled socket is reused only by requests with the same key.
 */
export function pinKey(addresses: readonly ResolvedAddress[]): string {
  return addresses
    .map((a) => `${a.family}/${a.address}`)
    .sort()
    .join(',');
}

/** The request options a pinned agent reads besides Node's own. */
export interface PinnedRequestOptions {
  /** pinKey() of the addresses the socket may connect to (its `lookup` returns only those) */
  readonly pinned: string;
}

function nameWithPin(base: string, options: unknown): string {
  const pinned = (options as Partial<PinnedRequestOptions> | undefined)?.pinned;
  // every request through these agents is pinned; an unpinned one would share sockets by host name alone
  if (typeof pinned !== 'string' || pinned === '') throw new Error('a request through a pinned agent must give its vetted addresses');
  return `${base}|${pinned}`;
}

class PinnedHttpAgent extends http.Agent {
  override getName(options?: http.ClientRequestArgs): string {
    return nameWithPin(super.getName(options), options);
  }
}

class PinnedHttpsAgent extends https.Agent {
  override getName(options?: https.RequestOptions): string {
    return nameWithPin(super.getName(options), options);
  }
}

export interface PinnedAgents {
  /** the keep-alive agent for `http:` or `https:` */
  for(protocol: string): http.Agent;
  /** closes every socket, idle or not */
  destroy(): void;
}

/**
 * Keep-alive agents for SSRF-pinned requests: a new connection costs a handshake and a
 * TCP slow start per file otherwise. Node pools sockets by host and port; these agents also key
 * them by the vetted address set (`pinned`), so a socket connected for one vetting is reused only
 * by a request whose own vetting gave the same addresses: reuse never reaches an address the
 * request's check did not allow. Idle sockets do not keep the process alive and close after
 * `idleMs` (sooner when the server's Keep-Alive hint says so).
 */
export function createPinnedAgents(options: { readonly maxFreeSockets: number; readonly idleMs: number }): PinnedAgents {
  const settings = { keepAlive: true, maxFreeSockets: Math.max(1, options.maxFreeSockets), timeout: options.idleMs, scheduling: 'lifo' as const };
  const plain = new PinnedHttpAgent(settings);
  const secure = new PinnedHttpsAgent(settings);
  return {
    for: (protocol) => (protocol === 'https:' ? secure : plain),
    destroy() {
      plain.destroy();
      secure.destroy();
    },
  };
}
