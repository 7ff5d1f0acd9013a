import type { Server } from 'node:http';

/**
 * An idle kept-alive connection stays open this long (Node's default is 5 s). PeerTube sends its
 * deliveries from worker threads that reuse pooled keep-alive sockets long after their last use and
 * tries most unicasts once: a socket we closed meanwhile loses the delivery ("socket hang up",
 * EPIPE). nginx, in front of PeerTube, keeps idle connections 75 s; we keep them a little longer,
 * so the client's pool gives up on a socket before we do.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 76_000;
/** Must exceed the keep-alive time-out, or a request on a socket reused late can be cut at its headers. */
export const HEADERS_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS + 1_000;

export function applyServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
}
