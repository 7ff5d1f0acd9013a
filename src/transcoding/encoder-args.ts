import { targetAudioKbitrate, targetVideoBitrate } from './bitrate.js';
import type { Rendition } from './ladder.js';
import type { AudioStreamInfo } from './probe.js';
import type { TranscodeOptions } from './transcode-options.js';

/** ffmpeg's start: quiet (errors only, kept for messages), no stdin, overwrite outputs. */
export function inputArgs(input: string, before: readonly string[] = []): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...before, '-i', input];
}

/** Scale to the rendition's size in the pixel format every player decodes. */
export function scaleFilter(rendition: Rendition): string {
  return `scale=${rendition.width}:${rendition.height},format=yuv420p`;
}

/**
 * libx264 settings of one output (PeerTube's VOD profile): CRF default quality capped by
 * `-maxrate`/`-bufsize`, fixed output rate, and a keyframe every `keyframeInterval` seconds, on a
 * fixed grid (`-g`, `-force_key_frames`, no scene-cut keyframes) so HLS segments line up.
 */
export function videoEncoderArgs(rendition: Rendition, inputBitrate: number | null, options: TranscodeOptions): string[] {
  const bitrate = targetVideoBitrate({ ...rendition, inputBitrate });
  const gop = Math.max(1, Math.round(rendition.fps * options.keyframeInterval));
  return [
    '-c:v', 'libx264',
    '-preset', options.preset,
    '-maxrate:v', String(bitrate),
    '-bufsize:v', String(bitrate * 2),
    '-b_strategy', '1',
    '-bf', '16',
    '-r', String(rendition.fps),
    '-g', String(gop),
    '-sc_threshold', '0',
    '-force_key_frames', `expr:gte(t,n_forced*${options.keyframeInterval})`,
  ];
}

/**
 * PeerTube's quick audio path: an AAC stream at or under 384 kbit/s with a known, non-quad
 * channel layout is copied as is.
 */
export function canCopyAudio(audio: AudioStreamInfo): boolean {
  if (audio.codec !== 'aac' || !audio.bitrate) return false;
  if (audio.bitrate > 384_000) return false;
  const layout = audio.channelLayout;
  return layout !== null && layout !== 'unknown' && layout !== 'quad';
}

/** AAC stereo (PeerTube forces stereo: other layouts break HLS playback in Chrome), or a copy. */
export function audioEncoderArgs(audio: AudioStreamInfo): string[] {
  if (canCopyAudio(audio)) return ['-c:a', 'copy'];
  const kbit = targetAudioKbitrate(audio.codec, audio.bitrate);
  return ['-c:a', 'aac', '-ac', '2', ...(kbit === null ? [] : ['-b:a', `${kbit}k`])];
}

/** Per-output settings every transcoding gets. */
export function commonOutputArgs(options: TranscodeOptions): string[] {
  return [
    '-map_metadata', '-1',
    '-max_muxing_queue_size', '1024',
    ...(options.threads > 0 ? ['-threads', String(options.threads)] : []),
  ];
}
