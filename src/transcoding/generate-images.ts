import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Ffmpeg } from './ffmpeg-runner.js';
import { buildImageArgs, PREVIEW_SIZE, THUMBNAIL_SIZE } from './image-args.js';
import type { MediaProbe } from './probe.js';
import { transcodeFailureFromRun, type TranscodeFailure } from './transcode-failure.js';

export interface GenerateImagesParams {
  ffmpeg: Ffmpeg;
  input: string;
  outDir: string;
  probe: Pick<MediaProbe, 'durationSeconds' | 'videoStream'>;
  /** Default `thumbnail.jpg`. */
  thumbnailFilename?: string;
  /** Default `preview.jpg`. */
  previewFilename?: string;
  signal?: AbortSignal;
}

export interface ImageFile {
  filename: string;
  width: number;
  height: number;
  /** Bytes. */
  size: number;
}

export type GenerateImagesResult =
  | { ok: true; images: { thumbnail: ImageFile; preview: ImageFile } }
  | { ok: false; reason: TranscodeFailure };

/** Thumbnail (280x157) and preview (850x480) JPEGs from a frame of the video, black for audio. */
export async function generateImages(params: GenerateImagesParams): Promise<GenerateImagesResult> {
  const { ffmpeg, outDir, probe, signal } = params;
  const thumbnailFilename = params.thumbnailFilename ?? 'thumbnail.jpg';
  const previewFilename = params.previewFilename ?? 'preview.jpg';
  await mkdir(outDir, { recursive: true });

  const args = buildImageArgs({ input: resolve(params.input), probe, thumbnailFilename, previewFilename });
  const run = await ffmpeg.runFfmpeg(args, { cwd: outDir, signal });
  if (!run.ok) return { ok: false, reason: transcodeFailureFromRun(run.reason) };

  const sizes = await Promise.all(
    [thumbnailFilename, previewFilename].map((name) => stat(join(outDir, name)).then((s) => s.size, () => 0)),
  );
  const [thumbnailSize = 0, previewSize = 0] = sizes;
  if (thumbnailSize === 0 || previewSize === 0) {
    return { ok: false, reason: { type: 'invalid-output', message: 'ffmpeg wrote no image (no decodable frame?)' } };
  }
  return {
    ok: true,
    images: {
      thumbnail: { filename: thumbnailFilename, ...THUMBNAIL_SIZE, size: thumbnailSize },
      preview: { filename: previewFilename, ...PREVIEW_SIZE, size: previewSize },
    },
  };
}
