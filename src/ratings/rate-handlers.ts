import { z } from 'zod';
import type { AccountOfActorStore } from '../accounts/index.js';
import type { RemoteActorResolver } from '../federation/follows/follows.js';
import type { ActivityHandler, HandlerOutcome } from '../federation/inbox/process-activity.js';
import type { RatingService } from './rating-service.js';
import type { RateType } from './rate-store.js';

const ref = z.union([z.string().url(), z.object({ id: z.string().url() }).transform((o) => o.id)]);
const rateActivity = z.object({ id: z.string().url(), object: ref });
const undoActivity = z.object({ object: z.object({ id: z.string().url(), type: z.enum(['Like', 'Dislike']), actor: ref.optional(), object: ref }) });

const skipped = (why: string): HandlerOutcome => ({ status: 'skipped', why });

/** Inbound Like, Dislike and their Undo, registered in the inbox's handler table. */
export function createRateHandlers(deps: {
  ratings: RatingService;
  resolver: RemoteActorResolver;
  accounts: AccountOfActorStore;
}): Record<'Like' | 'Dislike' | 'Undo:Like' | 'Undo:Dislike', ActivityHandler> {
  async function accountOf(actorUrl: string): Promise<number> {
    const actor = await deps.resolver.resolve({ url: actorUrl });
    // the rater cannot be fetched now: retried later by the inbox job
    if (!actor.ok) throw new Error(`cannot resolve rater ${actorUrl}: ${actor.reason.message}`);
    return (await deps.accounts.accountOf(actor.value)).id;
  }

  const rate =
    (type: RateType): ActivityHandler =>
    async (activity) => {
      const parsed = rateActivity.safeParse(activity.body);
      if (!parsed.success) return skipped(`invalid ${activity.type}`);
      const outcome = await deps.ratings.remoteRate({ accountId: await accountOf(activity.actor), videoUrl: parsed.data.object, type, activityId: parsed.data.id });
      return outcome === 'not-ours' ? skipped('rate of a video that is not ours') : { status: 'processed' };
    };

  const undo: ActivityHandler = async (activity) => {
    const parsed = undoActivity.safeParse(activity.body);
    if (!parsed.success) return skipped('invalid Undo of a rate');
    const undone = parsed.data.object;
    if (undone.actor !== undefined && undone.actor !== activity.actor) return skipped('Undo of a rate by another actor');
    const outcome = await deps.ratings.remoteUndo({
      accountId: await accountOf(activity.actor),
      videoUrl: undone.object,
      type: undone.type === 'Like' ? 'like' : 'dislike',
      activityId: undone.id,
    });
    return outcome === 'removed' ? { status: 'processed' } : skipped('no such rate');
  };

  return { Like: rate('like'), Dislike: rate('dislike'), 'Undo:Like': undo, 'Undo:Dislike': undo };
}
