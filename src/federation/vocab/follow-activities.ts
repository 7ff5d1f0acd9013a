/** Follow: id `<follower url>/follows/<followed actor db id>` (see activityIds.follow). No audience, as PeerTube. */
export function buildFollow(input: { id: string; actor: string; object: string }) {
  return { type: 'Follow' as const, id: input.id, actor: input.actor, object: input.object };
}

export type FollowActivity = ReturnType<typeof buildFollow>;

/** Accept of a Follow, which it embeds: id `<base>/accepts/follows/<ActorFollow db id>`. */
export function buildAccept(input: { id: string; actor: string; follow: Record<string, unknown> }) {
  return { type: 'Accept' as const, id: input.id, actor: input.actor, object: input.follow };
}

/** Reject of a Follow, which it embeds: id `<base>/rejects/follows/<now ISO>`. */
export function buildReject(input: { id: string; actor: string; follow: Record<string, unknown> }) {
  return { type: 'Reject' as const, id: input.id, actor: input.actor, object: input.follow };
}
