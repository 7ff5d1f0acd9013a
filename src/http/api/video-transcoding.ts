import Router from '@koa/router';
import { z } from 'zod';
import type { TranscodeRerun } from '../../videos/transcode-rerun.js';
import type { Auth } from '../auth.js';
import { validate } from '../middleware.js';
import { Problem } from '../problem.js';

const bodySchema = z.object({
  transcodingType: z.enum(['hls', 'web-video']),
  forceTranscoding: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true').optional(),
});

/**
 * PeerTube's `POST /api/v1/videos/:id/transcoding` (204). Its RUN_VIDEO_TRANSCODING right belongs to
 * administrators only, as MANAGE_JOBS does here.
 */
export function videoTranscodingRouter(deps: { auth: Auth; rerun: TranscodeRerun }): Router {
  const router = new Router();
  router.post('/videos/:id/transcoding', deps.auth.required, deps.auth.right('MANAGE_JOBS'), async (ctx) => {
    const body = validate(bodySchema, ctx.request.body ?? {}, 'transcoding request');
    const result = await deps.rerun(ctx.params.id ?? '', body);
    if (!result.ok) {
      const status = result.reason.type === 'not-found' ? 404 : result.reason.type === 'already-transcoding' ? 409 : 400;
      throw new Problem(status, result.reason.message, result.reason.type === 'already-transcoding' ? 'video_already_being_transcoded' : undefined);
    }
    ctx.status = 204;
  });
  return router;
}
