/**
 * The snapshot, indexed once per plan: copies by video, the candidates of our copies, and typed
 * arrays (sizes, uuid tie keys) by candidate index for the ranking and filling loops. A snapshot
 * with two copies of one video, or one candidate twice, is a bug in the caller: this throws.
 */
import { uuidTieKey } from './ranking.js';
import type { Candidate, CurrentCopy, PlanSnapshot } from './types.js';

export interface SnapshotIndex {
  readonly candidates: readonly Candidate[];
  /** host → lower case, memoized (hosts repeat across candidates) */
  readonly lowerHost: (host: string) => string;
  /** hosts that allow redundancy, lower-cased */
  readonly allowed: ReadonlySet<string>;
  readonly copyById: ReadonlyMap<number, CurrentCopy>;
  /** candidates of our copies (a map of every candidate would cost more than the rest) */
  readonly candidateById: ReadonlyMap<number, Candidate>;
  /** uuidTieKey of each candidate, by index */
  readonly tie: Float64Array;
  /** sizeBytes of each candidate, by index */
  readonly sizes: Float64Array;
}

/** A memoized `toLowerCase` for host names. */
export function createLowerHost(): (host: string) => string {
  const lowerCache = new Map<string, string>();
  return (h: string): string => {
    let l = lowerCache.get(h);
    if (l === undefined) lowerCache.set(h, (l = h.toLowerCase()));
    return l;
  };
}

export function indexSnapshot(snapshot: PlanSnapshot, lowerHost: (host: string) => string, allowed: ReadonlySet<string>): SnapshotIndex {
  const copyById = new Map<number, CurrentCopy>();
  for (const copy of snapshot.copies) {
    if (copyById.has(copy.videoId)) throw new TypeError(`redundancy planner: video ${copy.videoId} has two copies in the snapshot`);
    copyById.set(copy.videoId, copy);
  }
  const cands = snapshot.candidates;
  const n = cands.length;
  const candidateById = new Map<number, Candidate>();
  const tie = new Float64Array(n);
  const sizes = new Float64Array(n);
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cands[i]!;
    ids[i] = c.videoId;
    tie[i] = uuidTieKey(c.uuid);
    sizes[i] = c.sizeBytes;
    if (copyById.has(c.videoId)) candidateById.set(c.videoId, c);
  }
  ids.sort();
  for (let i = 1; i < n; i++) {
    if (ids[i] === ids[i - 1]) throw new TypeError(`redundancy planner: candidate video ${ids[i]} appears twice in the snapshot`);
  }
  return { candidates: cands, lowerHost, allowed, copyById, candidateById, tie, sizes };
}
