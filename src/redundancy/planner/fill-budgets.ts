/**
 * Step 5 of planRedundancy: each budget is filled in one plan, best first, replacing worse
 * copies past their min_lifetime when a better candidate does not fit (see "Filling" and
 * "Replacing" in ./index.ts).
 */
import { rankText, worstFirst, type Budget } from './budgets.js';
import type { Evictions } from './evictions.js';
import { formatBytes, formatDuration } from './format.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Candidate, Decision, RankingName } from './types.js';

export type AddDecision = Extract<Decision, { type: 'add' }>;

export interface FillInput {
  readonly now: number;
  readonly targetReplicas: number | null;
  readonly trendingIntervalDays: number | undefined;
  readonly totalLimit: number | null;
  /** bytes kept in all after the evictions, manual copies included */
  readonly totalKept: number;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Walks each budget's ranking (budgets in planning order): a candidate that fits in the budget's
 * and the total cap's free space is added; one that does not may replace kept copies that rank
 * worse, are ready and past min_lifetime (worst first, only if that frees enough room); a
 * displaced copy is taken back if room appears again further down. Returns the additions in
 * planning order; the replaced copies are evicted.
 */
export function fillBudgets(
  budgets: readonly Budget[],
  index: SnapshotIndex,
  copied: Uint8Array,
  evictions: Evictions,
  input: FillInput,
): AddDecision[] {
  const { candidates: cands, copyById, sizes } = index;
  const { evict } = evictions;
  const { now, targetReplicas: target, trendingIntervalDays, totalLimit, totalKept } = input;
  const n = cands.length;
  const adds: AddDecision[] = [];
  const taken = new Uint8Array(n);
  let totalFree = totalLimit === null ? Infinity : totalLimit - totalKept;
  for (const b of budgets) {
    let free = b.limit - b.keptBytes;
    // Copies a better candidate may replace: ready and older than min_lifetime, worst first.
    const replaceable = worstFirst(b).filter((k) => k.state === 'ready' && k.createdAt + b.minLifetimeMs <= now);
    const rankAt = replaceable.map((k) => b.rankOf.get(k.videoId)!);
    const posOf = new Map(replaceable.map((k, j) => [k.videoId, j]));
    /** replaced copies (index in `replaceable`) → the candidate that displaced them */
    const gone = new Map<number, { by: Candidate; rank: number }>();
    let avail = replaceable.reduce((s, k) => s + k.sizeBytes, 0); // not gone, in [0, k)
    let p = 0; // replaceable[0..p) are all gone
    let k = replaceable.length; // replaceable[k..) rank better than the current candidate
    const items = b.items;
    // smallest size from each position to the end: the walk stops once nothing left can fit
    const suffixMin = new Float64Array(items.length + 1).fill(Infinity);
    for (let i = items.length - 1; i >= 0; i--) {
      const ci = items[i]!;
      const size = copied[ci] === 1 ? copyById.get(cands[ci]!.videoId)!.sizeBytes : sizes[ci]!;
      suffixMin[i] = Math.min(suffixMin[i + 1]!, size);
    }
    for (let i = 0; i < items.length; i++) {
      while (k > 0 && rankAt[k - 1]! < i) {
        k--;
        if (!gone.has(k)) avail -= replaceable[k]!.sizeBytes;
      }
      if (avail <= 0 && Math.min(free, totalFree) < suffixMin[i]!) break;
      const ci = items[i]!;
      if (copied[ci] === 1) {
        // One of our copies. If a better candidate displaced it and room is left, take it back.
        const j = posOf.get(cands[ci]!.videoId);
        const size = j === undefined ? 0 : replaceable[j]!.sizeBytes;
        if (j !== undefined && gone.has(j) && size <= free && size <= totalFree) {
          gone.delete(j);
          avail += size; // back in [0, k) until the next step moves k past it
          free -= size;
          totalFree -= size;
          b.keptBytes += size;
        }
        continue;
      }
      const size = sizes[ci]!;
      if (taken[ci] === 1) continue;
      const deficit = Math.max(size - free, size - totalFree);
      if (deficit > 0 && avail < deficit) continue; // does not fit: try the next, smaller ones
      const c = cands[ci]!;
      if (deficit > 0) {
        // Worst first, until enough is freed; then keep back the best of those not needed.
        const picked: number[] = [];
        let freed = 0;
        for (let j = p; j < k && freed < deficit; j++) {
          if (gone.has(j)) continue;
          picked.push(j);
          freed += replaceable[j]!.sizeBytes;
        }
        for (let q = picked.length - 2; q >= 0; q--) {
          const sz = replaceable[picked[q]!]!.sizeBytes;
          if (freed - sz >= deficit) {
            freed -= sz;
            picked.splice(q, 1);
          }
        }
        for (const j of picked) gone.set(j, { by: c, rank: i });
        while (p < replaceable.length && gone.has(p)) p++;
        avail -= freed;
        free += freed;
        totalFree += freed;
        b.keptBytes -= freed;
      }
      free -= size;
      totalFree -= size;
      b.added += size;
      taken[ci] = 1;
      adds.push({
        type: 'add',
        videoId: c.videoId,
        uuid: c.uuid,
        host: c.host,
        budget: b.id,
        strategy: b.rankings[b.via[i]!]!.name,
        sizeBytes: size,
        expiresAt: now + b.minLifetimeMs,
        reason: addReason(b, c, i, trendingIntervalDays, target),
      });
    }
    for (const [j, { by, rank }] of [...gone].sort((x, y) => x[0] - y[0])) {
      const old = replaceable[j]!;
      evict(
        old,
        b,
        'replaced',
        `replaced by a better-ranked video in ${b.id}: it is ${rankText(b, old.videoId)}, ` +
          `past its min_lifetime ${formatDuration(b.minLifetimeMs)} (created ${formatDuration(now - old.createdAt)} ago); ` +
          `makes room for ${by.uuid} (#${rank + 1})`,
      );
    }
  }
  return adds;
}

function addReason(b: Budget, c: Candidate, i: number, intervalDays: number | undefined, target: number | null): string {
  const via: RankingName = b.rankings[b.via[i]!]!.name;
  const what =
    via === 'most-views'
      ? `${c.views} views`
      : via === 'trending'
        ? `${c.viewsInInterval} views in the last ${intervalDays ?? '?'} days`
        : via === 'recently-added'
          ? `published ${isoDay(c.publishedAt)}, ${c.views} views${(b.rankings.find((r) => r.name === 'recently-added')?.minViews ?? 0) > 0 ? ` ≥ min_views ${b.rankings.find((r) => r.name === 'recently-added')!.minViews}` : ''}`
          : `published ${isoDay(c.publishedAt)}`;
  const who = b.kind === 'host' ? `${b.label} ${via}` : via;
  const replicas =
    target === null
      ? ''
      : c.knownHealthyMirrors >= target
        ? `; already ${c.knownHealthyMirrors} healthy mirrors (target ${target}), so ranked after videos with fewer`
        : `; ${c.knownHealthyMirrors} of ${target} target mirrors known`;
  const after = b.keptBytes + b.added;
  return (
    `${who} #${i + 1} of ${b.items.length} candidates (${what}) from ${c.host}, ${formatBytes(c.sizeBytes)}; ` +
    `budget ${b.id} at ${formatBytes(after)} of ${formatBytes(b.limit)} with it${replicas}`
  );
}
