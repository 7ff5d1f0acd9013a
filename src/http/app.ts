import { IncomingMessage, type ServerResponse } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/index.js';
import type { Tracker } from '../p2p/index.js';
import { createStaticRouter, type StaticMount } from './static/index.js';
import { createFastStaticHandler, createStaticFileCache, type MemoryFiles, type StaticFileCache } from './static/index.js';
import { errorMiddleware, storableInputMiddleware } from './middleware.js';

export interface HttpAppParts {
  logger: Logger;
  metrics: Metrics;
  /** routers mounted under /api/v1 */
  apiRouters: Router[];
  /** routers mounted at the root (ActivityPub GETs, /.well-known, NodeInfo) */
  rootRouters?: Router[];
  staticMounts: StaticMount[];
  /** bytes of hot static file blocks kept in memory (`cache.static_files.size`; 0: none); default 128 MB */
  staticCacheBytes?: number;
  /** files answered from memory by the static fast path (live playlists and hot segments) */
  memoryFiles?: MemoryFiles;
  /** the static file cache itself, when it is shared (the seeder reads hot files from it); wins over staticCacheBytes */
  staticCache?: StaticFileCache;
  /** middleware answering some static URLs before the static folders (remote images) */
  beforeStatic?: Koa.Middleware[];
  tracker: Tracker | null;
  /** false when /metrics has a listener of its own (`metrics.listen`) */
  metricsOnMainListener?: boolean;
  /** false while starting or stopping: /readyz answers 503 */
  isReady(): boolean;
  /** resolves true when the database answers */
  checkDatabase(): Promise<boolean>;
  /** PeerTube's rates_limit (429 with Retry-After), before every route */
  rateLimit?: Koa.Middleware;
}

/** A bounded label for request metrics: the first path segment(s), never ids or file names. */
export function routeGroup(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts[1] === 'v1') return `/api/v1/${parts[2] ?? ''}`.replace(/[^a-z0-9/_-]/gi, '');
  const first = parts[0] ?? '';
  return ['static', 'lazy-static', 'download', 'tracker', 'metrics', 'healthz', 'readyz', 'videos', 'accounts', 'video-channels', '.well-known'].includes(first)
    ? `/${first}`
    : 'other';
}

/**
 * koa, with the static files answered before it: `callback()` (what node's HTTP server calls) hands
 * GET/HEAD of public `/static/…` files to the fast static handler, everything else to koa. It counts
 * the koa requests still being handled, so that stopping waits for them before the database closes
 * (a handler whose client went away still runs to its end).
 */
export class HttpApp extends Koa {
  private handling = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly fast: (req: IncomingMessage, res: ServerResponse) => boolean) {
    super();
  }

  override callback(): ReturnType<Koa['callback']> {
    const koa = super.callback();
    const fast = this.fast;
    return (req, res) => {
      if (req instanceof IncomingMessage && fast(req, res as ServerResponse)) return Promise.resolve();
      this.handling++;
      return koa(req, res).finally(() => {
        this.handling--;
        if (this.handling === 0) for (const wake of this.idleWaiters) wake();
      });
    };
  }

  /** Resolves once no request is being handled, or after `deadlineMs` (true: idle). */
  async idle(deadlineMs: number): Promise<boolean> {
    if (this.handling === 0) return true;
    let wake!: () => void;
    const idle = new Promise<void>((resolve) => (wake = resolve));
    this.idleWaiters.add(wake);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    try {
      return await Promise.race([idle.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
      this.idleWaiters.delete(wake);
    }
  }
}

/** The koa application: error mapping, metrics, body parsing, API, static files, tracker, health. */
export function createHttpApp(parts: HttpAppParts): HttpApp {
  const staticCache = parts.staticCache ?? createStaticFileCache({ maxBytes: parts.staticCacheBytes ?? 128 * 1024 * 1024 });
  const httpLog = parts.logger.child({ component: 'http' });
  const app = new HttpApp(
    createFastStaticHandler({
      mounts: parts.staticMounts,
      cache: staticCache,
      ...(parts.memoryFiles ? { memory: parts.memoryFiles } : {}),
      onAnswered: (method, status, startedAt) => {
        const statusClass = `${Math.floor(status / 100)}xx`;
        parts.metrics.httpDuration.observe({ route: '/static', method, status: statusClass }, (performance.now() - startedAt) / 1000);
        parts.metrics.httpResponses.inc({ status: statusClass });
      },
      onError: (err, method, path) => httpLog.error({ err, method, path }, 'request failed'),
    }),
  );
  app.proxy = false;
  app.silent = true;

  app.use(async (ctx, next) => {
    const end = parts.metrics.httpDuration.startTimer({ route: routeGroup(ctx.path), method: ctx.method });
    try {
      await next();
    } finally {
      const status = `${Math.floor(ctx.status / 100)}xx`;
      end({ status });
      parts.metrics.httpResponses.inc({ status });
    }
  });
  app.use(errorMiddleware(httpLog));
  if (parts.rateLimit) app.use(parts.rateLimit);

  const root = new Router();
  root.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  root.get('/readyz', async (ctx) => {
    const ready = parts.isReady() && (await parts.checkDatabase());
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready' };
  });
  // With `metrics.listen` set, /metrics lives on its own listener only (see instance.ts).
  if (parts.metricsOnMainListener !== false) {
    root.get('/metrics', async (ctx) => {
      const answer = await parts.metrics.endpoint.scrape(ctx.get('authorization') || undefined);
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.type = answer.contentType;
      ctx.body = answer.body;
    });
  }
  if (parts.tracker) {
    const tracker = parts.tracker;
    for (const action of ['announce', 'scrape'] as const) {
      root.get(`/tracker/${action}`, (ctx) => {
        ctx.respond = false;
        tracker.handleHttp(ctx.req, ctx.res, action);
      });
    }
  }
  app.use(root.routes());
  for (const m of parts.beforeStatic ?? []) app.use(m);
  app.use(createStaticRouter(parts.staticMounts));
  for (const r of parts.rootRouters ?? []) app.use(r.routes());

  const api = new Router({ prefix: '/api/v1' });
  api.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '1mb', formLimit: '256kb', encoding: 'utf-8' }));
  api.use(storableInputMiddleware());
  for (const r of parts.apiRouters) api.use(r.routes(), r.allowedMethods());
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
