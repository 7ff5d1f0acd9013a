import { inputArgs } from './encoder-args.js';
import type { MediaProbe } from './probe.js';

/** PeerTube's sizes: the thumbnail of lists and the preview shown before playback. */
export const THUMBNAIL_SIZE = { width: 280, height: 157 } as const;
export const PREVIEW_SIZE = { width: 850, height: 480 } as const;

export interface ImageArgsInput {
  input: string;
  probe: Pick<MediaProbe, 'durationSeconds' | 'videoStream'>;
  thumbnailFilename: string;
  previewFilename: string;
}

/**
 * Scale to cover the box, then crop the overflow (what PeerTube's image processing does).
 * `exact=1`: without it, crop rounds an odd size (157) down to what 4:2:0 chroma allows (156).
 */
function coverFilter(size: { width: number; height: number }): string {
  return `scale=${size.width}:${size.height}:force_original_aspect_ratio=increase,crop=${size.width}:${size.height}:exact=1`;
}

/**
 * One ffmpeg run writing both JPEGs. From a video: seek to the middle (like PeerTube), let the
 * `thumbnail` filter pick the most representative of the next 50 frames. Without video (audio
 * only): a black picture.
 */
export function buildImageArgs({ input, probe, thumbnailFilename, previewFilename }: ImageArgsInput): string[] {
  const { videoStream } = probe;
  const args =
    videoStream !== null
      ? inputArgs(input, ['-ss', (Math.max(0, probe.durationSeconds) / 2).toFixed(3)])
      : inputArgs(`color=c=black:s=${PREVIEW_SIZE.width}x${PREVIEW_SIZE.height}:d=1`, ['-f', 'lavfi']);
  const source = videoStream !== null ? `[0:${videoStream.index}]thumbnail=50,` : '[0:0]';
  const graph = [
    `${source}split=2[t][p]`,
    `[t]${coverFilter(THUMBNAIL_SIZE)}[thumbnail]`,
    `[p]${coverFilter(PREVIEW_SIZE)}[preview]`,
  ].join(';');
  args.push(
    '-filter_complex', graph,
    '-map', '[thumbnail]', '-frames:v', '1', '-q:v', '2', '-f', 'image2', thumbnailFilename,
    '-map', '[preview]', '-frames:v', '1', '-q:v', '2', '-f', 'image2', previewFilename,
  );
  return args;
}
