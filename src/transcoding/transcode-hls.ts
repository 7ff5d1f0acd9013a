import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { audioCodecString, avcCodecStringFromInit } from './codec-strings.js';
import type { Ffmpeg } from './ffmpeg-runner.js';
import { progressFraction } from './ffmpeg-progress.js';
import {
  DEFAULT_MASTER_FILENAME,
  DEFAULT_SEGMENTS_SHA256_FILENAME,
  hlsFragmentedFilename,
  hlsPlaylistFilename,
} from './filenames.js';
import { buildHlsArgs } from './hls-args.js';
import type { Rendition } from './ladder.js';
import { buildMasterPlaylist, hlsBandwidth } from './master-playlist.js';
import { parseMediaPlaylist, type ByteRange } from './media-playlist.js';
import type { MediaProbe } from './probe.js';
import { AUDIO_ONLY_RESOLUTION } from './resolutions.js';
import { computeSegmentsSha256, serializeSegmentsSha256 } from './segments-sha256.js';
import { transcodeFailureFromRun, type TranscodeFailure } from './transcode-failure.js';
import type { TranscodeOptions } from './transcode-options.js';

export interface TranscodeHlsParams {
  ffmpeg: Ffmpeg;
  input: string;
  /** Folder to write into (created if missing); the caller passes a temporary one and renames it. */
  outDir: string;
  /** Stem of the per-resolution file names. */
  uuid: string;
  ladder: readonly Rendition[];
  /** Probe of the input. */
  probe: MediaProbe;
  options: TranscodeOptions;
  signal?: AbortSignal;
  /** The share of the input (0–1) ffmpeg has written, as it runs (from its `-progress` reports). */
  onProgress?(fraction: number): void;
  /** Default `master.m3u8` (PeerTube 6.3 uses `<random uuid>-master.m3u8`). */
  masterFilename?: string;
  /** Default `segments-sha256.json` (PeerTube 6.3 uses `<random uuid>-segments-sha256.json`). */
  segmentsSha256Filename?: string;
}

export interface HlsPlaylistFile {
  resolution: number;
  fps: number;
  width: number;
  height: number;
  playlistFilename: string;
  fileFilename: string;
  /** Size of the fragmented MP4, bytes. */
  size: number;
  /** BANDWIDTH written in the master playlist, bit/s. */
  bandwidth: number;
  /** CODECS written in the master playlist. */
  codecs: string;
  hasVideo: boolean;
  hasAudio: boolean;
}

export interface HlsOutput {
  /** In ladder order. */
  playlists: HlsPlaylistFile[];
  masterFilename: string;
  segmentsSha256Filename: string;
}

export type TranscodeHlsResult = { ok: true; hls: HlsOutput } | { ok: false; reason: TranscodeFailure };

/**
 * The HLS ladder in one ffmpeg run, then `segments-sha256.json` and the master playlist, all in
 * `outDir`. What the master playlist needs is read back from our own outputs without another
 * ffmpeg/ffprobe run: sizes from the files, the H.264 profile and level from the init section
 * (the `avcC` box); sizes and rates are the ladder's, which ffmpeg was told to produce exactly.
 */
export async function transcodeHls(params: TranscodeHlsParams): Promise<TranscodeHlsResult> {
  const { ffmpeg, outDir, uuid, ladder, probe, options, signal } = params;
  const masterFilename = params.masterFilename ?? DEFAULT_MASTER_FILENAME;
  const segmentsSha256Filename = params.segmentsSha256Filename ?? DEFAULT_SEGMENTS_SHA256_FILENAME;

  await mkdir(outDir, { recursive: true });
  const args = buildHlsArgs({ input: resolve(params.input), uuid, ladder, probe, options });
  const onProgress = params.onProgress && ((seconds: number, ended: boolean) => params.onProgress!(progressFraction(seconds, probe.durationSeconds, ended)));
  const run = await ffmpeg.runFfmpeg(args, { cwd: outDir, signal, ...(onProgress ? { onProgress } : {}) });
  if (!run.ok) return { ok: false, reason: transcodeFailureFromRun(run.reason) };

  const playlists: HlsPlaylistFile[] = [];
  for (const rendition of ladder) {
    const described = await describeRendition(outDir, uuid, rendition, probe);
    if ('type' in described) return { ok: false, reason: described };
    playlists.push(described);
  }

  const ascending = [...playlists].sort((a, b) => a.resolution - b.resolution);
  const hashes = await computeSegmentsSha256(outDir, ascending);
  if (!hashes.ok) return { ok: false, reason: { type: 'invalid-output', message: hashes.reason.message } };
  if (signal?.aborted) return { ok: false, reason: { type: 'aborted', message: 'aborted after ffmpeg' } };

  const master = buildMasterPlaylist(ascending.map((p) => ({ ...p, codecs: p.codecs.split(',') })));
  await writeFile(join(outDir, segmentsSha256Filename), serializeSegmentsSha256(hashes.segments));
  await writeFile(join(outDir, masterFilename), master);

  return { ok: true, hls: { playlists, masterFilename, segmentsSha256Filename } };
}

async function describeRendition(
  outDir: string,
  uuid: string,
  rendition: Rendition,
  probe: MediaProbe,
): Promise<HlsPlaylistFile | TranscodeFailure> {
  const playlistFilename = hlsPlaylistFilename(uuid, rendition.resolution);
  const fileFilename = hlsFragmentedFilename(uuid, rendition.resolution);
  const invalid = (message: string): TranscodeFailure => ({ type: 'invalid-output', message: `${playlistFilename}: ${message}` });

  let text: string;
  let size: number;
  try {
    text = await readFile(join(outDir, playlistFilename), 'utf8');
    size = (await stat(join(outDir, fileFilename))).size;
  } catch (err) {
    return invalid(`ffmpeg left no output (${(err as Error).message})`);
  }
  const parsed = parseMediaPlaylist(text);
  if (!parsed.ok) return invalid(parsed.reason.message);
  const { map, segments } = parsed.playlist;
  if (segments.length === 0) return invalid('no segment');
  if (map === null || map.uri !== fileFilename || map.range === null) return invalid('no byte-range init section');

  const hasVideo = rendition.resolution !== AUDIO_ONLY_RESOLUTION;
  const hasAudio = probe.audioStream !== null;
  const codecs: string[] = [];
  if (hasVideo) {
    const avc = avcCodecStringFromInit(await readRange(join(outDir, fileFilename), map.range));
    if (avc === null) return invalid('no H.264 configuration in the init section');
    codecs.push(avc);
  }
  // Our audio is always AAC (encoded, or an AAC input copied).
  if (hasAudio) codecs.push(audioCodecString('aac'));

  return {
    resolution: rendition.resolution,
    fps: rendition.fps,
    width: rendition.width,
    height: rendition.height,
    playlistFilename,
    fileFilename,
    size,
    bandwidth: hlsBandwidth(size, probe.durationSeconds),
    codecs: codecs.join(','),
    hasVideo,
    hasAudio,
  };
}

async function readRange(path: string, range: ByteRange): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(range.length, 1024 * 1024));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, range.offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
