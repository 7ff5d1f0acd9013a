import type { Clock } from '../lib/clock.js';
import { VIEWER_LIFETIME_MS, VIEWER_REFEDERATE_AFTER_MS } from './view-rules.js';

interface Viewer {
  id: string;
  videoId: number;
  /** epoch ms */
  expires: number;
  /** how many viewers this entry stands for (an origin's summary of its viewers) */
  count: number;
  /** epoch ms of the last viewer ping we sent for it (local viewers of remote videos) */
  lastFederation?: number;
}

/**
 * "Watching now" (PeerTube's VideoViewerCounters): viewers that reported or were announced in the
 * last two minutes, per video. Kept in memory like PeerTube's: it is a live gauge, rebuilt within
 * two minutes after a restart. Bounded: past `maxViewers`, new viewers are not tracked.
 */
export function createViewerCounters(deps: { clock: Clock; maxViewers?: number }) {
  const byId = new Map<string, Viewer>();
  const byVideo = new Map<number, Set<Viewer>>();
  /** our videos among those with viewers (their origin, us, tells followers the total) */
  const localVideos = new Set<number>();
  const maxViewers = deps.maxViewers ?? 100_000;
  const now = () => deps.clock.now().getTime();

  function add(videoId: number, id: string, expires: number, count: number): Viewer | null {
    if (byId.size >= maxViewers) return null;
    const viewer: Viewer = { id, videoId, expires, count };
    byId.set(id, viewer);
    let set = byVideo.get(videoId);
    if (!set) byVideo.set(videoId, (set = new Set()));
    set.add(viewer);
    return viewer;
  }

  function remove(viewer: Viewer) {
    byId.delete(viewer.id);
    const set = byVideo.get(viewer.videoId);
    set?.delete(viewer);
    if (set?.size === 0) {
      byVideo.delete(viewer.videoId);
      localVideos.delete(viewer.videoId);
    }
  }

  return {
    /**
     * A report of one of our viewers. Returns whether a viewer ping should go to the video's
     * origin now (remote videos: a new viewer, or one last announced 90 s ago or more).
     */
    addLocalViewer(input: { videoId: number; viewerId: string; remoteVideo: boolean }): { isNew: boolean; federate: boolean; expires: Date } {
      const t = now();
      const expires = t + VIEWER_LIFETIME_MS;
      let viewer = byId.get(input.viewerId);
      const isNew = !viewer || viewer.expires <= t;
      if (!input.remoteVideo) localVideos.add(input.videoId);
      if (viewer) viewer.expires = expires;
      else viewer = add(input.videoId, input.viewerId, expires, 1) ?? undefined;
      if (!viewer || !input.remoteVideo) return { isNew, federate: false, expires: new Date(expires) };
      const federate = viewer.lastFederation === undefined || viewer.lastFederation <= t - VIEWER_REFEDERATE_AFTER_MS;
      if (federate) viewer.lastFederation = t;
      return { isNew, federate, expires: new Date(expires) };
    },

    /** A viewer ping from another instance about one of our videos (its id: the activity id). */
    addRemoteViewerOnLocalVideo(input: { videoId: number; viewerId: string; expires: Date }): void {
      localVideos.add(input.videoId);
      const viewer = byId.get(input.viewerId);
      if (viewer) viewer.expires = input.expires.getTime();
      else add(input.videoId, input.viewerId, input.expires.getTime(), 1);
    },

    /**
     * A viewer ping about a remote video; with `count` (the origin's summary of all its
     * viewers) it replaces what we knew of that video's viewers.
     */
    addRemoteViewerOnRemoteVideo(input: { videoId: number; viewerId: string; expires: Date; count?: number | undefined }): void {
      if (input.count !== undefined) for (const v of [...(byVideo.get(input.videoId) ?? [])]) remove(v);
      const existing = byId.get(input.viewerId);
      if (existing) remove(existing);
      add(input.videoId, input.viewerId, input.expires.getTime(), input.count ?? 1);
    },

    /** Viewers of a video now (expired ones are not counted, even before `expire()` runs). */
    totalOf(videoId: number): number {
      const t = now();
      let total = 0;
      for (const v of byVideo.get(videoId) ?? []) if (v.expires > t) total += v.count;
      return total;
    },

    /** Drops expired viewers; returns our videos that still have some (PeerTube then federates their totals). */
    expire(): number[] {
      const t = now();
      for (const v of [...byId.values()]) if (v.expires <= t) remove(v);
      return [...localVideos].filter((id) => byVideo.has(id));
    },
  };
}

export type ViewerCounters = ReturnType<typeof createViewerCounters>;
