import type Koa from 'koa';
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import { Problem, problemBody } from './problem.js';
import { findNulCharacter } from './nul-characters.js';

/** Maps thrown Problems (and koa/body-parser HTTP errors) to problem+json; logs real failures. */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) {
        ctx.status = 404;
        ctx.type = 'application/problem+json';
        ctx.body = problemBody(404, `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      if (err instanceof Problem) {
        ctx.status = err.status;
        ctx.type = 'application/problem+json';
        ctx.body = problemBody(err.status, err.detail, err.code, err.extra);
        return;
      }
      if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
        ctx.status = e.status;
        ctx.type = 'application/problem+json';
        ctx.body = problemBody(e.status, e.expose && e.message ? e.message : 'bad request');
        return;
      }
      logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.type = 'application/problem+json';
      ctx.body = problemBody(500, 'internal error');
    }
  };
}

/** Validates `input` with a zod schema, or answers 400 naming the fields that are wrong. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const nul = findNulCharacter(input);
  if (nul !== null) throw new Problem(400, `invalid ${what}: ${nul}: must not contain NUL characters`, undefined, { invalidParams: [nul] });
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new Problem(400, `invalid ${what}: ${detail}`, undefined, { invalidParams: parsed.error.issues.map((i) => i.path.join('.')) });
  }
  return parsed.data;
}

/** PeerTube's pagination query (start, count, sort). */
export const paginationSchema = z.object({
  start: z.coerce.number().int().min(0).default(0),
  count: z.coerce.number().int().min(0).max(100).default(15),
  sort: z.string().max(50).optional(),
});
