import { hlsFileSetDigest } from './file-set.js';
import { isOriginNotFound, type MirrorFailure } from './mirror/index.js';

/** A remote video's HLS playlist as the mirror job reads it (the origin's URLs). */
export interface VideoToMirror {
  uuid: string;
  hls: {
    playlistUrl: string | null;
    segmentsSha256Url: string | null;
    files: readonly { filename: string; size: bigint | number; torrentUrl: string | null }[];
  } | null;
}

/** `reason`: the copier's typed failure, as it is (the engine derives the stored text and whether to retry) */
export type CopyOutcome = { ok: true; totalBytes: number } | { ok: false; reason: MirrorFailure };

export interface MirrorAttemptPorts {
  /** the video as stored now; null when it is gone */
  loadVideo(videoId: number): Promise<VideoToMirror | null>;
  copy(input: { uuid: string; playlistUrl: string; segmentsSha256Url: string; torrentUrls: Record<string, string>; signal: AbortSignal; reuse: boolean; onProgress?(percent: number): void }): Promise<CopyOutcome>;
  /** fetches the video object from its origin again (the remote import path); absent: no refetch */
  refetchVideo?(videoId: number): Promise<'refreshed' | 'deleted' | 'unchanged' | 'failed'>;
}

export type MirrorAttempt =
  | { type: 'copied'; totalBytes: number; fileSet: string; refetched: boolean }
  | { type: 'gone' }
  | { type: 'no-hls'; refetched: boolean }
  | { type: 'failed'; reason: MirrorFailure; refetched: boolean };

/**
 * One attempt of a mirror job: copies the video's HLS playlist as stored; when the origin answers
 * 404 (its master playlist was renamed, files replaced, and we missed the Update), fetches the
 * video object from the origin first, then tries once more with what it says now, before the
 * failure counts. A video its origin deleted is `gone`.
 */
export async function attemptMirror(ports: MirrorAttemptPorts, videoId: number, options: { signal: AbortSignal; reuse: boolean; onProgress?(percent: number): void }): Promise<MirrorAttempt> {
  const once = async (video: VideoToMirror, refetched: boolean): Promise<MirrorAttempt> => {
    const hls = video.hls;
    if (!hls?.playlistUrl || !hls.segmentsSha256Url) return { type: 'no-hls', refetched };
    const result = await ports.copy({
      uuid: video.uuid,
      playlistUrl: hls.playlistUrl,
      segmentsSha256Url: hls.segmentsSha256Url,
      torrentUrls: Object.fromEntries(hls.files.filter((f) => f.torrentUrl !== null).map((f) => [f.filename, f.torrentUrl!])),
      signal: options.signal,
      reuse: options.reuse,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (result.ok) return { type: 'copied', totalBytes: result.totalBytes, fileSet: hlsFileSetDigest(hls), refetched };
    return { type: 'failed', reason: result.reason, refetched };
  };

  const video = await ports.loadVideo(videoId);
  if (!video) return { type: 'gone' };
  const first = await once(video, false);
  if (first.type !== 'failed' || !isOriginNotFound(first.reason) || !ports.refetchVideo) return first;
  const refetch = await ports.refetchVideo(videoId);
  if (refetch === 'deleted') return { type: 'gone' };
  const again = await ports.loadVideo(videoId);
  if (!again) return { type: 'gone' };
  return once(again, true);
}
