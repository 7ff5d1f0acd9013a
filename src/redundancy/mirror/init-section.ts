/** Init sections are small (ftyp + moov of a fragmented mp4); a bigger one is not read. */
export const MAX_INIT_SECTION_BYTES = 16 * 1024 * 1024;

export type InitCheck = { readonly ok: true; readonly boxes: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * Pure: is `bytes` a whole fMP4 init section? Top-level ISO BMFF boxes that tile it exactly, the
 * first an `ftyp`, one of them a `moov`, none a media fragment (`moof`/`mdat`). PeerTube does not
 * hash the init section, so its structure is what we can check.
 */
export function checkInitSectionBytes(bytes: Uint8Array): InitCheck {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: string[] = [];
  let position = 0;
  while (position < bytes.length) {
    if (bytes.length - position < 8) return { ok: false, message: `${bytes.length - position} stray bytes at offset ${position}` };
    const size32 = view.getUint32(position);
    const type = String.fromCharCode(...bytes.subarray(position + 4, position + 8));
    let size = size32;
    if (size32 === 1) {
      if (bytes.length - position < 16) return { ok: false, message: `box '${type}' at ${position} is cut in its header` };
      size = Number(view.getBigUint64(position + 8));
    } else if (size32 === 0) size = bytes.length - position;
    if (size < 8 || position + size > bytes.length) {
      return { ok: false, message: `box '${type}' at ${position} (${size} bytes) does not fit the ${bytes.length}-byte init section` };
    }
    if (!/^[\x20-\x7e]{4}$/.test(type)) return { ok: false, message: `not a box type at offset ${position}` };
    boxes.push(type);
    position += size;
  }
  if (boxes[0] !== 'ftyp') return { ok: false, message: `the init section starts with '${boxes[0] ?? 'nothing'}', not 'ftyp'` };
  if (!boxes.includes('moov')) return { ok: false, message: 'the init section has no moov box' };
  if (boxes.includes('moof') || boxes.includes('mdat')) return { ok: false, message: 'the init section holds media data' };
  return { ok: true, boxes };
}

/**
 * Keeps the first `length` bytes of a file as they stream past (fed like a ChunkObserver, in order
 * from 0), then checks them as an init section: no second read of the file.
 */
export function captureInitSection(length: number): {
  restart(): void;
  update(chunk: Uint8Array, offset: number): void;
  check(): InitCheck;
} {
  const plausible = length <= MAX_INIT_SECTION_BYTES;
  let bytes: Buffer | undefined;
  let captured = 0;
  return {
    restart() {
      captured = 0;
    },
    update(chunk, offset) {
      if (!plausible || offset >= length) return;
      bytes ??= Buffer.alloc(length);
      const part = chunk.subarray(0, length - offset);
      bytes.set(part, offset);
      captured = offset + part.length;
    },
    check() {
      if (!plausible) return { ok: false, message: `an init section of ${length} bytes is implausible` };
      if (bytes === undefined || captured < length) return { ok: false, message: `the file ends inside its init section (${captured} of ${length} bytes)` };
      return checkInitSectionBytes(bytes);
    },
  };
}
