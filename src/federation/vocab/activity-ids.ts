/**
 * The ids PeerTube gives its activities (server/core/lib/activitypub/url.ts). Ours follow the same
 * layout so that a PeerTube instance dereferencing or de-duplicating them sees what it expects.
 * `…DbId` arguments are our own database ids (PeerTube uses its own there too).
 */
export const activityIds = {
  /** Create of an object: `<object id>/activity`. */
  create: (objectId: string) => `${objectId}/activity`,
  /** Update of an object: `<object id>/updates/<updatedAt ISO>`. */
  update: (objectId: string, updatedAt: Date | string) => `${objectId}/updates/${toIso(updatedAt)}`,
  /** Delete of an object: `<object id>/delete`. */
  delete: (objectId: string) => `${objectId}/delete`,
  /**
   * A Delete sent again for an object that came back (a video made private, public, then private
   * again): `<object id>/delete/<ISO time>`. PeerTube reuses `<object id>/delete`, but inboxes
   * (ours, keyed on id + body) drop a repeated id with the same body, so a second unfederation
   * would be ignored.
   */
  deleteAt: (objectId: string, at: Date | string) => `${objectId}/delete/${toIso(at)}`,
  /** A Create sent again for an object that was deleted meanwhile: `<object id>/activity/<ISO time>`. */
  createAt: (objectId: string, at: Date | string) => `${objectId}/activity/${toIso(at)}`,
  /** Undo of an activity: `<activity id>/undo`. */
  undo: (activityId: string) => `${activityId}/undo`,
  /** Announce (share) of a video by an actor: `<video url>/announces/<actor db id>`. */
  announce: (videoUrl: string, actorDbId: number) => `${videoUrl}/announces/${actorDbId}`,
  /** Follow: `<follower url>/follows/<followed actor db id>`. */
  follow: (followerUrl: string, followingActorDbId: number) => `${followerUrl}/follows/${followingActorDbId}`,
  /** Accept of a Follow: `<base>/accepts/follows/<ActorFollow db id>`. */
  acceptFollow: (baseUrl: string, actorFollowDbId: number) => `${baseUrl}/accepts/follows/${actorFollowDbId}`,
  /** Reject of a Follow: `<base>/rejects/follows/<now ISO>` (PeerTube has no row left to name it by). */
  rejectFollow: (baseUrl: string, now: Date) => `${baseUrl}/rejects/follows/${now.toISOString()}`,
  /** Like by a local actor: `<actor url>/likes/<video db id>`. */
  like: (actorUrl: string, videoDbId: number) => `${actorUrl}/likes/${videoDbId}`,
  /** Dislike by a local actor: `<actor url>/dislikes/<video db id>`. */
  dislike: (actorUrl: string, videoDbId: number) => `${actorUrl}/dislikes/${videoDbId}`,
  /** View: `<actor url>/views/videos/<video db id>/<viewer identifier>`. */
  view: (actorUrl: string, videoDbId: number, viewerIdentifier: string) => `${actorUrl}/views/videos/${videoDbId}/${viewerIdentifier}`,
  /** Our mirror of a video's HLS playlist (a CacheFile): `<base>/redundancy/streaming-playlists/hls/<uuid>`. */
  hlsCacheFile: (baseUrl: string, videoUuid: string) => `${baseUrl}/redundancy/streaming-playlists/hls/${videoUuid}`,
};

export function toIso(date: Date | string): string {
  return typeof date === 'string' ? new Date(date).toISOString() : date.toISOString();
}
