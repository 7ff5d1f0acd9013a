import Router from '@koa/router';
import type { Prisma } from '../../db/index.js';
import { parsePlaybackReport, type PlaybackReport } from '../../metrics/index.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { Problem } from '../problem.js';

/**
 * PeerTube's `POST /api/v1/metrics/playback`: the player's figures since its previous report
 * (bytes over P2P and HTTP, peers, errors, stalls, resolution). Validated like PeerTube does
 * (400 naming the wrong fields; 404 for an unknown video), counted in metrics without any
 * per-video label, answered 204.
 */
export function playbackMetricsRouter(deps: { prisma: Prisma; record(report: PlaybackReport): void }): Router {
  const router = new Router();
  router.post('/metrics/playback', async (ctx) => {
    const parsed = parsePlaybackReport(ctx.request.body);
    if (!parsed.ok) throw new Problem(400, `invalid playback metrics: ${parsed.reason.message}`, undefined, { invalidParams: parsed.reason.fields });
    const report = parsed.value;
    const where = parseVideoRef(String(report.videoId));
    const video = where ? await deps.prisma.video.findUnique({ where, select: { id: true } }) : null;
    if (!video) throw new Problem(404, 'Video not found');
    deps.record(report);
    ctx.status = 204;
  });
  return router;
}
