import Router from '@koa/router';
import { z } from 'zod';
import type { FollowService, FollowWithActors } from '../../federation/follows/follows.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Auth } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import type { RedundancyAdminStore } from './redundancy-admin-store.js';

/** The fields of an actor a follow list shows. */
interface FollowActor {
  id: number;
  url: string;
  preferredUsername: string;
  host: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const followBody = z
  .object({
    hosts: z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be a host name')).max(100).optional(),
    handles: z.array(z.string().regex(/^[^@\s]+@[a-z0-9.-]+(:\d{1,5})?$/i, 'must be name@host')).max(100).optional(),
  })
  .refine((b) => (b.hosts?.length ?? 0) + (b.handles?.length ?? 0) > 0, 'give at least one host or handle');

const listQuery = paginationSchema.extend({ state: z.enum(['pending', 'accepted']).optional() });

/** PeerTube's Actor (in follow lists). */
function formatActor(actor: FollowActor, urls: InstanceUrls, redundancyAllowed: Map<string, boolean>) {
  return {
    id: actor.id,
    url: actor.url,
    name: actor.preferredUsername,
    host: actor.host ?? urls.host,
    avatars: [],
    hostRedundancyAllowed: actor.host ? (redundancyAllowed.get(actor.host) ?? false) : false,
    followingCount: 0,
    followersCount: 0,
    createdAt: actor.createdAt.toISOString(),
    updatedAt: actor.updatedAt.toISOString(),
  };
}

/** /api/v1/server/following and /api/v1/server/followers (PeerTube's instance follows API). */
export function followsRouter(deps: { follows: FollowService; hosts: Pick<RedundancyAdminStore, 'redundancyAllowed'>; urls: InstanceUrls; auth: Auth; afterUnfollow?(host: string): Promise<void> }): Router {
  const { auth, follows } = deps;
  const router = new Router();

  async function format(rows: FollowWithActors[]) {
    const hosts = [...new Set(rows.flatMap((r) => [r.follower.host, r.following.host]).filter((h): h is string => h !== null))];
    const allowed = await deps.hosts.redundancyAllowed(hosts);
    return rows.map((r) => ({
      id: r.id,
      follower: formatActor(r.follower, deps.urls, allowed),
      following: formatActor(r.following, deps.urls, allowed),
      score: 1000,
      state: r.state,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }));
  }

  for (const direction of ['following', 'followers'] as const) {
    router.get(`/server/${direction}`, async (ctx) => {
      const q = validate(listQuery, ctx.query, 'query');
      if (q.sort === '-redundancyAllowed' || q.sort === 'redundancyAllowed') {
        // PeerTube's sort on the followed host's redundancy switch: sort the whole list here
        const all = await follows.list(direction, { ...q, start: 0, count: 10_000, sort: undefined });
        const formatted = await format(all.data);
        const key = (f: (typeof formatted)[number]) => (direction === 'following' ? f.following : f.follower).hostRedundancyAllowed;
        formatted.sort((a, b) => (Number(key(b)) - Number(key(a))) * (q.sort === 'redundancyAllowed' ? -1 : 1) || a.id - b.id);
        ctx.body = { total: all.total, data: formatted.slice(q.start, q.start + q.count) };
        return;
      }
      const { total, data } = await follows.list(direction, q);
      ctx.body = { total, data: await format(data) };
    });
  }

  router.post('/server/following', auth.required, auth.right('MANAGE_SERVER_FOLLOW'), async (ctx) => {
    const body = validate(followBody, ctx.request.body ?? {}, 'follow request');
    const targets = [...(body.hosts ?? []).map((host) => ({ host })), ...(body.handles ?? []).map((handle) => ({ handle }))];
    const failures: string[] = [];
    for (const target of targets) {
      const result = await follows.follow(target);
      if (!result.ok) failures.push(`${'host' in target ? target.host : target.handle}: ${result.reason.message}`);
    }
    if (failures.length > 0) throw new Problem(400, `could not follow ${failures.join('; ')}`);
    ctx.status = 204;
  });

  router.delete('/server/following/:hostOrHandle', auth.required, auth.right('MANAGE_SERVER_FOLLOW'), async (ctx) => {
    const target = ctx.params.hostOrHandle ?? '';
    const result = await follows.unfollow(target);
    if (!result.ok) throw new Problem(404, result.reason.message);
    // PeerTube removes its copies of an instance it stops following
    await deps.afterUnfollow?.(target.includes('@') ? (target.split('@')[1] ?? target) : target);
    ctx.status = 204;
  });

  for (const action of ['accept', 'reject'] as const) {
    router.post(`/server/followers/:nameWithHost/${action}`, auth.required, auth.right('MANAGE_SERVER_FOLLOW'), async (ctx) => {
      const result = await follows.setFollowerState(ctx.params.nameWithHost ?? '', action === 'accept');
      if (!result.ok) throw new Problem(404, result.reason.message);
      ctx.status = 204;
    });
  }

  router.delete('/server/followers/:nameWithHost', auth.required, auth.right('MANAGE_SERVER_FOLLOW'), async (ctx) => {
    const result = await follows.removeFollower(ctx.params.nameWithHost ?? '');
    if (!result.ok) throw new Problem(404, result.reason.message);
    ctx.status = 204;
  });
  return router;
}
