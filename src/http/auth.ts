import type Koa from 'koa';
import type { AccountService, TokenService, UserRight } from '../accounts/index.js';
import { hasRight } from '../accounts/index.js';
import { Problem } from './problem.js';

export type AuthedUser = NonNullable<Awaited<ReturnType<AccountService['getUser']>>>;

export interface AuthState {
  user?: AuthedUser;
}

/** Reads a bearer token when present; `required` answers 401 without one. */
export function createAuth(deps: { tokens: TokenService; accounts: AccountService }) {
  async function resolve(ctx: Koa.Context): Promise<AuthedUser | undefined> {
    const header = ctx.get('authorization');
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw new Problem(401, 'malformed Authorization header: expected "Bearer <token>"', 'invalid_token');
    const result = await deps.tokens.authenticate(m[1]);
    if (!result.ok) {
      throw new Problem(401, 'message' in result.reason ? result.reason.message : 'this user is blocked', 'invalid_token');
    }
    const user = await deps.accounts.getUser(result.value.userId);
    if (!user) throw new Problem(401, 'Invalid token', 'invalid_token');
    return user;
  }

  const optional: Koa.Middleware = async (ctx, next) => {
    (ctx.state as AuthState).user = await resolve(ctx);
    await next();
  };

  const required: Koa.Middleware = async (ctx, next) => {
    const user = await resolve(ctx);
    if (!user) throw new Problem(401, 'Authentication is required: send "Authorization: Bearer <token>"');
    (ctx.state as AuthState).user = user;
    await next();
  };

  const right =
    (r: UserRight): Koa.Middleware =>
    async (ctx, next) => {
      const user = (ctx.state as AuthState).user;
      if (!user) throw new Problem(401, 'Authentication is required');
      if (!hasRight(user.role, r)) throw new Problem(403, `User has not the right to do this (${r})`);
      await next();
    };

  return { optional, required, right };
}

export type Auth = ReturnType<typeof createAuth>;

export function currentUser(ctx: Koa.Context): AuthedUser {
  const user = (ctx.state as AuthState).user;
  if (!user) throw new Problem(401, 'Authentication is required');
  return user;
}
