import type { MediaProbe, ProbeResult } from '../transcoding/probe.js';

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
