import type { Logger } from '../lib/logger.js';
import type { RateFederation } from './rate-sender.js';
import type { RatedVideo, RateStore, RateType } from './rate-store.js';

export type Rating = RateType | 'none';

/** A video as a local user rates it: ours, or a remote one with the account that owns it. */
export interface VideoToRate extends RatedVideo {
  /** the owner account of a remote video (its origin receives our rates) */
  owner?: { url: string; inbox: string } | undefined;
}

/**
 * Ratings as PeerTube keeps them (AccountVideoRate): one rate per account and video, a new one
 * replaces the previous, an Undo removes only the rate it names. Rates of our videos change our
 * counts and reach our followers with the video's Update; our users' rates of a remote video go to
 * its origin as Like/Dislike/Undo.
 */
export function createRatingService(deps: {
  rates: RateStore;
  federation: RateFederation;
  logger: Logger;
  /** one of our videos' counts changed: tell followers (PeerTube's federateVideoIfNeeded) */
  onLocalVideoRated(videoId: number): Promise<void>;
}) {
  const { rates } = deps;
  const log = deps.logger.child({ component: 'ratings' });

  /** An inbound Like/Dislike: only for our videos (PeerTube ignores rates of videos it does not own). */
  async function remoteRate(input: { accountId: number; videoUrl: string; type: RateType; activityId: string }): Promise<'rated' | 'unchanged' | 'not-ours'> {
    const video = await rates.videoByUrl(input.videoUrl);
    if (!video?.isLocal) return 'not-ours';
    const existing = await rates.rateOf(input.accountId, video.id);
    if (existing?.type === input.type && existing.url === input.activityId) return 'unchanged';
    const { previous } = await rates.setRate({ accountId: input.accountId, video, type: input.type, url: input.activityId });
    if (previous !== input.type) await deps.onLocalVideoRated(video.id);
    return previous === input.type ? 'unchanged' : 'rated';
  }

  /** An inbound Undo of a Like/Dislike: removes that rate (by its activity id and type) if it exists. */
  async function remoteUndo(input: { accountId: number; videoUrl: string; type: RateType; activityId: string }): Promise<'removed' | 'no-such-rate'> {
    const video = await rates.videoByUrl(input.videoUrl);
    if (!video?.isLocal) return 'no-such-rate';
    const removed = await rates.removeRate({ accountId: input.accountId, video, url: input.activityId, type: input.type });
    if (!removed) return 'no-such-rate';
    await deps.onLocalVideoRated(video.id);
    return 'removed';
  }

  /** PUT /api/v1/videos/:id/rate by one of our users. */
  async function rateByLocalUser(input: { accountId: number; actor: { id: number; url: string }; video: VideoToRate; rating: Rating }): Promise<void> {
    const { video, rating } = input;
    const previous =
      rating === 'none'
        ? await rates.removeRate({ accountId: input.accountId, video })
        : (
            await rates.setRate({
              accountId: input.accountId,
              video,
              type: rating,
              url: rating === 'like' ? `${input.actor.url}/likes/${video.id}` : `${input.actor.url}/dislikes/${video.id}`,
            })
          ).previous;
    const now = rating === 'none' ? null : rating;
    if (previous === now) return;
    if (video.isLocal) {
      await deps.onLocalVideoRated(video.id);
      return;
    }
    if (!video.owner) return;
    // PeerTube's order: first the Undo, then the new rate
    const target = { rater: input.actor, video: { id: video.id, url: video.url }, owner: video.owner };
    if (previous) await deps.federation.send({ kind: 'undo', type: previous, ...target });
    if (now) await deps.federation.send({ kind: 'rate', type: now, ...target });
    log.debug({ video: video.url, previous, now }, 'rate sent to the origin');
  }

  async function ratingOf(accountId: number, videoId: number): Promise<Rating> {
    return (await rates.rateOf(accountId, videoId))?.type ?? 'none';
  }

  return { remoteRate, remoteUndo, rateByLocalUser, ratingOf };
}

export type RatingService = ReturnType<typeof createRatingService>;
