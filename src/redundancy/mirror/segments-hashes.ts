import { z } from 'zod';
import type { SegmentsSha256 } from '../../transcoding/index.js';

/** One hashed byte range of a file, as listed in segments-sha256.json. */
export interface HashedRange {
  /** `<first>-<last>` (inclusive), the key in segments-sha256.json */
  readonly key: string;
  readonly offset: number;
  readonly length: number;
  /** lower-case hex */
  readonly sha256: string;
}

const RANGE_KEY = /^(\d{1,15})-(\d{1,15})$/;

/** `"<first>-<last>"` → offset and length, or undefined when it is not a range key. */
export function parseRangeKey(key: string): { offset: number; length: number } | undefined {
  const match = RANGE_KEY.exec(key);
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (last < first) return undefined;
  return { offset: first, length: last - first + 1 };
}

const schema = z.record(z.string().min(1).max(300), z.record(z.string().max(40), z.string().regex(/^[0-9a-fA-F]{64}$/)));

export type ParseSegmentsResult =
  | { readonly ok: true; readonly segments: SegmentsSha256; readonly ranges: ReadonlyMap<string, readonly HashedRange[]> }
  | { readonly ok: false; readonly message: string };

/**
 * Validates PeerTube's `segments-sha256.json` (`{ "<file>": { "<first>-<last>": sha256hex } }`):
 * JSON text at most `maxBytes` long, well-formed keys and hashes. Returns, per file, the ranges sorted
 * by offset.
 */
export function parseSegmentsSha256(text: string): ParseSegmentsResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `segments-sha256.json is not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `segments-sha256.json: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim() };
  }
  const ranges = new Map<string, HashedRange[]>();
  for (const [file, byRange] of Object.entries(parsed.data)) {
    const list: HashedRange[] = [];
    for (const [key, sha256] of Object.entries(byRange)) {
      const range = parseRangeKey(key);
      if (range === undefined) return { ok: false, message: `segments-sha256.json: ${file}: ${JSON.stringify(key)} is not a byte range` };
      list.push({ key, ...range, sha256: sha256.toLowerCase() });
    }
    list.sort((a, b) => a.offset - b.offset || a.length - b.length);
    ranges.set(file, list);
  }
  return { ok: true, segments: parsed.data, ranges };
}
