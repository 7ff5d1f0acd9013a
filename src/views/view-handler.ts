import { z } from 'zod';
import type { ActivityHandler } from '../federation/inbox/process-activity.js';
import type { ViewsService } from './views-service.js';

const viewActivity = z.object({
  object: z.union([z.string().url(), z.object({ id: z.string().url() }).transform((o) => o.id)]),
  expires: z.iso.datetime({ offset: true }).optional(),
  /** PeerTube < 6.1 */
  expiration: z.iso.datetime({ offset: true }).optional(),
  result: z.object({ interactionType: z.string(), type: z.string(), userInteractionCount: z.coerce.number().int().min(0).max(10_000_000) }).optional(),
});

/** The inbound `View`: a viewer ping (with `expires`) or one view (without). */
export function createViewHandler(views: Pick<ViewsService, 'processRemoteView'>): ActivityHandler {
  return async (activity) => {
    const parsed = viewActivity.safeParse(activity.body);
    if (!parsed.success) return { status: 'skipped', why: `invalid View: ${parsed.error.issues[0]?.message ?? 'unreadable'}` };
    const { object, result } = parsed.data;
    const expires = parsed.data.expires ?? parsed.data.expiration;
    // an origin's count of its viewers: a WatchAction InteractionCounter on a viewer ping (PeerTube's viewer protocol v2)
    const counter = expires && result?.interactionType === 'WatchAction' && result.type === 'InteractionCounter' ? result.userInteractionCount : undefined;
    const outcome = await views.processRemoteView({ activityId: activity.id, videoUrl: object, expires: expires ? new Date(expires) : undefined, viewersCount: counter, inboxActivityId: activity.inboxActivityId });
    return outcome === 'unknown-video' ? { status: 'skipped', why: 'View of a video we do not know' } : { status: 'processed' };
  };
}
