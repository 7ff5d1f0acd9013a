/**
 * Best-first orders. most-views: views desc; trending: views over the trending interval desc;
 * recently-added and mirror-all: publishedAt desc. With a replica target, videos that already
 * have that many healthy known mirrors come after all those that have fewer. Ties: uuid (read as
 * a hexadecimal number), then videoId, so that the same snapshot always gives the same order.
 */
import type { Candidate, RankingName } from './types.js';

export interface Ranking {
  readonly name: RankingName;
  /** recently-added only: candidates need at least this many (all-time) views */
  readonly minViews: number;
}

export function acceptsCandidate(r: Ranking, c: Candidate): boolean {
  return r.name !== 'recently-added' || c.views >= r.minViews;
}

type Key = (c: Candidate) => number;
const KEYS: Record<RankingName, Key> = {
  'most-views': (c) => c.views,
  trending: (c) => c.viewsInInterval,
  'recently-added': (c) => c.publishedAt,
  'mirror-all': (c) => c.publishedAt,
};

/** Keys stay exact below 2^53: publishedAt (~1.8e12 ms) and view counts are far under this offset. */
const TIER_OFFSET = 2 ** 52;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

/**
 * The uuid tie-break as a number: its first 48 bits (exact in a double), so that ties, which are
 * frequent (many videos have the same few views), rarely need a string comparison. -1 for an
 * id that is not a canonical uuid (those then compare as strings, before the others).
 */
export function uuidTieKey(uuid: string): number {
  if (!CANONICAL_UUID.test(uuid)) return -1;
  return parseInt(uuid.slice(0, 8), 16) * 65536 + parseInt(uuid.slice(9, 13), 16);
}

/** Candidates addressed by their index in the snapshot, with their uuid tie keys. */
export interface RankInput {
  readonly candidates: readonly Candidate[];
  /** uuidTieKey of each candidate, by index */
  readonly tie: Float64Array;
}

/**
 * Sorts candidate indices best first. Keys (with the replica tier folded in) and tie keys are
 * copied once into typed arrays and positions are sorted on them: several times faster than a
 * comparator reading object properties.
 */
export function sortBest(idx: readonly number[], input: RankInput, name: RankingName, targetReplicas: number | null): number[] {
  const { candidates, tie } = input;
  const n = idx.length;
  const key = KEYS[name];
  const keys = new Float64Array(n);
  const ties = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ci = idx[i]!;
    const c = candidates[ci]!;
    const k = key(c);
    keys[i] = targetReplicas !== null && c.knownHealthyMirrors >= targetReplicas ? k - TIER_OFFSET : k;
    ties[i] = tie[ci]!;
  }
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => {
    const d = keys[j]! - keys[i]! || ties[i]! - ties[j]!;
    if (d !== 0) return d;
    const a = candidates[idx[i]!]!;
    const b = candidates[idx[j]!]!;
    return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : a.videoId - b.videoId;
  });
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = idx[order[i]!]!;
  return out;
}

export interface RankedList {
  /** candidate indices, best first */
  readonly items: readonly number[];
  /** which of the rankings put each item there (index into `rankings`) */
  readonly via: Uint8Array;
}

/**
 * Ranks a pool by each ranking, then merges the lists round-robin (the best of the first
 * ranking, the best of the second, ..., then the second best of each, skipping repeats).
 */
export function rankPool(pool: readonly number[], input: RankInput, rankings: readonly Ranking[], targetReplicas: number | null): RankedList {
  const lists = rankings.map((r) => {
    const accepted = r.name === 'recently-added' && r.minViews > 0 ? pool.filter((ci) => acceptsCandidate(r, input.candidates[ci]!)) : pool;
    return sortBest(accepted, input, r.name, targetReplicas);
  });
  if (lists.length === 1) return { items: lists[0]!, via: new Uint8Array(lists[0]!.length) };
  const items: number[] = [];
  const via: number[] = [];
  const seen = new Set<number>();
  const cursors = lists.map(() => 0);
  let exhausted = 0;
  while (exhausted < lists.length) {
    exhausted = 0;
    for (let k = 0; k < lists.length; k++) {
      const list = lists[k]!;
      let i = cursors[k]!;
      while (i < list.length && seen.has(list[i]!)) i++;
      cursors[k] = i;
      if (i >= list.length) {
        exhausted++;
        continue;
      }
      seen.add(list[i]!);
      items.push(list[i]!);
      via.push(k);
      cursors[k] = i + 1;
    }
  }
  return { items, via: Uint8Array.from(via) };
}
