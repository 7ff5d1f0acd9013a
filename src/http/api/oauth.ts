import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../../accounts/index.js';
import { Problem } from '../problem.js';
import { validate } from '../middleware.js';

const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('password'), client_id: z.string(), client_secret: z.string(), username: z.string().min(1), password: z.string().min(1) }),
  z.object({ grant_type: z.literal('refresh_token'), client_id: z.string(), client_secret: z.string(), refresh_token: z.string().min(1) }),
]);

/** GET /oauth-clients/local, POST /users/token, POST /users/revoke-token (PeerTube's session API). */
export function oauthRouter(deps: { tokens: TokenService }): Router {
  const router = new Router();
  router.get('/oauth-clients/local', async (ctx) => {
    ctx.body = await deps.tokens.getLocalClient();
  });

  router.post('/users/token', async (ctx) => {
    const body = validate(tokenRequest, ctx.request.body ?? {}, 'token request');
    if (!(await deps.tokens.checkClient(body.client_id, body.client_secret))) {
      throw new Problem(400, 'Invalid client: client is invalid', 'invalid_client');
    }
    const result = body.grant_type === 'password' ? await deps.tokens.grantPassword(body.username, body.password) : await deps.tokens.grantRefresh(body.refresh_token);
    if (!result.ok) {
      if (result.reason.type === 'user-blocked') throw new Problem(400, 'Invalid grant: user is blocked', 'invalid_grant');
      throw new Problem(400, 'message' in result.reason ? result.reason.message : 'Invalid grant', 'invalid_grant');
    }
    ctx.body = result.value;
  });

  router.post('/users/revoke-token', async (ctx) => {
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    if (!m?.[1]) throw new Problem(401, 'Authentication is required');
    await deps.tokens.revoke(m[1]);
    ctx.body = {};
  });
  return router;
}
