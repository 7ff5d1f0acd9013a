import Router from '@koa/router';
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { hasRight } from '../accounts/index.js';
import type { Auth, AuthState } from '../http/auth.js';
import { currentUser } from '../http/auth.js';
import { validate } from '../http/middleware.js';
import { Problem } from '../http/problem.js';
import { loadVisibleVideo } from '../http/api/visible-video.js';
import { VIDEO_PRIVACIES } from '../videos/constants.js';
import { collectFormFields, rowId, videoAttributesSchema } from '../videos/upload/upload-metadata.js';
import type { VideoQueries } from '../videos/video-queries.js';
import type { LiveRefusal, LiveService, LiveViewer } from './live-service.js';

const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');
const intish = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const latencyMode = intish.refine((m) => m === 1 || m === 2 || m === 3, 'latencyMode is 1 (default), 2 (high) or 3 (small)');
const replaySettings = z.object({ privacy: intish.refine((p) => p in VIDEO_PRIVACIES && p !== 5, 'unknown privacy') });

const liveCreateSchema = videoAttributesSchema.extend({
  channelId: rowId,
  saveReplay: boolish.optional(),
  permanentLive: boolish.optional(),
  latencyMode: latencyMode.optional(),
  replaySettings: replaySettings.optional(),
});

const liveUpdateSchema = z.object({
  saveReplay: boolish.optional(),
  permanentLive: boolish.optional(),
  latencyMode: latencyMode.optional(),
  replaySettings: replaySettings.nullable().optional(),
});

const STATUS: Record<LiveRefusal['type'], number> = {
  live_not_enabled: 403,
  live_not_allowing_replay: 403,
  max_instance_lives_limit_reached: 403,
  max_user_lives_limit_reached: 403,
  'not-your-channel': 403,
  'not-found': 404,
  'not-yours': 403,
  'live-running': 400,
};

function refused(reason: LiveRefusal): Problem {
  return new Problem(STATUS[reason.type], reason.message, reason.type.includes('_') ? reason.type : undefined);
}

/** The fields of a multipart/form-data body (PeerTube's client posts lives that way); files are skipped. */
function readFormFields(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const pairs: [string, string][] = [];
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fields: 100, fieldSize: 64 * 1024, files: 2, fileSize: 8 * 1024 * 1024 } });
    } catch (err) {
      reject(new Problem(400, `malformed multipart body: ${String(err)}`));
      return;
    }
    parser.on('field', (name, value) => pairs.push([name, value]));
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', (err) => reject(new Problem(400, `malformed multipart body: ${String(err)}`)));
    parser.on('close', () => resolve(collectFormFields(pairs)));
    req.pipe(parser);
  });
}

/** "replaySettings[privacy]" from a form: nested like JSON's. */
function nestReplaySettings(body: Record<string, unknown>): Record<string, unknown> {
  const privacy = body['replaySettings[privacy]'];
  if (privacy === undefined) return body;
  const { ['replaySettings[privacy]']: _drop, ...rest } = body;
  return { ...rest, replaySettings: { privacy } };
}

/** PeerTube's live API: POST /videos/live, GET|PUT /videos/live/:id, GET /videos/live/:id/sessions, GET /videos/:id/live-session. */
export function liveRouter(deps: { service: LiveService; queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }): Router {
  const router = new Router();
  const viewerOf = (state: AuthState): LiveViewer | null => (state.user ? { userId: state.user.id, canManageAny: hasRight(state.user.role, 'MANAGE_ANY_VIDEO') } : null);

  router.post('/videos/live', deps.auth.required, async (ctx) => {
    const raw = ctx.is('multipart/form-data') ? await readFormFields(ctx.req) : ((ctx.request.body ?? {}) as Record<string, unknown>);
    const input = validate(liveCreateSchema, nestReplaySettings(raw), 'live');
    const created = await deps.service.create(currentUser(ctx).id, input);
    if (!created.ok) throw refused(created.reason);
    ctx.body = { video: created.value };
  });

  router.get('/videos/live/:id', deps.auth.optional, async (ctx) => {
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.id ?? '');
    const live = await deps.service.get(video.id, viewerOf(ctx.state as AuthState));
    if (!live.ok) throw refused(live.reason);
    ctx.body = live.value;
  });

  router.put('/videos/live/:id', deps.auth.required, async (ctx) => {
    const patch = validate(liveUpdateSchema, ctx.request.body ?? {}, 'live update');
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.id ?? '');
    const updated = await deps.service.update(video.id, viewerOf(ctx.state as AuthState)!, patch);
    if (!updated.ok) throw refused(updated.reason);
    ctx.status = 204;
  });

  router.get('/videos/live/:id/sessions', deps.auth.required, async (ctx) => {
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.id ?? '');
    const sessions = await deps.service.sessions(video.id, viewerOf(ctx.state as AuthState)!);
    if (!sessions.ok) throw refused(sessions.reason);
    ctx.body = sessions.value;
  });

  router.get('/videos/:id/live-session', deps.auth.optional, async (ctx) => {
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.id ?? '');
    const session = await deps.service.sessionOfReplay(video.id);
    if (!session.ok) throw refused(session.reason);
    ctx.body = session.value;
  });

  return router;
}
