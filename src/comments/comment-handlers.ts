import { z } from 'zod';
import type { AccountOfActorStore } from '../accounts/index.js';
import type { RemoteActorResolver } from '../federation/follows/follows.js';
import type { ActivityHandler } from '../federation/inbox/process-activity.js';
import { inboundNote } from './comment-note.js';
import type { CommentService } from './comment-service.js';

const ref = z.union([z.string().url(), z.object({ id: z.string().url() }).transform((o) => o.id)]);

/** Inbound Create of a Note, Delete of a comment, ApproveReply: registered in the inbox's handler table. */
export function createCommentHandlers(deps: {
  comments: CommentService;
  resolver: RemoteActorResolver;
  accounts: AccountOfActorStore;
}): Record<'Create:Note' | 'Delete:other' | 'ApproveReply', ActivityHandler> {
  return {
    'Create:Note': async (activity) => {
      const note = inboundNote.safeParse(activity.body.object);
      if (!note.success) return { status: 'skipped', why: `invalid Note: ${note.error.issues[0]?.path.join('.') ?? ''} ${note.error.issues[0]?.message ?? ''}` };
      return deps.comments.receiveNote({
        note: note.data,
        actorUrl: activity.actor,
        accountOf: async (actorUrl) => {
          const actor = await deps.resolver.resolve({ url: actorUrl });
          if (!actor.ok) throw new Error(`cannot resolve the author ${actorUrl}: ${actor.reason.message}`);
          return (await deps.accounts.accountOf(actor.value)).id;
        },
        rawBody: JSON.stringify(activity.body),
        signed: activity.body.signature !== undefined,
      });
    },
    'Delete:other': async (activity) => {
      const object = ref.safeParse(activity.body.object);
      if (!object.success) return { status: 'skipped', why: 'Delete without object' };
      return deps.comments.receiveDelete({ objectUrl: object.data, actorUrl: activity.actor, rawBody: JSON.stringify(activity.body), signed: activity.body.signature !== undefined });
    },
    ApproveReply: async (activity) => {
      const object = ref.safeParse(activity.body.object);
      if (!object.success) return { status: 'skipped', why: 'ApproveReply without object' };
      return deps.comments.receiveApproveReply({ activityId: activity.id, objectUrl: object.data, actorUrl: activity.actor });
    },
  };
}
