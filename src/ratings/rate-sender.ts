import type { ActivitySender } from '../federation/follows/follows.js';
import { activityIds, buildDislike, buildLike, buildUndo, directAudience, publicAudience, withContext } from '../federation/vocab/index.js';
import type { RateType } from './rate-store.js';

/** What the rating service tells a remote video's origin about our users' rates. */
export interface RateFederation {
  /** `Like`/`Dislike` (type) or `Undo` of one (undo), by our user's account, in PeerTube's order */
  send(input: { kind: 'rate' | 'undo'; type: RateType; rater: { id: number; url: string }; video: { id: number; url: string }; owner: { url: string; inbox: string } }): Promise<void>;
}

/** PeerTube's rate activities, ids `<actor>/likes/<video id>` and `<…>/undo`; `to` the video's account, to its inbox. */
export function createRateFederation(sender: ActivitySender): RateFederation {
  return {
    async send({ kind, type, rater, video, owner }) {
      const id = type === 'like' ? activityIds.like(rater.url, video.id) : activityIds.dislike(rater.url, video.id);
      const build = type === 'like' ? buildLike : buildDislike;
      const activity =
        kind === 'rate'
          ? build({ id, actor: rater.url, object: video.url, audience: directAudience(owner.url) })
          : buildUndo({
              actor: rater.url,
              // the undone rate as PeerTube rebuilds it: public, cc the rater's followers
              object: build({ id, actor: rater.url, object: video.url, audience: publicAudience([`${rater.url}/followers`]) }),
              audience: directAudience(owner.url),
            });
      await sender.send(withContext(activity, 'Rate'), { signerActorId: rater.id, inboxes: [owner.inbox] });
    },
  };
}
