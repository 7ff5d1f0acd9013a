import { z } from 'zod';
import type { ActivityHandler } from '../federation/inbox/process-activity.js';
import type { ViewsService } from './views-service.js';

const viewActivity = z.object({
  object: z.union([z.string().url(), z.object({ id: z.string().url() }).transform((o) => o.id)]),
  expires: z.iso.datetime({ offset: true }).optional(),
  result: z.object({ userInteractionCount: z.number().int().min(0).max(10_000_000) }).optional(),
});

/** The inbound `View`: a viewer ping (with `expires`) or one view (without). */
export function createViewHandler(views: Pick<ViewsService, 'processRemoteView'>): ActivityHandler {
  return async (activity) => {
    const parsed = viewActivity.safeParse(activity.body);
    if (!parsed.success) return { status: 'skipped', why: `invalid View: ${parsed.error.issues[0]?.message ?? 'unreadable'}` };
    const outcome = await views.processRemoteView({
      activityId: activity.id,
      videoUrl: parsed.data.object,
      expires: parsed.data.expires ? new Date(parsed.data.expires) : undefined,
      viewersCount: parsed.data.result?.userInteractionCount,
    });
    return outcome === 'unknown-video' ? { status: 'skipped', why: 'View of a video we do not know' } : { status: 'processed' };
  };
}
