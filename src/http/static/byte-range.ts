/**
 * What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14):
 * - `full`: no usable range (absent, not `bytes=`, malformed, or several ranges) → 200 whole file;
 * - `partial`: one satisfiable range, `end` inclusive and clamped to the file → 206;
 * - `unsatisfiable`: one well-formed range that selects nothing → 416 `bytes *\/size`.
 */
export type RangeDecision =
  | { type: 'full' }
  | { type: 'partial'; start: number; end: number }
  | { type: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { type: 'full' };
  const match = SINGLE_RANGE.exec(header.trim().replace(/\s+/g, ''));
  // Malformed headers and multi-range requests (`bytes=0-1,5-6`) are ignored: answering 200
  // with the whole file is allowed by RFC 9110 and spares us multipart/byteranges.
  if (!match) return { type: 'full' };
  const [, first = '', last = ''] = match;

  if (first === '' && last === '') return { type: 'full' };

  if (first === '') {
    // Suffix range `bytes=-n`: the last n bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { type: 'unsatisfiable' };
    return { type: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = Number(first);
  if (!Number.isSafeInteger(start)) return { type: 'unsatisfiable' };
  if (last !== '') {
    const end = Number(last);
    if (end < start) return { type: 'full' }; // invalid range-spec → header ignored
    if (start >= size) return { type: 'unsatisfiable' };
    return { type: 'partial', start, end: Math.min(end, size - 1) };
  }
  if (start >= size) return { type: 'unsatisfiable' };
  return { type: 'partial', start, end: size - 1 };
}
