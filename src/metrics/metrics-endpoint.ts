import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';

export interface ScrapeAnswer {
  status: 200 | 401 | 404;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

export interface MetricsEndpointOptions {
  /** false: /metrics answers 404 */
  enabled: boolean;
  /** when set, scrapes must send `Authorization: Bearer <token>` */
  bearerToken: string | null;
}

/** Is `authorization` exactly `Bearer <token>`? Constant-time over the token's hash. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * The exposition of one registry, with the optional bearer token check. Framework-free: the koa
 * route and the separate metrics listener both call it.
 */
export function createMetricsEndpoint(registry: Registry, options: MetricsEndpointOptions) {
  return {
    async scrape(authorization: string | undefined): Promise<ScrapeAnswer> {
      if (!options.enabled) return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'Not Found\n', headers: {} };
      if (options.bearerToken !== null && !bearerMatches(authorization, options.bearerToken)) {
        return {
          status: 401,
          contentType: 'text/plain; charset=utf-8',
          body: 'a bearer token is required\n',
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        };
      }
      return { status: 200, contentType: registry.contentType, body: await registry.metrics(), headers: {} };
    },
  };
}

export type MetricsEndpoint = ReturnType<typeof createMetricsEndpoint>;
