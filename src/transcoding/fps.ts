import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';

/**
 * Output frame rate of a rendition, following PeerTube's `computeOutputFPS` (vod):
 *
 * - audio only: 0;
 * - below 720p, a rendition that is not the top (origin) one and whose input is above 30 fps is
 *   brought down to a standard rate (24, 25 or 30; the largest that divides the input rate, else
 *   the one leaving the smallest remainder), so 60 → 30, 50 → 25, 48 → 24;
 * - at least 1 fps;
 * - above `maxFps` (PeerTube's `transcoding.fps.max`, default 60): brought to 50, 60 or `maxFps`
 *   the same way. Unlike PeerTube we apply this cap to the top rendition too, so a 120 fps upload
 *   does not produce a 120 fps stream.
 *
 * An unknown input rate (0, which ffprobe reports for some variable-rate files) is taken as 30
 * where PeerTube would fail the job.
 */
export function computeOutputFps(options: {
  inputFps: number;
  resolution: number;
  isOriginResolution: boolean;
  maxFps?: number;
}): number {
  const { resolution, isOriginResolution } = options;
  const maxFps = options.maxFps ?? DEFAULT_MAX_FPS;
  if (resolution === AUDIO_ONLY_RESOLUTION) return 0;

  const standard = [24, 25, 30].filter((v) => v <= maxFps);
  if (standard.length === 0) standard.push(maxFps);
  const hdStandard = [50, 60, maxFps].filter((v) => v <= maxFps);
  const average = Math.min(30, maxFps);

  let fps = options.inputFps > 0 ? options.inputFps : UNKNOWN_INPUT_FPS;

  if (!isOriginResolution && resolution < KEEP_ORIGIN_FPS_RESOLUTION_MIN && fps > average) {
    fps = closestFramerate(fps, standard);
  }
  fps = Math.max(fps, 1);
  if (fps > maxFps) fps = closestFramerate(fps, hdStandard);
  return fps;
}

export const DEFAULT_MAX_FPS = 60;
const UNKNOWN_INPUT_FPS = 30;
const KEEP_ORIGIN_FPS_RESOLUTION_MIN = 720;

/** Largest candidate dividing `fps`, else the candidate leaving the smallest remainder. */
function closestFramerate(fps: number, candidates: readonly number[]): number {
  const desc = [...candidates].sort((a, b) => b - a);
  const divisor = desc.find((c) => fps % c === 0);
  if (divisor !== undefined) return divisor;
  return desc.reduce((best, c) => (fps % c < fps % best ? c : best));
}
