import type { MediaProbe, ProbeResult } from '../transcoding/index.js';

/** What the video service needs from the media tools (ffprobe/ffmpeg). */
export interface MediaTools {
  probe(path: string, signal?: AbortSignal): Promise<ProbeResult>;
  /** Writes a thumbnail and a preview image of the video (or a placeholder for audio). */
  generateImages(input: { input: string; probe: MediaProbe; thumbnailPath: string; previewPath: string; signal?: AbortSignal }): Promise<void>;
}

/** What the video service needs from the p2p module: a .torrent for a file we serve. */
export interface TorrentMaker {
  create(input: { filePath: string; name: string; urlList: string[] }): Promise<{ torrent: Buffer; infoHash: string }>;
}

/** Tells federation about local video changes (no-op when federation is off). */
export interface VideoEvents {
  /**
   * a local video became published (transcoding done, or uploaded without transcoding); `again`:
   * it federates again after a Delete (made public after being private), so its Create needs a new id
   */
  published(videoId: number, options?: { again?: boolean }): Promise<void>;
  /** a published local video's attributes changed */
  updated(videoId: number): Promise<void>;
  /** a local video is about to be deleted (called before its rows go) */
  deleting(videoId: number): Promise<void>;
  /** a view was counted on a video (local or remote) */
  viewed(videoId: number): Promise<void>;
}

export const noVideoEvents: VideoEvents = {
  published: async () => {},
  updated: async () => {},
  deleting: async () => {},
  viewed: async () => {},
};

/**
 * What the videos module tells the p2p seeder. Best-effort: the methods never reject (the seeder
 * logs its own failures), so an upload or a job never fails because of seeding.
 */
export interface SeedingPort {
  /** Seeds the video's current files (after an upload or a transcode) and stops seeding those it no longer has. */
  syncVideo(videoUuid: string): Promise<void>;
  /** Stops seeding every file of the video (before they are deleted). */
  unseedVideo(videoUuid: string): Promise<void>;
}
