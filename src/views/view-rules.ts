import { createHash } from 'node:crypto';

/**
 * PeerTube's view rules (server/core/lib/views/): pure functions over plain data.
 * A viewer is a player session (or an IP); it reports `currentTime` every few seconds; the
 * sections it watched make its watch time; one view is counted per viewer and video per
 * `views.videos.view_expiration`, once the watch time is long enough.
 */

export interface WatchSection {
  start: number;
  end: number;
}

/** PeerTube keeps at most this many sections per viewer; past it, reports are ignored. */
export const MAX_WATCH_SECTIONS = 100;
/** A viewer is "watching now" for this long after its last report (PeerTube's VIEWER_COUNTER). */
export const VIEWER_LIFETIME_MS = 2 * 60_000;
/** Watch sections of a viewer silent for this long are forgotten (PeerTube's VIEWER_STATS). */
export const VIEWER_STATS_LIFETIME_MS = 60 * 60_000;
/** A viewer of a remote video is announced to its origin again after this much of its lifetime. */
export const VIEWER_REFEDERATE_AFTER_MS = VIEWER_LIFETIME_MS * 0.75;

export type ViewEvent = 'seek';

/**
 * Adds one report to the viewer's sections: a seek (or the first report) opens a new section, a
 * time before the last section's start opens one too, anything else extends the last section.
 * Returns null when the viewer already has MAX_WATCH_SECTIONS sections (the report is ignored).
 */
export function addWatchPoint(sections: readonly WatchSection[], currentTime: number, viewEvent?: ViewEvent): WatchSection[] | null {
  if (sections.length >= MAX_WATCH_SECTIONS) return null;
  const last = sections[sections.length - 1];
  if (viewEvent === 'seek' || !last || last.start > currentTime) return [...sections, { start: currentTime, end: currentTime }];
  return [...sections.slice(0, -1), { start: last.start, end: currentTime }];
}

export function watchTimeOf(sections: readonly WatchSection[]): number {
  return sections.reduce((sum, s) => sum + (s.end - s.start), 0);
}

/**
 * Enough watched to count a view: `count_view_after` for lives and videos at least that long,
 * more than half of a shorter video.
 */
export function hasEnoughWatchTime(input: { durationSeconds: number; isLive: boolean; watchTimeSeconds: number; countViewAfterMs: number }): boolean {
  const after = input.countViewAfterMs / 1000;
  if (input.isLive || input.durationSeconds >= after) return input.watchTimeSeconds >= after;
  if (input.watchTimeSeconds <= 0) return false;
  return input.durationSeconds / input.watchTimeSeconds < 2;
}

/** A `currentTime` PeerTube accepts: an integer within the video (any non-negative one for a live). */
export function isValidCurrentTime(currentTime: number, video: { durationSeconds: number; isLive: boolean }): boolean {
  if (!Number.isInteger(currentTime) || currentTime < 0) return false;
  return video.isLive || currentTime <= video.durationSeconds;
}

/**
 * Who the viewer is: the player's session id when trusted (`trust_viewer_session_id`), else a
 * salted hash of its IP (never the IP itself).
 */
export function viewerIdentity(input: { sessionId?: string | undefined; ip: string; trustSessionId: boolean; salt: string }): string {
  if (input.sessionId && input.trustSessionId) return input.sessionId;
  return createHash('sha256').update(`${input.salt}-${input.ip}`).digest('hex');
}
