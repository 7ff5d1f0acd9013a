import type Koa from 'koa';
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import { findUnstorableText, type UnstorableText } from '../lib/unstorable-text.js';
import { Problem, problemBody } from './problem.js';

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
  refuseUnstorable(input, what);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new Problem(400, `invalid ${what}: ${detail}`, undefined, { invalidParams: parsed.error.issues.map((i) => i.path.join('.')) });
  }
  return parsed.data;
}

/** A field name for a path of `findUnstorableText` (`$.tags[1]` → `tags[1]`). */
const fieldOf = (at: UnstorableText): string => at.path.replace(/^\$\.?/, '');

/**
 * Throws a 400 naming the first string of `input` that PostgreSQL cannot store (a NUL character or
 * a lone UTF-16 surrogate), so such input is refused at the border and never fails (500) in the
 * database, whichever handler it reaches.
 */
export function refuseUnstorable(input: unknown, what: string): void {
  const at = findUnstorableText(input);
  if (!at) return;
  const field = fieldOf(at) || what;
  const holds = at.problem === 'nul-character' ? 'NUL characters' : 'lone UTF-16 surrogates';
  throw new Problem(400, `invalid ${what}: ${field}: must not contain ${holds}`, undefined, { invalidParams: [field] });
}

/**
 * Refuses (400) a parsed request body or query string holding text PostgreSQL cannot store, for
 * every API route at once (handlers that read the body without `validate` included).
 */
export function storableInputMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    refuseUnstorable(ctx.query, 'query');
    refuseUnstorable((ctx.request as { body?: unknown }).body, 'request');
    await next();
  };
}

/** PeerTube's pagination query (start, count, sort). */
export const paginationSchema = z.object({
  start: z.coerce.number().int().min(0).default(0),
  count: z.coerce.number().int().min(0).max(100).default(15),
  sort: z.string().max(50).optional(),
});
