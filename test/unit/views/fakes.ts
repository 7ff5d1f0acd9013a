import type { ViewCountStore, ViewedVideoRow, ViewerSession, ViewerSessionStore } from '../../../src/views/view-store.js';

/** In-memory fakes of the views area's stores. */
export function memoryViewerSessions(): ViewerSessionStore & { rows: Map<string, ViewerSession> } {
  const rows = new Map<string, ViewerSession>();
  const key = (videoId: number, viewer: string) => `${videoId}|${viewer}`;
  return {
    rows,
    load: (videoId, viewer) => Promise.resolve(rows.get(key(videoId, viewer)) ?? null),
    save({ videoId, viewer, sections, now }) {
      const prev = rows.get(key(videoId, viewer));
      rows.set(key(videoId, viewer), { sections, lastSeenAt: now, viewCountedAt: prev?.viewCountedAt ?? null });
      return Promise.resolve();
    },
    claimView({ videoId, viewer, now, notBefore }) {
      const row = rows.get(key(videoId, viewer));
      if (!row || (row.viewCountedAt && row.viewCountedAt >= notBefore)) return Promise.resolve(false);
      row.viewCountedAt = now;
      return Promise.resolve(true);
    },
    removeStale({ silentSince, countedBefore }) {
      let n = 0;
      for (const [k, r] of rows) {
        if (r.lastSeenAt < silentSince && (!r.viewCountedAt || r.viewCountedAt < countedBefore)) {
          rows.delete(k);
          n++;
        }
      }
      return Promise.resolve(n);
    },
  };
}

export function memoryViewCounts(videos: ViewedVideoRow[]): ViewCountStore & { views: Map<number, number>; daily: Map<number, number>; processedActivities: Set<number> } {
  const views = new Map<number, number>();
  const daily = new Map<number, number>();
  /** stored inbound activities marked processed with their view (as the store's claim does) */
  const processedActivities = new Set<number>();
  return {
    views,
    daily,
    processedActivities,
    addView({ videoId, local, inboxActivityId }) {
      if (inboxActivityId !== undefined) {
        if (processedActivities.has(inboxActivityId)) return Promise.resolve(false);
        processedActivities.add(inboxActivityId);
      }
      if (local) views.set(videoId, (views.get(videoId) ?? 0) + 1);
      daily.set(videoId, (daily.get(videoId) ?? 0) + 1);
      return Promise.resolve(true);
    },
    videoByUrl: (url) => Promise.resolve(videos.find((v) => v.url === url) ?? null),
    removeRemoteDailyBefore: () => Promise.resolve(0),
  };
}
