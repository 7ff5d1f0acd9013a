import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFileRanges } from '../../transcoding/index.js';
import { isSafeFilename } from './hls-references.js';
import { parseSegmentsSha256 } from './segments-hashes.js';

export type StoredCopyFailure =
  | { readonly type: 'missing-file'; readonly file: string; readonly message: string }
  | { readonly type: 'hash-mismatch'; readonly file: string; readonly range: string; readonly message: string }
  /** the copy's segments-sha256.json itself is unreadable */
  | { readonly type: 'invalid-hashes'; readonly file: string; readonly message: string }
  | { readonly type: 'aborted'; readonly file: string; readonly message: string };

export type StoredCopyResult = { readonly ok: true; readonly files: number; readonly ranges: number; readonly bytes: number } | { readonly ok: false; readonly reason: StoredCopyFailure };

export interface VerifyStoredCopyOptions {
  /** the copy's hashes file (MirroredCopy.segmentsSha256Filename); default: the one `*segments-sha256.json` in the folder */
  readonly segmentsSha256Filename?: string;
  readonly signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Re-hashes every range the copy's own segments-sha256.json lists (the origin's hashes, kept in the
 * copy), file by file, reading through one small buffer. For the periodic check of stored copies:
 * a failure means the copy must be dropped (and un-announced) or mirrored again.
 */
export async function verifyStoredCopy(dir: string, options: VerifyStoredCopyOptions = {}): Promise<StoredCopyResult> {
  let hashesName = options.segmentsSha256Filename;
  if (hashesName === undefined) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return { ok: false, reason: { type: 'missing-file', file: '.', message: `${dir} is not readable` } };
    }
    const candidates = names.filter((n) => n.endsWith('segments-sha256.json'));
    if (candidates.length !== 1) {
      return {
        ok: false,
        reason: { type: 'missing-file', file: 'segments-sha256.json', message: `${candidates.length} segments-sha256.json files in ${dir}` },
      };
    }
    hashesName = candidates[0]!;
  }
  let text: string;
  try {
    text = await readFile(join(dir, hashesName), 'utf8');
  } catch {
    return { ok: false, reason: { type: 'missing-file', file: hashesName, message: `${hashesName} is missing` } };
  }
  const parsed = parseSegmentsSha256(text);
  if (!parsed.ok) return { ok: false, reason: { type: 'invalid-hashes', file: hashesName, message: parsed.message } };

  let ranges = 0;
  let bytes = 0;
  for (const [file, list] of parsed.ranges) {
    if (options.signal?.aborted) return { ok: false, reason: { type: 'aborted', file, message: 'the check was cancelled' } };
    if (!isSafeFilename(file)) return { ok: false, reason: { type: 'invalid-hashes', file: hashesName, message: `${JSON.stringify(file)} is not a file name` } };
    const path = join(dir, file);
    if (!(await exists(path))) return { ok: false, reason: { type: 'missing-file', file, message: `${file} is missing` } };
    const hashed = await hashFileRanges(path, list);
    if (!hashed.ok) {
      const size = (await stat(path)).size;
      const cut = list.find((r) => r.offset + r.length > size) ?? list[list.length - 1]!;
      return { ok: false, reason: { type: 'hash-mismatch', file, range: cut.key, message: `${file}: ${hashed.reason.message}` } };
    }
    for (let i = 0; i < list.length; i++) {
      const expected = list[i]!;
      if (hashed.hashes[i] !== expected.sha256) {
        return {
          ok: false,
          reason: { type: 'hash-mismatch', file, range: expected.key, message: `${file}: bytes ${expected.key} hash to ${hashed.hashes[i]}, not ${expected.sha256}` },
        };
      }
      bytes += expected.length;
    }
    ranges += list.length;
  }
  return { ok: true, files: parsed.ranges.size, ranges, bytes };
}
