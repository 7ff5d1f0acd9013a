import type { LatencyProfile } from './latency.js';

/** The names of a live's files under /static/streaming-playlists/hls/<uuid>/ (PeerTube's live layout). */
export const LIVE_MASTER_PLAYLIST = 'master.m3u8';
export const LIVE_SEGMENTS_SHA256 = 'segments-sha256.json';
/** `<variant>-<number>.mp4`: fMP4 media segments (numbers start at the session's start, in epoch seconds, so names never repeat) */
export const LIVE_SEGMENT_PATTERN = /^\d+-\d+\.mp4$/;
/** `<variant>-init-<session>.mp4`: the fMP4 init sections */
export const LIVE_INIT_PATTERN = /^\d+-init-\d+\.mp4$/;

export interface LiveRendition {
  /** output height; null: the input as published, not re-encoded */
  height: number | null;
  /** video bit rate, bit/s (encoded renditions) */
  bitrate: number;
}

/**
 * The renditions of a live: the enabled resolutions below the input's height, plus the input's own
 * height when `always_transcode_original_resolution` (or when nothing else fits). Without
 * transcoding: the input as published, remuxed. Highest first.
 */
export function planLiveRenditions(input: { height: number | null; fps: number | null }, settings: { transcoding: boolean; resolutions: number[]; alwaysOriginal: boolean }): LiveRendition[] {
  if (!settings.transcoding) return [{ height: null, bitrate: 0 }];
  const fps = input.fps && input.fps > 0 ? Math.min(input.fps, 60) : 30;
  const inputHeight = input.height && input.height > 0 ? input.height : null;
  const heights = new Set(settings.resolutions.filter((r) => r > 0 && (inputHeight === null || r < inputHeight)));
  if (inputHeight !== null && (settings.alwaysOriginal || heights.size === 0)) heights.add(inputHeight);
  if (heights.size === 0) return [{ height: null, bitrate: 0 }];
  return [...heights].sort((a, b) => b - a).map((height) => ({ height, bitrate: liveBitrate(height, fps) }));
}

/** A live rendition's bit rate: about 0.1 bit per pixel per frame at 16:9, at least 100 kbit/s. */
export function liveBitrate(height: number, fps: number): number {
  const width = Math.ceil((height * 16) / 9);
  return Math.max(100_000, Math.round(width * height * fps * 0.1));
}

export interface LiveHlsArgsInput {
  /** where ffmpeg reads the published stream (FLV) */
  inputUrl: string;
  /** the live's HLS folder */
  outputDir: string;
  renditions: LiveRendition[];
  hasAudio: boolean;
  latency: LatencyProfile;
  /** first segment number (the session's start in epoch seconds: names never repeat across sessions) */
  startNumber: number;
  threads: number;
}

/**
 * ffmpeg's argv for a live: FLV in, one HLS variant per rendition out, fMP4 segments of the latency
 * mode's length each starting on a keyframe, old segments deleted, every file written under a
 * temporary name and renamed once complete (a listed or hashed file is always whole).
 */
export function buildLiveHlsArgs(input: LiveHlsArgsInput): string[] {
  const { renditions, latency } = input;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostats', '-fflags', 'nobuffer', '-f', 'flv', '-i', input.inputUrl];
  const encoded = renditions.filter((r) => r.height !== null);
  if (encoded.length > 0) {
    const splits = encoded.map((_, i) => `[vs${i}]`).join('');
    const scales = encoded.map((r, i) => `[vs${i}]scale=w=-2:h=${r.height}[vout${i}]`).join(';');
    args.push('-filter_complex', `[0:v]split=${encoded.length}${splits};${scales}`);
  }
  const varStreams: string[] = [];
  renditions.forEach((r, i) => {
    if (r.height === null) {
      args.push('-map', '0:v:0', `-c:v:${i}`, 'copy');
    } else {
      const bitrate = String(r.bitrate);
      args.push('-map', `[vout${encoded.indexOf(r)}]`, `-c:v:${i}`, 'libx264', `-b:v:${i}`, bitrate, `-maxrate:v:${i}`, bitrate, `-bufsize:v:${i}`, String(r.bitrate * 2));
    }
    if (input.hasAudio) {
      args.push('-map', '0:a:0', `-c:a:${i}`, r.height === null ? 'copy' : 'aac');
      if (r.height !== null) args.push(`-b:a:${i}`, '96k');
    }
    varStreams.push(input.hasAudio ? `v:${i},a:${i}` : `v:${i}`);
  });
  if (encoded.length > 0) {
    args.push('-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0');
    args.push('-force_key_frames', `expr:gte(t,n_forced*${latency.segmentSeconds})`);
    if (latency.zeroLatency) args.push('-tune', 'zerolatency');
    if (input.threads > 0) args.push('-threads', String(input.threads));
  }
  args.push(
    '-max_muxing_queue_size', '1024',
    '-f', 'hls',
    '-hls_time', String(latency.segmentSeconds),
    '-hls_list_size', String(latency.listSize),
    '-hls_flags', 'delete_segments+independent_segments+temp_file+program_date_time',
    '-hls_segment_type', 'fmp4',
    // ffmpeg 5.1 expands %v in the init section's name only with two variants or more: one variant's
    // would be written and listed as a literal `%v-init-…`, a URL no player can fetch
    '-hls_fmp4_init_filename', renditions.length > 1 ? `%v-init-${input.startNumber}.mp4` : `0-init-${input.startNumber}.mp4`,
    '-hls_segment_filename', `${input.outputDir}/%v-%d.mp4`,
    '-start_number', String(input.startNumber),
    '-master_pl_name', LIVE_MASTER_PLAYLIST,
    '-var_stream_map', varStreams.join(' '),
    `${input.outputDir}/%v.m3u8`,
  );
  return args;
}

/**
 * Cache-Control of a file under the HLS folder: live playlists and the hash list change every
 * segment (revalidated on each request); live segments and init sections never change under their
 * name (immutable). Other files (VOD) keep the mount's default.
 */
export function hlsCacheControl(relativePath: string): string | undefined {
  const name = relativePath.split(/[\\/]/).at(-1) ?? '';
  if (LIVE_SEGMENT_PATTERN.test(name) || LIVE_INIT_PATTERN.test(name)) return 'public, max-age=31536000, immutable';
  if (name.endsWith('.m3u8') || name === LIVE_SEGMENTS_SHA256) return 'public, max-age=0, no-cache';
  return undefined;
}
