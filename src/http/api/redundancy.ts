import Router from '@koa/router';
import { z } from 'zod';
import type { InstanceActorStore } from '../../accounts/index.js';
import type { Auth } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { dbIdSchema, parseDbId } from '../../lib/db-id.js';
import type { RedundancyAdminStore } from './redundancy-admin-store.js';

/** What the redundancy API asks of the engine. */
export interface RedundancyEnginePort {
  /** a manual copy of a remote video; refusals: local/live (400), unknown (404), already mirrored (409) */
  addManual(videoId: number): Promise<{ ok: true; redundancyId: number } | { ok: false; status: 400 | 404 | 409; message: string }>;
  /** withdraws and deletes one of our copies */
  evict(redundancyId: number, reason: string): Promise<boolean>;
  /** the admin changed whether a host's videos may be mirrored */
  hostPolicyChanged(host: string): Promise<void>;
}

const listQuery = paginationSchema.extend({
  target: z.enum(['my-videos', 'remote-videos']),
  sort: z.enum(['name', '-name']).optional(),
});

/**
 * PeerTube's redundancy admin API: `PUT /server/redundancy/:host`, `GET|POST /server/redundancy/videos`,
 * `DELETE /server/redundancy/videos/:redundancyId`.
 */
export function redundancyRouter(deps: {
  store: RedundancyAdminStore;
  instanceActor: InstanceActorStore;
  auth: Auth;
  engine: RedundancyEnginePort;
  /** our policy endpoint: read and replace `redundancy.videos` at run time (stored, versioned) */
  policy: {
    get(): Record<string, unknown>;
    set(input: unknown, setBy: string | null): Promise<{ ok: true } | { ok: false; errors: string[] }>;
    changed(): Promise<unknown>;
  };
  /** a failure of the plan run right after a policy change (the change is made; the next tick plans again) */
  onPlanError?(err: unknown): void;
  /** bytes served and downloaded per video (seeding ratios), added to each entry (ours) */
  transfers?: { videoSummaries(uuids: readonly string[]): Promise<Map<string, { uploadedBytes: number; downloadedBytes: number; ratio: number | null }>> };
}): Router {
  const { store, auth } = deps;
  const router = new Router();
  const admin = [auth.required, auth.right('MANAGE_VIDEOS_REDUNDANCIES')] as const;

  // Ours (PeerTube has no such endpoint): the mirroring policy, in the config file's shape.
  router.get('/server/redundancy/policy', ...admin, (ctx) => {
    ctx.body = deps.policy.get();
  });
  router.put('/server/redundancy/policy', ...admin, async (ctx) => {
    // only JSON (the body parser also reads forms, and a YAML or text body must not become `{}`)
    if (!ctx.is('application/json')) throw new Problem(415, 'the policy must be sent as application/json (the config file\'s redundancy.videos section, as JSON)');
    const setBy = (ctx.state as { user?: { username?: string } }).user?.username ?? null;
    const result = await deps.policy.set(ctx.request.body, setBy);
    if (!result.ok) throw new Problem(400, `invalid redundancy policy: ${result.errors.join('; ')}`, undefined, { errors: result.errors });
    try {
      await deps.policy.changed();
    } catch (err) {
      // the policy is stored and in force: the scheduler's next tick carries it out
      deps.onPlanError?.(err);
    }
    ctx.body = deps.policy.get();
  });

  router.put('/server/redundancy/:host', ...admin, async (ctx) => {
    const body = validate(z.object({ redundancyAllowed: z.boolean() }), ctx.request.body ?? {}, 'redundancy setting');
    const host = (ctx.params.host ?? '').toLowerCase();
    if (!(await store.hostKnown(host))) throw new Problem(404, `${host} is neither followed nor following`);
    await store.setRedundancyAllowed(host, body.redundancyAllowed);
    await deps.engine.hostPolicyChanged(host);
    ctx.status = 204;
  });

  router.get('/server/redundancy/videos', ...admin, async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    const instance = await deps.instanceActor.instanceActor();
    const { total, videos } = await store.listCopied({ target: q.target, instanceActorId: instance.id, start: q.start, count: q.count, descending: q.sort === '-name' });
    const summaries = (await deps.transfers?.videoSummaries(videos.map((v) => v.uuid))) ?? new Map();
    ctx.body = {
      total,
      data: videos.map((v) => ({
        id: v.id,
        name: v.name,
        url: v.url,
        uuid: v.uuid,
        redundancies: {
          files: v.fileCopies.map((r) => ({
            id: r.id,
            fileUrl: r.fileUrl,
            strategy: null,
            createdAt: r.createdAt.toISOString(),
            updatedAt: r.updatedAt.toISOString(),
            expiresOn: r.expiresOn?.toISOString() ?? null,
            size: Number(r.sizeBytes),
          })),
          streamingPlaylists: v.streamingPlaylistCopies.map((r) => ({
            id: r.id,
            fileUrl: r.fileUrl,
            strategy: r.strategy,
            createdAt: r.createdAt.toISOString(),
            updatedAt: r.updatedAt.toISOString(),
            expiresOn: r.expiresOn?.toISOString() ?? null,
            size: Number(r.sizeBytes),
            // ours: what this copy served and cost (the video's totals on this instance)
            uploadedBytes: summaries.get(v.uuid)?.uploadedBytes ?? 0,
            downloadedBytes: summaries.get(v.uuid)?.downloadedBytes ?? 0,
            ratio: summaries.get(v.uuid)?.ratio ?? null,
          })),
        },
      })),
    };
  });

  router.post('/server/redundancy/videos', ...admin, async (ctx) => {
    const body = validate(z.object({ videoId: dbIdSchema }), ctx.request.body ?? {}, 'redundancy request');
    const result = await deps.engine.addManual(body.videoId);
    if (!result.ok) throw new Problem(result.status, result.message);
    ctx.status = 204;
  });

  router.delete('/server/redundancy/videos/:redundancyId', ...admin, async (ctx) => {
    const id = parseDbId(ctx.params.redundancyId);
    if (id === null) throw new Problem(400, 'redundancyId must be a positive integer');
    if (!(await deps.engine.evict(id, 'removed by an administrator'))) throw new Problem(404, 'Video redundancy not found');
    ctx.status = 204;
  });
  return router;
}
