import { audioEncoderArgs, commonOutputArgs, inputArgs, scaleFilter, videoEncoderArgs } from './encoder-args.js';
import { hlsFragmentedFilename, hlsPlaylistFilename } from './filenames.js';
import type { Rendition } from './ladder.js';
import type { MediaProbe } from './probe.js';
import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';
import type { TranscodeOptions } from './transcode-options.js';

export interface HlsArgsInput {
  /** Input path; absolute, since ffmpeg runs in the output folder. */
  input: string;
  uuid: string;
  ladder: readonly Rendition[];
  probe: Pick<MediaProbe, 'bitrate' | 'videoStream' | 'audioStream'>;
  options: TranscodeOptions;
}

/**
 * One ffmpeg process for a whole HLS ladder: the input is decoded once, split and scaled in one
 * filter graph, and each rendition is its own output, a VOD playlist `<uuid>-<res>.m3u8` over a
 * single fragmented MP4 `<uuid>-<res>-fragmented.mp4` addressed by byte ranges (PeerTube's layout;
 * each rendition carries video and audio; `0p` carries audio only).
 *
 * Output names are relative: run ffmpeg with the output folder as its working directory, so the
 * playlists name their file without a path.
 */
export function buildHlsArgs({ input, uuid, ladder, probe, options }: HlsArgsInput): string[] {
  if (ladder.length === 0) throw new Error('buildHlsArgs: empty ladder');
  const { videoStream, audioStream } = probe;

  const videoRenditions = ladder.filter((r) => r.resolution !== AUDIO_ONLY_RESOLUTION);
  if (videoRenditions.length > 0 && videoStream === null) throw new Error('buildHlsArgs: video rendition of an input without video');
  if (videoRenditions.length < ladder.length && audioStream === null) {
    throw new Error('buildHlsArgs: audio-only rendition of an input without audio');
  }

  const args = inputArgs(input);

  if (videoStream !== null && videoRenditions.length > 0) {
    const source = `[0:${videoStream.index}]`;
    const graph =
      videoRenditions.length === 1
        ? [`${source}${scaleFilter(videoRenditions[0]!)}[v0]`]
        : [
            `${source}split=${videoRenditions.length}${videoRenditions.map((_, i) => `[s${i}]`).join('')}`,
            ...videoRenditions.map((r, i) => `[s${i}]${scaleFilter(r)}[v${i}]`),
          ];
    args.push('-filter_complex', graph.join(';'));
  }

  let videoLabel = 0;
  for (const rendition of ladder) {
    if (rendition.resolution !== AUDIO_ONLY_RESOLUTION) {
      args.push('-map', `[v${videoLabel}]`, ...videoEncoderArgs(rendition, probe.bitrate, options));
      videoLabel += 1;
    }
    if (audioStream !== null) {
      args.push('-map', `0:${audioStream.index}`, ...audioEncoderArgs(audioStream));
    }
    args.push(
      ...commonOutputArgs(options),
      '-hls_time', String(options.segmentDuration),
      '-hls_list_size', '0',
      '-hls_playlist_type', 'vod',
      '-hls_segment_type', 'fmp4',
      '-hls_flags', 'single_file',
      '-hls_segment_filename', hlsFragmentedFilename(uuid, rendition.resolution),
      '-f', 'hls',
      hlsPlaylistFilename(uuid, rendition.resolution),
    );
  }
  return args;
}
