import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Ffmpeg } from './ffmpeg-runner.js';
import { progressFraction } from './ffmpeg-progress.js';
import { webVideoFilename } from './filenames.js';
import type { Rendition } from './ladder.js';
import type { MediaProbe } from './probe.js';
import { transcodeFailureFromRun, type TranscodeFailure } from './transcode-failure.js';
import type { TranscodeOptions } from './transcode-options.js';
import { buildWebVideoArgs } from './web-video-args.js';

export interface TranscodeWebVideoParams {
  ffmpeg: Ffmpeg;
  input: string;
  outDir: string;
  uuid: string;
  rendition: Rendition;
  probe: MediaProbe;
  options: TranscodeOptions;
  signal?: AbortSignal;
  /** The share of the input (0–1) ffmpeg has written, as it runs (from its `-progress` reports). */
  onProgress?(fraction: number): void;
}

export interface WebVideoFile {
  resolution: number;
  fps: number;
  width: number;
  height: number;
  /** Bytes. */
  size: number;
  filename: string;
}

export type TranscodeWebVideoResult = { ok: true; webVideo: WebVideoFile } | { ok: false; reason: TranscodeFailure };

/** One web video (progressive MP4) of one rendition, written as `outDir/<uuid>-<res>.mp4`. */
export async function transcodeWebVideo(params: TranscodeWebVideoParams): Promise<TranscodeWebVideoResult> {
  const { ffmpeg, outDir, uuid, rendition, probe, options, signal } = params;
  await mkdir(outDir, { recursive: true });
  const args = buildWebVideoArgs({ input: resolve(params.input), uuid, rendition, probe, options });
  const onProgress = params.onProgress && ((seconds: number, ended: boolean) => params.onProgress!(progressFraction(seconds, probe.durationSeconds, ended)));
  const run = await ffmpeg.runFfmpeg(args, { cwd: outDir, signal, ...(onProgress ? { onProgress } : {}) });
  if (!run.ok) return { ok: false, reason: transcodeFailureFromRun(run.reason) };

  const filename = webVideoFilename(uuid, rendition.resolution);
  const size = await stat(join(outDir, filename)).then((s) => s.size, () => 0);
  if (size === 0) return { ok: false, reason: { type: 'invalid-output', message: `${filename}: ffmpeg wrote nothing` } };
  // ffmpeg was told the exact size and rate, so the rendition describes the file.
  const { resolution, fps, width, height } = rendition;
  return { ok: true, webVideo: { resolution, fps, width, height, size, filename } };
}
