import { audioEncoderArgs, commonOutputArgs, inputArgs, scaleFilter, videoEncoderArgs } from './encoder-args.js';
import { webVideoFilename } from './filenames.js';
import type { Rendition } from './ladder.js';
import type { MediaProbe } from './probe.js';
import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';
import type { TranscodeOptions } from './transcode-options.js';

export interface WebVideoArgsInput {
  /** Input path; absolute, since ffmpeg runs in the output folder. */
  input: string;
  uuid: string;
  rendition: Rendition;
  probe: Pick<MediaProbe, 'bitrate' | 'videoStream' | 'audioStream'>;
  options: TranscodeOptions;
}

/**
 * A PeerTube "web video": one progressive MP4 `<uuid>-<res>.mp4` with its index first
 * (`-movflags faststart`) so it plays while downloading. Resolution 0 is an audio-only MP4.
 */
export function buildWebVideoArgs({ input, uuid, rendition, probe, options }: WebVideoArgsInput): string[] {
  const { videoStream, audioStream } = probe;
  const audioOnly = rendition.resolution === AUDIO_ONLY_RESOLUTION;
  if (!audioOnly && videoStream === null) throw new Error('buildWebVideoArgs: video rendition of an input without video');
  if (audioOnly && audioStream === null) throw new Error('buildWebVideoArgs: audio-only rendition of an input without audio');

  const args = inputArgs(input);
  if (!audioOnly && videoStream !== null) {
    args.push('-map', `0:${videoStream.index}`, '-vf', scaleFilter(rendition), ...videoEncoderArgs(rendition, probe.bitrate, options));
  }
  if (audioStream !== null) {
    args.push('-map', `0:${audioStream.index}`, ...audioEncoderArgs(audioStream));
  }
  args.push(...commonOutputArgs(options), '-movflags', 'faststart', '-f', 'mp4', webVideoFilename(uuid, rendition.resolution));
  return args;
}
