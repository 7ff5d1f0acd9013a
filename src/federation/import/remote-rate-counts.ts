import { z } from 'zod';
import type { Result } from '../../lib/result.js';

/** PeerTube's `likes`/`dislikes` collections answer their size in `totalItems` (a video row's counts are integers). */
const collectionSummary = z.object({ totalItems: z.number().int().min(0).max(2_147_483_647) });

export interface RateCountsLogger {
  debug(fields: object, message: string): void;
}

/** The like and dislike counts the origin reports; a count it did not give (no collection, fetch failed) is absent. */
export type RemoteRateCounts = { likes?: number; dislikes?: number };

/**
 * The like/dislike counts of a remote video as its origin reports them, read from the `totalItems`
 * of the video's `likes` and `dislikes` collections, as PeerTube does when it imports or refreshes
 * a remote video (updateVideoRates). Bounded: two GETs per import through the SSRF-safe fetcher
 * (its size cap and time-out), only of collections on the video's own host; anything else, or an
 * answer without a valid `totalItems`, leaves that count unknown (the stored one is kept).
 */
export function createRemoteRateCounts(deps: {
  fetchObject(url: string): Promise<Result<unknown, { type: string; message: string }>>;
  logger?: RateCountsLogger;
}) {
  async function totalItems(videoUrl: string, collectionUrl: string | null | undefined): Promise<number | undefined> {
    if (!collectionUrl) return undefined;
    let sameHost = false;
    try {
      sameHost = new URL(collectionUrl).host === new URL(videoUrl).host;
    } catch {
      sameHost = false;
    }
    if (!sameHost) return undefined;
    const fetched = await deps.fetchObject(collectionUrl);
    if (!fetched.ok) {
      deps.logger?.debug({ url: collectionUrl, reason: fetched.reason.message }, 'rate collection unavailable');
      return undefined;
    }
    const parsed = collectionSummary.safeParse(fetched.value);
    return parsed.success ? parsed.data.totalItems : undefined;
  }

  return async function rateCounts(video: { url: string; likesUrl?: string | null; dislikesUrl?: string | null }): Promise<RemoteRateCounts> {
    const [likes, dislikes] = await Promise.all([totalItems(video.url, video.likesUrl), totalItems(video.url, video.dislikesUrl)]);
    return { ...(likes !== undefined ? { likes } : {}), ...(dislikes !== undefined ? { dislikes } : {}) };
  };
}
