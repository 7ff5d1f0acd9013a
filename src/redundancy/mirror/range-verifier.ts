import { createHash, type Hash } from 'node:crypto';
import type { HashedRange } from './segments-hashes.js';

export type RangeVerdict = { readonly ok: true } | { readonly ok: false; readonly range: string; readonly message: string };

/**
 * Checks a file's hashed ranges while its bytes stream past, so that verifying costs no second
 * read and a wrong byte stops the download at the end of its segment. Bytes must be fed in order
 * from offset 0 (`restart()` begins again, e.g. when a resumed download starts over).
 */
export interface RangeVerifier {
  restart(): void;
  /** the next bytes of the file, at `offset` (must be where the previous chunk ended) */
  update(chunk: Uint8Array, offset: number): RangeVerdict;
  /** after the last byte: every range must have been complete and matched */
  finish(fileSize: number): RangeVerdict;
}

const OK: RangeVerdict = Object.freeze({ ok: true });

interface Active {
  readonly range: HashedRange;
  readonly end: number;
  readonly hash: Hash;
}

export function createRangeVerifier(ranges: readonly HashedRange[]): RangeVerifier {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  let next = 0;
  let position = 0;
  let active: Active[] = [];
  let failed: RangeVerdict | undefined;

  return {
    restart() {
      next = 0;
      position = 0;
      active = [];
      failed = undefined;
    },
    update(chunk, offset) {
      if (failed !== undefined) return failed;
      if (offset !== position) throw new Error(`range verifier fed at ${offset}, expected ${position}`);
      const chunkEnd = offset + chunk.length;
      while (next < sorted.length && sorted[next]!.offset < chunkEnd) {
        const range = sorted[next]!;
        active.push({ range, end: range.offset + range.length, hash: createHash('sha256') });
        next++;
      }
      // ranges that end within this chunk are done: the rest stay, in place (no array per chunk)
      let kept = 0;
      for (const entry of active) {
        const from = Math.max(entry.range.offset, offset) - offset;
        const to = Math.min(entry.end, chunkEnd) - offset;
        if (to > from) entry.hash.update(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
        if (entry.end <= chunkEnd) {
          const digest = entry.hash.digest('hex');
          if (digest !== entry.range.sha256) {
            failed = {
              ok: false,
              range: entry.range.key,
              message: `bytes ${entry.range.key} hash to ${digest}, the origin lists ${entry.range.sha256}`,
            };
          }
        } else active[kept++] = entry;
      }
      active.length = kept;
      position = chunkEnd;
      return failed ?? OK;
    },
    finish(fileSize) {
      if (failed !== undefined) return failed;
      if (fileSize !== position) throw new Error(`range verifier saw ${position} bytes of a ${fileSize}-byte file`);
      const missing = active[0]?.range ?? sorted[next];
      if (missing !== undefined) {
        return { ok: false, range: missing.key, message: `bytes ${missing.key} end after the file (${fileSize} bytes)` };
      }
      return { ok: true };
    },
  };
}
