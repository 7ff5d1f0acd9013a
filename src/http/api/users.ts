import Router from '@koa/router';
import { z } from 'zod';
import type { AccountService } from '../../accounts/index.js';
import { UserRole } from '../../accounts/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Auth } from '../auth.js';
import { currentUser } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { formatAccount, formatChannel, formatUser } from './format/account.js';

const newUserSchema = z.object({
  username: z.string().min(1).max(50),
  password: z.string().min(6).max(255),
  email: z.string().email(),
  role: z.coerce.number().int().refine((r) => Object.values(UserRole).includes(r as 0 | 1 | 2), 'unknown role'),
  videoQuota: z.coerce.number().int().min(-1).optional(),
  videoQuotaDaily: z.coerce.number().int().min(-1).optional(),
  channelName: z.string().min(1).max(50).optional(),
});

export interface QuotaReader {
  quotaUsed(userId: number): Promise<{ total: number; daily: number }>;
}

/** Users, accounts and channels (PeerTube's shapes). */
export function usersRouter(deps: { accounts: AccountService; urls: InstanceUrls; auth: Auth; quota: QuotaReader }): Router {
  const { accounts, urls, auth } = deps;
  const router = new Router();

  router.get('/users/me', auth.required, async (ctx) => {
    const user = currentUser(ctx);
    const used = await deps.quota.quotaUsed(user.id);
    ctx.body = formatUser(user, urls, { videoQuotaUsed: used.total, videoQuotaUsedDaily: used.daily });
  });

  router.get('/users/me/video-quota-used', auth.required, async (ctx) => {
    const used = await deps.quota.quotaUsed(currentUser(ctx).id);
    ctx.body = { videoQuotaUsed: used.total, videoQuotaUsedDaily: used.daily };
  });

  router.post('/users', auth.required, auth.right('MANAGE_USERS'), async (ctx) => {
    const body = validate(newUserSchema, ctx.request.body ?? {}, 'user');
    const result = await accounts.createUser(body);
    if (!result.ok) throw new Problem(result.reason.type === 'invalid-username' ? 400 : 409, result.reason.message);
    ctx.body = { user: { id: result.value.userId, account: { id: result.value.accountId } } };
  });

  router.get('/users', auth.required, auth.right('MANAGE_USERS'), async (ctx) => {
    const q = validate(paginationSchema, ctx.query, 'query');
    const [users, total] = await accounts.listUsers(q);
    ctx.body = { total, data: users.map((u) => formatUser(u, urls)) };
  });

  router.get('/accounts/:name', async (ctx) => {
    const account = await accounts.findAccountByName(ctx.params.name ?? '');
    if (!account) throw new Problem(404, 'Account not found');
    ctx.body = formatAccount(account, urls);
  });

  router.get('/video-channels', async (ctx) => {
    const q = validate(paginationSchema, ctx.query, 'query');
    const [channels, total] = await accounts.listChannels(q);
    ctx.body = { total, data: channels.map((c) => formatChannel(c, urls)) };
  });

  router.get('/video-channels/:name', async (ctx) => {
    const channel = await accounts.findChannel(ctx.params.name ?? '');
    if (!channel) throw new Problem(404, 'Video channel not found');
    ctx.body = formatChannel(channel, urls);
  });
  return router;
}
