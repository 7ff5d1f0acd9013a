import { stat } from 'node:fs/promises';
import type { Ffmpeg, RunFailure } from './ffmpeg-runner.js';
import { ffprobeOutputSchema, toNumber, type FfprobeStream } from './ffprobe-output.js';
import { checkIsoBmffFile, isIsoBmffFormat } from './iso-bmff.js';

/** What the rest of the server needs to know about a media file. */
export interface MediaProbe {
  /** Seconds (fractional); 0 when the container does not say. */
  durationSeconds: number;
  /** Bytes, as ffprobe reports it (the file size). */
  size: number;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  /** Overall bit rate in bit/s, or null when unknown. */
  bitrate: number | null;
  hasVideo: boolean;
  hasAudio: boolean;
  /** Displayed size (after a ±90° rotation); 0 without video. */
  width: number;
  height: number;
  /** Frames per second rounded like PeerTube (avg_frame_rate, else r_frame_rate); 0 without video or when unknown. */
  fps: number;
  /** ffprobe codec names ("h264", "aac"), or null without such a stream. */
  videoCodec: string | null;
  audioCodec: string | null;
  videoStream: VideoStreamInfo | null;
  audioStream: AudioStreamInfo | null;
}

export interface VideoStreamInfo {
  /** Stream index in the file (for `-map 0:<index>`). */
  index: number;
  codec: string;
  /** Container codec tag ("avc1", "hev1"), used for RFC 6381 codec strings. */
  codecTag: string | null;
  profile: string | null;
  level: number | null;
  pixFmt: string | null;
  bitrate: number | null;
  /** Rotation in degrees from the display matrix or the `rotate` tag; 0 when none. */
  rotation: number;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  bitrate: number | null;
  channels: number | null;
  channelLayout: string | null;
  sampleRate: number | null;
}

export type ProbeFailureType = 'not-media' | 'no-streams' | 'truncated' | 'probe-failed';

export interface ProbeFailure {
  type: ProbeFailureType;
  message: string;
}

export type ProbeResult = { ok: true; probe: MediaProbe } | { ok: false; reason: ProbeFailure };

/** The part of the Ffmpeg port the probe needs. */
export type FfprobeRunner = Pick<Ffmpeg, 'runFfprobe'>;

export function ffprobeArgs(path: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
}

/**
 * Probes `path` with ffprobe. Besides ffprobe's verdict, an empty file is `not-media` and an mp4
 * whose boxes run past the end of the file is `truncated` (ffprobe accepts such a file when its
 * `moov` box comes first).
 */
export async function probeMedia(
  runner: FfprobeRunner,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return { ok: false, reason: { type: 'probe-failed', message: `cannot read ${path}: ${(err as Error).message}` } };
  }
  if (size === 0) return { ok: false, reason: { type: 'not-media', message: 'the file is empty' } };

  const run = await runner.runFfprobe(ffprobeArgs(path), { signal: options.signal });
  if (!run.ok) return { ok: false, reason: classifyFfprobeFailure(run.reason) };

  const parsed = parseFfprobeJson(run.stdout);
  if (!parsed.ok) return parsed;

  if (isIsoBmffFormat(parsed.probe.formatName)) {
    const scan = await checkIsoBmffFile(path);
    if (!scan.ok) return { ok: false, reason: { type: 'truncated', message: scan.message } };
  }
  return parsed;
}

/** Maps a failed ffprobe run to a probe failure, reading ffprobe's error message. */
export function classifyFfprobeFailure(failure: RunFailure): ProbeFailure {
  if (failure.type !== 'exit') return { type: 'probe-failed', message: failure.message };
  const text = failure.stderrTail;
  const lastLine = text.split('\n').at(-1)?.trim() || failure.message;
  if (/moov atom not found|truncat|partial file|unexpected end of file/i.test(text)) {
    return { type: 'truncated', message: lastLine };
  }
  if (/Invalid data found when processing input|could not find codec parameters|unknown format/i.test(text)) {
    return { type: 'not-media', message: lastLine };
  }
  return { type: 'probe-failed', message: lastLine };
}

/** Validates ffprobe's JSON and reduces it to a MediaProbe (pure). */
export function parseFfprobeJson(stdout: string): ProbeResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: { type: 'probe-failed', message: 'ffprobe did not print JSON' } };
  }
  const parsed = ffprobeOutputSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    // A format-less answer is what ffprobe gives for data it cannot read.
    if (typeof json === 'object' && json !== null && !('format' in json)) {
      return { ok: false, reason: { type: 'not-media', message: 'ffprobe found no media container' } };
    }
    return { ok: false, reason: { type: 'probe-failed', message: `unexpected ffprobe output at ${where}: ${issue?.message ?? ''}` } };
  }
  const { streams, format } = parsed.data;
  const formatNames = format.format_name.split(',');
  // ffprobe reads a .txt file as "tty" (ANSI art rendered as video): text, not media.
  if (formatNames.includes('tty')) {
    return { ok: false, reason: { type: 'not-media', message: 'a text file, not media' } };
  }

  const video = streams.find((s) => s.codec_type === 'video' && !isStillPicture(s, format.format_name));
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video && !audio) {
    const kinds = [...new Set(streams.map((s) => s.codec_type ?? 'unknown'))];
    const found = kinds.length > 0 ? `only ${kinds.join(', ')} streams` : 'no streams';
    return { ok: false, reason: { type: 'no-streams', message: `no audio or video stream (${found})` } };
  }

  const videoStream = video ? toVideoStreamInfo(video) : null;
  const audioStream = audio ? toAudioStreamInfo(audio) : null;
  const turned = videoStream !== null && Math.abs(videoStream.rotation) % 180 === 90;
  const rawWidth = video?.width ?? 0;
  const rawHeight = video?.height ?? 0;

  const streamDurations = streams.map((s) => toNumber(s.duration) ?? 0);
  const durationSeconds = toNumber(format.duration) ?? Math.max(0, ...streamDurations);

  return {
    ok: true,
    probe: {
      durationSeconds,
      size: toNumber(format.size) ?? 0,
      formatName: format.format_name,
      bitrate: toNumber(format.bit_rate),
      hasVideo: videoStream !== null,
      hasAudio: audioStream !== null,
      width: turned ? rawHeight : rawWidth,
      height: turned ? rawWidth : rawHeight,
      fps: video ? streamFps(video) : 0,
      videoCodec: videoStream?.codec ?? null,
      audioCodec: audioStream?.codec ?? null,
      videoStream,
      audioStream,
    },
  };
}

/** PeerTube's getVideoStreamFPS: avg_frame_rate, else r_frame_rate, rounded; 0 if neither is usable. */
export function streamFps(stream: Pick<FfprobeStream, 'avg_frame_rate' | 'r_frame_rate'>): number {
  for (const text of [stream.avg_frame_rate, stream.r_frame_rate]) {
    if (!text) continue;
    const [frames, seconds] = text.split('/').map((part) => Number.parseInt(part, 10));
    if (frames === undefined || seconds === undefined || !Number.isFinite(frames) || !Number.isFinite(seconds) || seconds === 0) continue;
    const fps = frames / seconds;
    if (fps > 0) return Math.round(fps);
  }
  return 0;
}

/** Text rendered as pictures by ffmpeg's text-art decoders. */
const textArtCodecs = new Set(['ansi', 'bintext', 'xbin', 'idf']);

/** Cover art in an audio file, a lone image, or text art: a "video" stream that is not a video. */
function isStillPicture(stream: FfprobeStream, formatName: string): boolean {
  if (stream.disposition?.attached_pic === 1 || stream.disposition?.still_image === 1) return true;
  if (stream.codec_name !== undefined && textArtCodecs.has(stream.codec_name)) return true;
  return formatName.split(',').some((name) => name === 'image2' || name.endsWith('_pipe'));
}

function toVideoStreamInfo(stream: FfprobeStream): VideoStreamInfo {
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    codecTag: stream.codec_tag_string && !stream.codec_tag_string.startsWith('[') ? stream.codec_tag_string : null,
    profile: stream.profile ?? null,
    level: stream.level ?? null,
    pixFmt: stream.pix_fmt ?? null,
    bitrate: toNumber(stream.bit_rate),
    rotation: streamRotation(stream),
  };
}

function toAudioStreamInfo(stream: FfprobeStream): AudioStreamInfo {
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    bitrate: toNumber(stream.bit_rate),
    channels: stream.channels ?? null,
    channelLayout: stream.channel_layout ?? null,
    sampleRate: toNumber(stream.sample_rate),
  };
}

function streamRotation(stream: FfprobeStream): number {
  for (const sideData of stream.side_data_list ?? []) {
    const rotation = toNumber(sideData.rotation);
    if (rotation !== null) return rotation;
  }
  const tag = stream.tags?.['rotate'];
  return typeof tag === 'string' || typeof tag === 'number' ? (toNumber(tag) ?? 0) : 0;
}
