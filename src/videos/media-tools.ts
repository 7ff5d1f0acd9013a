import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateImages, probeMedia, type Ffmpeg } from '../transcoding/index.js';
import { moveFile } from './files.js';
import type { MediaTools } from './ports.js';

/** The video service's media port over the transcoding module. */
export function createMediaTools(ffmpeg: Ffmpeg, tmpDir: string): MediaTools {
  return {
    probe: (path, signal) => probeMedia(ffmpeg, path, { signal }),
    async generateImages({ input, probe, thumbnailPath, previewPath, signal }) {
      const outDir = await mkdtemp(join(tmpDir, 'images-'));
      try {
        const result = await generateImages({ ffmpeg, input, outDir, probe, signal });
        if (!result.ok) throw new Error(`image generation failed: ${result.reason.message}`);
        await moveFile(join(outDir, result.images.thumbnail.filename), thumbnailPath);
        await moveFile(join(outDir, result.images.preview.filename), previewPath);
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    },
  };
}
