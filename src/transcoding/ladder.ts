import { computeOutputFps, DEFAULT_MAX_FPS } from './fps.js';
import {
  AUDIO_ONLY_RESOLUTION,
  evenFloor,
  resolutionKey,
  scaledDimensions,
  standardResolutions,
  type ResolutionKey,
} from './resolutions.js';

export interface LadderConfig {
  /** Which resolutions to produce (PeerTube's `transcoding.resolutions`); `0p` is an audio-only rendition. */
  resolutions: Record<ResolutionKey, boolean>;
  hls: boolean;
  webVideos: boolean;
  /** PeerTube's `transcoding.fps.max` (default 60). */
  maxFps?: number;
  /**
   * PeerTube's `transcoding.always_transcode_original_resolution` (default false here): the top
   * rendition is the input's own resolution even when it is not an enabled standard one.
   */
  alwaysTranscodeOriginalResolution?: boolean;
}

/** One output of the ladder. `resolution` 0 is audio only (width, height and fps are then 0). */
export interface Rendition {
  resolution: number;
  width: number;
  height: number;
  fps: number;
}

/** The probe fields the ladder reads. */
export interface LadderInput {
  hasVideo: boolean;
  hasAudio: boolean;
  width: number;
  height: number;
  fps: number;
}

/**
 * The renditions to produce for an input, top (max-quality) one first, the audio-only one last.
 *
 * Like PeerTube (`buildOriginalFileResolution` + `computeResolutionsToTranscode`):
 * - the input's resolution is `min(width, height)`, so a 1080x1920 portrait video is "1080p";
 * - the top rendition is the highest enabled resolution at or below the input's; when none is
 *   enabled (or with `alwaysTranscodeOriginalResolution`) it is the input's own resolution (made
 *   even): there is always one full-quality output;
 * - below it, every enabled resolution lower than the top one;
 * - `0p`, when enabled and the input has audio, adds an audio-only rendition;
 * - an input without video gives a single audio-only rendition; an input with neither gives none.
 *
 * Sizes keep the input's aspect ratio with even sides; frame rates follow `computeOutputFps`.
 * The same list serves HLS and web videos; `config.hls` / `config.webVideos` say which to make.
 */
export function planLadder(input: LadderInput, config: LadderConfig): Rendition[] {
  if (!input.hasVideo) {
    return input.hasAudio ? [audioOnlyRendition()] : [];
  }
  const inputResolution = Math.min(input.width, input.height);
  const maxFps = config.maxFps ?? DEFAULT_MAX_FPS;

  const enabled = standardResolutions.filter((resolution) => {
    if (resolution === AUDIO_ONLY_RESOLUTION) return false;
    const key = resolutionKey(resolution);
    return key !== null && config.resolutions[key] && resolution <= inputResolution;
  });

  const top =
    config.alwaysTranscodeOriginalResolution === true || enabled.length === 0
      ? Math.max(2, evenFloor(inputResolution))
      : Math.max(...enabled);

  const resolutions = [top, ...enabled.filter((r) => r < top).sort((a, b) => b - a)];

  const renditions: Rendition[] = resolutions.map((resolution) => ({
    resolution,
    ...scaledDimensions(input, resolution),
    fps: computeOutputFps({ inputFps: input.fps, resolution, isOriginResolution: resolution === top, maxFps }),
  }));

  if (config.resolutions['0p'] && input.hasAudio) renditions.push(audioOnlyRendition());
  return renditions;
}

function audioOnlyRendition(): Rendition {
  return { resolution: AUDIO_ONLY_RESOLUTION, width: 0, height: 0, fps: 0 };
}
