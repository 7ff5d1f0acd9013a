/**
 * Step 2 of planRedundancy: each budget's pool of candidates, ranked best first (see "Budgets"
 * and "Ranking" in ./index.ts).
 */
import type { Budget } from './budgets.js';
import { baseEligible } from './filters.js';
import { rankPool, type RankInput } from './ranking.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { HostRule } from './types.js';

/**
 * Pools (candidate indices): every candidate that may be mirrored from an allowed host, split
 * by host rule (global strategies get the hosts without one), without the videos of manual or
 * evicted copies nor those mirrored by another budget, through the rule's filters. Sets each
 * budget's `items`, `via` and the `rankOf` its kept copies; returns `copied`, by candidate
 * index: 1 for candidates that have a (kept) copy.
 */
export function rankBudgets(
  budgets: readonly Budget[],
  hostRules: readonly HostRule[],
  index: SnapshotIndex,
  evicted: ReadonlySet<number>,
  targetReplicas: number | null,
): Uint8Array {
  const { candidates: cands, lowerHost, allowed, copyById } = index;
  const n = cands.length;
  const rankInput: RankInput = { candidates: cands, tie: index.tie };
  const globalPool: number[] = [];
  const hostPools = new Map<string, number[]>();
  for (const r of hostRules) hostPools.set(r.host, []);
  const copied = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = cands[i]!;
    const host = lowerHost(c.host);
    if (!baseEligible(c, host, allowed)) continue;
    // not finished at its origin: no new copy yet (one we hold is kept and ranked as usual)
    if (!c.published && !copyById.has(c.videoId)) continue;
    if (copyById.size > 0) {
      const copy = copyById.get(c.videoId);
      if (copy !== undefined) {
        if (copy.manual || evicted.has(c.videoId)) continue;
        copied[i] = 1;
      }
    }
    const pool = hostPools.get(host);
    if (pool) pool.push(i);
    else globalPool.push(i);
  }
  for (const b of budgets) {
    const source = b.rule === null ? globalPool : hostPools.get(b.rule.host)!;
    const filter = b.filter !== null && !b.filter.open ? b.filter : null;
    let pool: number[] = source;
    if (filter !== null || copyById.size > 0) {
      pool = [];
      for (const i of source) {
        if (copied[i] === 1 && copyById.get(cands[i]!.videoId)!.budget !== b.id) continue; // mirrored by another budget
        if (filter !== null && !filter.passes(cands[i]!)) continue;
        pool.push(i);
      }
    }
    const ranked = rankPool(pool, rankInput, b.rankings, targetReplicas);
    b.items = ranked.items;
    b.via = ranked.via;
    if (b.kept.length > 0) {
      const keptIds = new Set(b.kept.map((k) => k.videoId));
      b.items.forEach((ci, r) => {
        if (copied[ci] === 1 && keptIds.has(cands[ci]!.videoId)) b.rankOf.set(cands[ci]!.videoId, r);
      });
    }
  }
  return copied;
}
