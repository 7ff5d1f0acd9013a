import Router from '@koa/router';
import type Koa from 'koa';
import { refusalMessage, refusalStatus, type ActivityReceiver } from '../../federation/inbox/receive-activity.js';
import { Problem } from '../problem.js';

/** Reads the raw body (needed for the Digest) up to `limit` bytes; null when it is larger. */
async function readBody(ctx: Koa.Context, limit: number): Promise<Buffer | null> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** POST /inbox (shared), /accounts/:name/inbox, /video-channels/:name/inbox. */
export function inboxRouter(deps: { receiver: ActivityReceiver; maxBodyBytes: number }): Router {
  const router = new Router();
  const handle = async (ctx: Koa.Context) => {
    // a delivery's socket is not kept: no client reuses it after we timed it out (issue 9, item 10)
    ctx.set('Connection', 'close');
    const body = await readBody(ctx, deps.maxBodyBytes);
    if (body === null) throw new Problem(413, `the activity is larger than ${deps.maxBodyBytes} bytes`);
    const result = await deps.receiver.receive({ method: ctx.method, path: ctx.originalUrl, headers: ctx.headers, body });
    if (!result.ok) throw new Problem(refusalStatus(result.reason), refusalMessage(result.reason));
    ctx.status = 204;
  };
  router.post('/inbox', handle);
  router.post('/accounts/:name/inbox', handle);
  router.post('/video-channels/:name/inbox', handle);
  return router;
}
