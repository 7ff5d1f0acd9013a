import Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type Koa from 'koa';
import { ADMIN_PAGES, adminPage, loginPage, type InstanceFacts } from './admin-pages.js';

/** The cookie the console's script keeps the administrator's access token in (path /admin). */
export const ADMIN_TOKEN_COOKIE = 'mirrortube_admin';

/** Who holds an access token (null: none, expired or revoked). */
export type AdminGate = (accessToken: string) => Promise<{ username: string; isAdmin: boolean } | null>;

const ASSETS: Record<string, { file: URL; type: string }> = {
  'console.js': { file: new URL('./assets/console.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  'console.css': { file: new URL('./assets/console.css', import.meta.url), type: 'text/css; charset=utf-8' },
};

// the console's pages call the API of this instance only; nothing is framed or loaded from elsewhere
const CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** A `next` that stays inside the console. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/admin\/[a-z-]*$/.test(value) ? value : '/admin/redundancy';
}

/**
 * The operator console's pages under /admin: server-rendered shells that a script fills from the
 * REST API with the administrator's token. Each page answers only to an administrator's token
 * (kept in a cookie by the login page); others are sent to the login page.
 */
export function adminPagesRouter(deps: {
  instanceName: string;
  gate: AdminGate;
  facts(): InstanceFacts;
  /** grafana/dashboards/*.json, served to administrators */
  dashboardsDir: URL;
}): Router {
  const router = new Router();
  const send = (ctx: Koa.Context, status: number, body: string) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('cache-control', 'no-store');
    ctx.set('content-security-policy', CSP);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('referrer-policy', 'same-origin');
    ctx.body = body;
  };

  /** the administrator behind the cookie, or an answer already sent */
  async function admin(ctx: Koa.Context): Promise<string | null> {
    const token = ctx.cookies.get(ADMIN_TOKEN_COOKIE);
    const who = token ? await deps.gate(token) : null;
    if (!who) {
      ctx.redirect(`/admin/login?next=${encodeURIComponent(ctx.path)}`);
      ctx.set('cache-control', 'no-store');
      return null;
    }
    if (!who.isAdmin) {
      send(ctx, 403, loginPage({ instanceName: deps.instanceName, next: safeNext(ctx.path), error: `${who.username} is not an administrator: log in with an administrator account.` }));
      return null;
    }
    return who.username;
  }

  router.get('/admin', (ctx) => {
    ctx.redirect('/admin/redundancy');
  });
  router.get('/admin/login', (ctx) => {
    send(ctx, 200, loginPage({ instanceName: deps.instanceName, next: safeNext(ctx.query.next) }));
  });
  for (const p of ADMIN_PAGES) {
    router.get(p.path, async (ctx) => {
      const user = await admin(ctx);
      if (user === null) return;
      send(ctx, 200, adminPage(p.id, { instanceName: deps.instanceName, user, facts: deps.facts }));
    });
  }
  router.get('/admin/assets/:name', async (ctx) => {
    const asset = ASSETS[ctx.params.name ?? ''];
    if (!asset) return;
    ctx.type = asset.type;
    ctx.set('cache-control', 'no-cache');
    ctx.set('x-content-type-options', 'nosniff');
    ctx.body = await readFile(asset.file);
  });
  router.get('/admin/grafana/:file', async (ctx) => {
    if ((await admin(ctx)) === null) return;
    const file = basename(ctx.params.file ?? '');
    if (!/^[a-z0-9-]+\.json$/.test(file)) return;
    const body = await readFile(new URL(file, deps.dashboardsDir)).catch(() => null);
    if (!body) return;
    ctx.type = 'application/json';
    ctx.attachment(file);
    ctx.body = body;
  });
  return router;
}
