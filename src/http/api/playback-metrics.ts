import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { parsePlaybackReport, type PlaybackReport } from '../../metrics/index.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { Problem } from '../problem.js';
import type Koa from 'koa';
import type { Auth, AuthState } from '../auth.js';
import { videoAccess } from '../../videos/video-access.js';
import type { VideoAccessStore } from '../../videos/video-access-store.js';

/**
 * PeerTube's `POST /api/v1/metrics/playback`: the player's figures since its previous report
 * (bytes over P2P and HTTP, peers, errors, stalls, resolution). Validated like PeerTube does
 * (400 naming the wrong fields; 404 for an unknown video), counted in metrics without any
 * per-video label, answered 204.
 */
export function playbackMetricsRouter(deps: {
  /** the reported video, by id, uuid or short uuid */
  videos: Pick<VideoAccessStore, 'byWhere'>;
  /** `seen`: the video's id and an opaque key of the reporting player (its address and user agent, hashed) */
  record(report: PlaybackReport, seen: { videoId: number; reporter: string }): void;
  /** with both: a video the caller may not see answers as a missing one (404), so its id is not revealed */
  auth?: Auth;
  access?: VideoAccessStore;
}): Router {
  const router = new Router();
  const noAuth: Koa.Middleware = (_ctx, next) => next();
  router.post('/metrics/playback', deps.auth?.optional ?? noAuth, async (ctx) => {
    const parsed = parsePlaybackReport(ctx.request.body);
    if (!parsed.ok) throw new Problem(400, `invalid playback metrics: ${parsed.reason.message}`, undefined, { invalidParams: parsed.reason.fields });
    const report = parsed.value;
    const where = parseVideoRef(String(report.videoId));
    const video = where ? await deps.videos.byWhere(where) : null;
    if (!video) throw new Problem(404, 'Video not found');
    if (deps.access) {
      const seen = await deps.access.byWhere({ id: video.id });
      if (!seen || videoAccess((ctx.state as AuthState).user, seen) !== null) throw new Problem(404, 'Video not found');
    }
    deps.record(report, { videoId: video.id, reporter: createHash('sha256').update(`${ctx.ip}\n${ctx.get('user-agent')}`).digest('base64url').slice(0, 22) });
    ctx.status = 204;
  });
  return router;
}
