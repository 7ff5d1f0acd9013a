import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ByteRange } from './media-playlist.js';

const CHUNK_BYTES = 256 * 1024;

export type HashRangesResult =
  | { ok: true; hashes: string[] }
  | { ok: false; reason: { type: 'range-outside-file'; message: string } };

/**
 * SHA-256 (hex) of each byte range of a file, in order, reading through one small buffer: memory
 * stays flat whatever the file size. A range past the end of the file is an expected failure (a
 * truncated download), not an exception.
 */
export async function hashFileRanges(path: string, ranges: readonly ByteRange[]): Promise<HashRangesResult> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const hashes: string[] = [];
    for (const range of ranges) {
      if (range.offset + range.length > size) {
        return {
          ok: false,
          reason: {
            type: 'range-outside-file',
            message: `range ${range.offset}+${range.length} ends after the file (${size} bytes)`,
          },
        };
      }
      const hash = createHash('sha256');
      let position = range.offset;
      let remaining = range.length;
      while (remaining > 0) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(remaining, CHUNK_BYTES), position);
        if (bytesRead === 0) throw new Error(`${path} shrank while being read`);
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
        remaining -= bytesRead;
      }
      hashes.push(hash.digest('hex'));
    }
    return { ok: true, hashes };
  } finally {
    await handle.close();
  }
}
