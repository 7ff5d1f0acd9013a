import { randomUUID } from 'node:crypto';
import type { ActivitySender } from '../federation/follows/follows.js';
import { activityIds, audienceFromFollowersOf, buildView, directAudience, withContext } from '../federation/vocab/index.js';
import type { ViewTargetStore } from './view-store.js';

/** What the views service tells a remote video's origin. */
export interface ViewFederation {
  /** "this viewer is watching until `expires`": id `<instance>/views/videos/<video id>/<viewer id>` (PeerTube keeps it per viewer) */
  sendViewerPing(input: { videoId: number; viewerId: string; expires: Date }): Promise<void>;
  /** one counted view: id `<instance>/views/videos/<video id>/<random uuid>`, no `expires` */
  sendView(input: { videoId: number }): Promise<void>;
  /** our video's viewers now, to our followers: id `<instance>/views/videos/<video id>/<video uuid>`, `expires` and a WatchAction `result` */
  sendViewersCount(input: { videoId: number; count: number; expires: Date }): Promise<void>;
}

/**
 * Our View activities, as PeerTube sends them for a remote video: from the instance actor, `to`
 * the video's account, to its (shared) inbox, LD-signed and durable like every delivery.
 */
export function createViewFederation(deps: {
  targets: ViewTargetStore;
  sender: ActivitySender;
  /** inboxes of the followers of these local actors */
  followerInboxes(localActorIds: number[]): Promise<string[]>;
  newId?: () => string;
}): ViewFederation {
  const newId = deps.newId ?? randomUUID;
  async function send(videoId: number, identifier: string, expires?: Date) {
    const target = await deps.targets.remoteTarget(videoId);
    if (!target) return;
    const view = buildView({
      id: activityIds.view(target.instance.url, target.video.id, identifier),
      actor: target.instance.url,
      object: target.video.url,
      audience: directAudience(target.owner.url),
      ...(expires ? { expires } : {}),
    });
    await deps.sender.send(withContext(view, 'View'), { signerActorId: target.instance.id, inboxes: [target.owner.inbox] });
  }
  return {
    sendViewerPing: ({ videoId, viewerId, expires }) => send(videoId, viewerId, expires),
    sendView: ({ videoId }) => send(videoId, newId()),
    async sendViewersCount({ videoId, count, expires }) {
      const target = await deps.targets.localTarget(videoId);
      if (!target) return;
      const inboxes = await deps.followerInboxes(target.involved.map((a) => a.id));
      if (inboxes.length === 0) return;
      const view = buildView({
        id: activityIds.view(target.instance.url, target.video.id, target.video.uuid),
        actor: target.instance.url,
        object: target.video.url,
        audience: audienceFromFollowersOf(target.involved.map((a) => a.followersUrl)),
        expires,
        viewersCount: count,
      });
      await deps.sender.send(withContext(view, 'View'), { signerActorId: target.instance.id, inboxes });
    },
  };
}
