/**
 * Video resolutions as PeerTube names them: the number is the short side of the picture in pixels
 * (`min(width, height)`, so portrait videos are classed like landscape ones), `0` is audio only.
 */

export const resolutionKeys = ['0p', '144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'] as const;

export type ResolutionKey = (typeof resolutionKeys)[number];

/** The standard resolutions, audio-only (0) first, then ascending. */
export const standardResolutions: readonly number[] = resolutionKeys.map((key) => Number.parseInt(key, 10));

export const AUDIO_ONLY_RESOLUTION = 0;

export function resolutionKey(resolution: number): ResolutionKey | null {
  const key = `${resolution}p`;
  return (resolutionKeys as readonly string[]).includes(key) ? (key as ResolutionKey) : null;
}

/** Largest even number not above `value` (ffmpeg's yuv420p needs even dimensions). */
export function evenFloor(value: number): number {
  const n = Math.floor(value);
  return n - (n % 2);
}

/** Nearest even number to `value`. */
export function evenRound(value: number): number {
  return 2 * Math.round(value / 2);
}

/**
 * Output picture size for `resolution` (the short side) keeping the input's aspect ratio; both
 * sides are even and never larger than the input's (evened) sides.
 */
export function scaledDimensions(
  input: { width: number; height: number },
  resolution: number,
): { width: number; height: number } {
  if (resolution === AUDIO_ONLY_RESOLUTION || input.width <= 0 || input.height <= 0) {
    return { width: 0, height: 0 };
  }
  if (input.height > input.width) {
    // Portrait: the resolution is the width.
    const height = Math.min(evenRound((resolution * input.height) / input.width), evenFloor(input.height));
    return { width: resolution, height: Math.max(2, height) };
  }
  const width = Math.min(evenRound((resolution * input.width) / input.height), evenFloor(input.width));
  return { width: Math.max(2, width), height: resolution };
}
