import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';

/**
 * Video bit rate targets, from PeerTube's bits-per-pixel tables (after
 * https://bitmovin.com/video-bitrate-streaming-hls-dash/). The encoder runs at its default
 * quality (CRF 23) with `-maxrate` set to the target and `-bufsize` to twice that.
 */

type BitsPerPixel = Readonly<Record<number, number>>;

const minBitsPerPixel: BitsPerPixel = { 144: 0.02, 240: 0.02, 360: 0.02, 480: 0.02, 720: 0.02, 1080: 0.02, 1440: 0.02, 2160: 0.02 };
const averageBitsPerPixel: BitsPerPixel = { 144: 0.19, 240: 0.17, 360: 0.15, 480: 0.12, 720: 0.11, 1080: 0.1, 1440: 0.09, 2160: 0.08 };

const tableResolutions = [2160, 1440, 1080, 720, 480, 360, 240, 144];

function bitsFor(table: BitsPerPixel, options: { resolution: number; width: number; height: number; fps: number }): number {
  const { resolution, width, height, fps } = options;
  if (resolution === AUDIO_ONLY_RESOLUTION) return 0;
  // The smallest table row is used for resolutions below 144p.
  const row = tableResolutions.find((r) => r <= resolution) ?? 144;
  return Math.floor(width * height * fps * (table[row] ?? 0));
}

/**
 * Target (maximum) bit rate of a rendition in bit/s: the average for its size and frame rate,
 * lowered to the input's bit rate plus 30% when the input is leaner, never under the minimum.
 */
export function targetVideoBitrate(options: {
  resolution: number;
  width: number;
  height: number;
  fps: number;
  /** Bit rate of the input, bit/s; null when unknown. */
  inputBitrate: number | null;
}): number {
  const average = bitsFor(averageBitsPerPixel, options) || 192_000;
  const minimum = bitsFor(minBitsPerPixel, options) || 10_000;
  const capped = options.inputBitrate ? Math.min(average, Math.round(options.inputBitrate * 1.3)) : average;
  return Math.max(minimum, capped);
}

/**
 * Audio bit rate in kbit/s for an input audio stream (PeerTube's `getMaxAudioKBitrate`), or null
 * to leave it to the encoder: an AAC input at or under 384 kbit/s keeps its rate.
 */
export function targetAudioKbitrate(codec: string, bitrate: number | null): number | null {
  const max = 384;
  if (!bitrate) return codec === 'flac' ? max : 256;
  const kbit = Math.round(bitrate / 1000);
  if (codec === 'aac') return kbit > max ? max : null;
  return Math.min(max, kbit);
}
