import type Koa from 'koa';
import type { Clock } from '../../lib/clock.js';
import { clientIp, createTrustedProxies } from './client-ip.js';
import { createRateWindowTable, type RateWindowTable } from './rate-window-table.js';

export type RateLimitBucket = 'api' | 'login' | 'activity_pub' | 'well_known';

export interface RateLimitSettings {
  rates: Record<RateLimitBucket, { window: number; max: number }>;
  trustProxy: readonly string[];
}

/** PeerTube's message for a 429. */
export const RATE_LIMITED_MESSAGE = 'Too many requests, please try again later.';

const AP_PREFIXES = ['/accounts/', '/video-channels/', '/videos/watch/', '/redundancy/'];

/** Which limit a request counts against (null: none, e.g. static files, the tracker, health). */
export function bucketOf(method: string, path: string): RateLimitBucket | null {
  if (path === '/api/v1/users/token' && method === 'POST') return 'login';
  if (path === '/api/v1' || path.startsWith('/api/v1/')) return 'api';
  if (path.startsWith('/.well-known/') || path.startsWith('/nodeinfo/')) return 'well_known';
  if (path === '/inbox' || AP_PREFIXES.some((p) => path.startsWith(p))) return 'activity_pub';
  return null;
}

/**
 * PeerTube's `rates_limit`: per client IP (X-Forwarded-For believed only from `trust_proxy`) and
 * route group, fixed windows on the injected clock, in bounded tables. Beyond the limit: 429 with
 * Retry-After (seconds) and PeerTube's text, unless the bearer token is an administrator's or a
 * moderator's (PeerTube lets them through). Every answer carries X-RateLimit-Limit/Remaining/Reset.
 */
export function rateLimitMiddleware(deps: {
  settings: RateLimitSettings;
  clock: Clock;
  /** true when this Authorization header belongs to an administrator or a moderator */
  isStaff(authorization: string): Promise<boolean>;
  maxKeysPerBucket?: number;
}): Koa.Middleware {
  const trusted = createTrustedProxies(deps.settings.trustProxy);
  const tables = new Map<RateLimitBucket, RateWindowTable>();
  for (const [bucket, rate] of Object.entries(deps.settings.rates) as [RateLimitBucket, { window: number; max: number }][]) {
    tables.set(bucket, createRateWindowTable({ windowMs: rate.window, max: rate.max, clock: deps.clock, maxKeys: deps.maxKeysPerBucket }));
  }

  return async (ctx, next) => {
    const bucket = bucketOf(ctx.method, ctx.path);
    const table = bucket ? tables.get(bucket) : undefined;
    if (!table) return next();
    const ip = clientIp(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined, trusted);
    const decision = table.hit(`${ip}`);
    const now = deps.clock.now().getTime();
    ctx.set('X-RateLimit-Limit', String(decision.limit));
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    ctx.set('X-RateLimit-Reset', String(Math.ceil(decision.resetAt / 1000)));
    if (!decision.allowed) {
      const authorization = ctx.get('authorization');
      const staff = authorization ? await deps.isStaff(authorization).catch(() => false) : false;
      if (!staff) {
        ctx.status = 429;
        ctx.set('Retry-After', String(Math.max(1, Math.ceil((decision.resetAt - now) / 1000))));
        ctx.type = 'text/plain';
        ctx.body = RATE_LIMITED_MESSAGE;
        return;
      }
    }
    return next();
  };
}
