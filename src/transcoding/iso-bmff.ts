import { open } from 'node:fs/promises';

/**
 * Completeness check of an ISO BMFF file (mp4, mov, m4a, 3gp): walks the top-level boxes by their
 * headers only (8 or 16 bytes each) and reports a box that claims to extend past the end of the
 * file. ffprobe happily reads an mp4 cut short after its `moov` box (a "faststart" file), so this
 * is how a truncated upload of that kind is told apart from a complete one.
 */

export type BoxScanResult =
  | { ok: true; boxes: number }
  | { ok: false; message: string };

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

const MAX_BOXES = 1_000_000;

export async function scanIsoBmffBoxes(readAt: ReadAt, fileSize: number): Promise<BoxScanResult> {
  let position = 0;
  let boxes = 0;
  while (position < fileSize) {
    if (boxes >= MAX_BOXES) return { ok: true, boxes };
    if (fileSize - position < 8) {
      return { ok: false, message: `${fileSize - position} stray bytes at offset ${position}, too few for a box header` };
    }
    const header = await readAt(position, 16);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const size32 = view.getUint32(0);
    const type = String.fromCharCode(...header.subarray(4, 8));
    let size: number;
    if (size32 === 1) {
      if (header.byteLength < 16) return { ok: false, message: `box '${type}' at offset ${position} is cut in its header` };
      size = Number(view.getBigUint64(8));
    } else if (size32 === 0) {
      size = fileSize - position; // "extends to the end of the file"
    } else {
      size = size32;
    }
    if (size < 8) return { ok: false, message: `box '${type}' at offset ${position} has an invalid size ${size}` };
    if (position + size > fileSize) {
      return {
        ok: false,
        message: `box '${type}' at offset ${position} needs ${size} bytes but the file ends after ${fileSize - position}`,
      };
    }
    position += size;
    boxes += 1;
  }
  return { ok: true, boxes };
}

export async function checkIsoBmffFile(path: string): Promise<BoxScanResult> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(16);
    return await scanIsoBmffBoxes(async (position, length) => {
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await handle.close();
  }
}

/** ffprobe's format names of the ISO BMFF family ("mov,mp4,m4a,3gp,3g2,mj2"). */
export function isIsoBmffFormat(formatName: string): boolean {
  return formatName.split(',').some((name) => name === 'mp4' || name === 'mov');
}
