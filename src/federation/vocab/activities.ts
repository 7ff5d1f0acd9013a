import { activityIds, toIso } from './activity-ids.js';
import { audiencify, publicAudience, type Audience } from './audience.js';

/**
 * PeerTube's activities (server/core/lib/activitypub/send/*), same keys in the same order. They
 * carry no `@context`: add it with withContext(activity, kind) when sending or serving one alone
 * (kind: the object's kind for Create/Update/Undo, 'Rate' for Like/Dislike, the type otherwise).
 */

/** Create of an object (a Video, a CacheFile…): id `<object id>/activity`; the object carries the audience too. */
export function buildCreate<O extends { id: string }>(input: { actor: string; object: O; audience: Audience; id?: string }) {
  return audiencify(
    {
      type: 'Create' as const,
      id: input.id ?? activityIds.create(input.object.id),
      actor: input.actor,
      object: audiencify(input.object, input.audience),
    },
    input.audience,
  );
}

/** Update of an object: id `<object id>/updates/<updatedAt>` (see activityIds.update). */
export function buildUpdate<O extends { id: string }>(input: { id: string; actor: string; object: O; audience: Audience }) {
  return audiencify({ type: 'Update' as const, id: input.id, actor: input.actor, object: audiencify(input.object, input.audience) }, input.audience);
}

/** Delete of an object (by its id): id `<object id>/delete`. PeerTube omits the audience when deleting an actor. */
export function buildDelete(input: { actor: string; object: string; audience?: Audience; id?: string }) {
  const activity = { type: 'Delete' as const, id: input.id ?? activityIds.delete(input.object), actor: input.actor, object: input.object };
  return input.audience ? audiencify(activity, input.audience) : activity;
}

/** Announce (share) of a video by its url: id `<video url>/announces/<actor db id>`. */
export function buildAnnounce(input: { id: string; actor: string; object: string; audience: Audience }) {
  return audiencify({ type: 'Announce' as const, id: input.id, actor: input.actor, object: input.object }, input.audience);
}

/**
 * Undo of one of our activities (Follow, Announce, Like, Dislike, Create CacheFile): id
 * `<activity id>/undo`. Without an audience, PeerTube's default: Public, cc the actor's followers.
 */
export function buildUndo<O extends object>(input: { actor: string; object: O; audience?: Audience; id?: string }) {
  const objectId = (input.object as { id?: unknown }).id;
  const id = input.id ?? (typeof objectId === 'string' ? activityIds.undo(objectId) : undefined);
  if (!id) throw new Error('buildUndo: the undone activity has no id and no id was given');
  return audiencify({ type: 'Undo' as const, id, actor: input.actor, object: input.object }, input.audience ?? publicAudience([`${input.actor}/followers`]));
}

/** Like of a video: id `<actor url>/likes/<video db id>`. */
export function buildLike(input: { id: string; actor: string; object: string; audience: Audience }) {
  return audiencify({ id: input.id, type: 'Like' as const, actor: input.actor, object: input.object }, input.audience);
}

/** Dislike of a video: id `<actor url>/dislikes/<video db id>`. */
export function buildDislike(input: { id: string; actor: string; object: string; audience: Audience }) {
  return audiencify({ id: input.id, type: 'Dislike' as const, actor: input.actor, object: input.object }, input.audience);
}

/**
 * View of a video: id `<actor url>/views/videos/<video db id>/<viewer>`. With `viewersCount`
 * (PeerTube's live viewer counter) it carries `expires` and a WatchAction `result`.
 */
export function buildView(input: { id: string; actor: string; object: string; audience: Audience; expires?: Date | string; viewersCount?: number }) {
  const base = { id: input.id, type: 'View' as const, actor: input.actor, object: input.object };
  const extra = {
    ...(input.expires !== undefined ? { expires: toIso(input.expires) } : {}),
    ...(input.viewersCount ? { result: { interactionType: 'WatchAction', type: 'InteractionCounter', userInteractionCount: input.viewersCount } } : {}),
  };
  return audiencify({ ...base, ...extra }, input.audience);
}
