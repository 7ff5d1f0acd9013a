import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { ViewFederation } from './view-sender.js';
import type { ViewCountStore, ViewerSessionStore } from './view-store.js';
import type { ViewerCounters } from './viewer-counters.js';
import { addWatchPoint, hasEnoughWatchTime, VIEWER_LIFETIME_MS, VIEWER_STATS_LIFETIME_MS, viewerIdentity, watchTimeOf, type ViewEvent } from './view-rules.js';

export interface ViewsSettings {
  /** views.videos.view_expiration */
  viewExpirationMs: number;
  /** views.videos.count_view_after */
  countViewAfterMs: number;
  /** views.videos.trust_viewer_session_id */
  trustViewerSessionId: boolean;
  /** views.videos.remote.max_age (-1: keep) */
  remoteMaxAgeMs: number;
  /** salt of the IP hashes */
  salt: string;
}

export interface LocalViewInput {
  video: { id: number; uuid: string; isLocal: boolean; isLive: boolean; durationSeconds: number };
  currentTime: number;
  viewEvent?: ViewEvent | undefined;
  sessionId?: string | undefined;
  ip: string;
}

export type RemoteViewOutcome = 'viewer' | 'view' | 'unknown-video';

/**
 * Views as PeerTube counts them (its VideoViewsManager). A report of one of our viewers updates
 * its watch sections and the "watching now" count, and counts one view per viewer per
 * `view_expiration` once it has watched long enough. For a remote video, the origin is told with
 * a viewer ping (`View` with `expires`) and a `View` per counted view. An inbound `View` with
 * `expires` is a viewer ping; without, one view.
 */
export function createViewsService(deps: {
  sessions: ViewerSessionStore;
  counts: ViewCountStore;
  counters: ViewerCounters;
  federation: ViewFederation;
  clock: Clock;
  logger: Logger;
  settings: ViewsSettings;
  /** a view of one of our videos was counted (its followers hear of the new count later) */
  onLocalViewCounted(videoId: number): Promise<void>;
}) {
  const { sessions, counts, counters, settings, clock } = deps;
  const log = deps.logger.child({ component: 'views' });

  async function processLocalView(input: LocalViewInput): Promise<{ counted: boolean; newViewer: boolean }> {
    const { video } = input;
    const now = clock.now();
    const viewer = viewerIdentity({ sessionId: input.sessionId, ip: input.ip, trustSessionId: settings.trustViewerSessionId, salt: settings.salt });

    const stored = await sessions.load(video.id, viewer);
    // sections of a viewer silent for an hour are forgotten (PeerTube's viewer stats lifetime)
    const previous = stored && now.getTime() - stored.lastSeenAt.getTime() < VIEWER_STATS_LIFETIME_MS ? stored.sections : [];
    const sections = addWatchPoint(previous, input.currentTime, input.viewEvent);
    const watchTime = watchTimeOf(sections ?? previous);
    if (sections) await sessions.save({ videoId: video.id, viewer, sections, watchTime, now });

    const viewerId = `${viewer}-${video.uuid}`;
    const watching = counters.addLocalViewer({ videoId: video.id, viewerId, remoteVideo: !video.isLocal });
    if (watching.federate) await deps.federation.sendViewerPing({ videoId: video.id, viewerId, expires: watching.expires });

    if (!sections) return { counted: false, newViewer: watching.isNew };
    if (!hasEnoughWatchTime({ durationSeconds: video.durationSeconds, isLive: video.isLive, watchTimeSeconds: watchTime, countViewAfterMs: settings.countViewAfterMs })) {
      return { counted: false, newViewer: watching.isNew };
    }
    const claimed = await sessions.claimView({ videoId: video.id, viewer, now, notBefore: new Date(now.getTime() - settings.viewExpirationMs) });
    if (!claimed) return { counted: false, newViewer: watching.isNew };
    await counts.addView({ videoId: video.id, local: video.isLocal, now });
    if (video.isLocal) await deps.onLocalViewCounted(video.id);
    else await deps.federation.sendView({ videoId: video.id });
    log.debug({ video: video.uuid, watchTime }, 'view counted');
    return { counted: true, newViewer: watching.isNew };
  }

  /**
   * An inbound View (already verified): a viewer ping when it has `expires`, else one view,
   * counted once per stored activity (`inboxActivityId`: a retry after a crash counts nothing again).
   */
  async function processRemoteView(input: {
    activityId: string;
    videoUrl: string;
    expires?: Date | undefined;
    viewersCount?: number | undefined;
    inboxActivityId?: number | undefined;
  }): Promise<RemoteViewOutcome> {
    const video = await counts.videoByUrl(input.videoUrl);
    if (!video) return 'unknown-video';
    if (input.expires) {
      if (video.isLocal) counters.addRemoteViewerOnLocalVideo({ videoId: video.id, viewerId: input.activityId, expires: input.expires });
      else counters.addRemoteViewerOnRemoteVideo({ videoId: video.id, viewerId: input.activityId, expires: input.expires, count: input.viewersCount });
      return 'viewer';
    }
    const counted = await counts.addView({ videoId: video.id, local: video.isLocal, now: clock.now(), inboxActivityId: input.inboxActivityId });
    if (counted && video.isLocal) await deps.onLocalViewCounted(video.id);
    return 'view';
  }

  /**
   * Periodic (every two minutes, as PeerTube): expired viewers leave the counts and our videos'
   * totals go to our followers; forgotten sessions and old remote day counts are removed.
   */
  async function tick(): Promise<void> {
    const now = clock.now().getTime();
    for (const videoId of counters.expire()) {
      await deps.federation.sendViewersCount({ videoId, count: counters.totalOf(videoId), expires: new Date(now + VIEWER_LIFETIME_MS) });
    }
    await sessions.removeStale({ silentSince: new Date(now - VIEWER_STATS_LIFETIME_MS), countedBefore: new Date(now - settings.viewExpirationMs) });
    if (settings.remoteMaxAgeMs > 0) await counts.removeRemoteDailyBefore(new Date(now - settings.remoteMaxAgeMs));
  }

  return { processLocalView, processRemoteView, tick, viewersOf: (videoId: number) => counters.totalOf(videoId) };
}

export type ViewsService = ReturnType<typeof createViewsService>;
