/**
 * Step 1 of planRedundancy: our current copies that no longer qualify are evicted at once,
 * whatever their age (see "Evicting" in ./index.ts); the others are kept in their budget.
 */
import type { Budget } from './budgets.js';
import type { Evictions } from './evictions.js';
import { explainBaseRefusal, type Refusal } from './filters.js';
import { acceptsCandidate } from './ranking.js';
import { hostLabel } from './rule-labels.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Candidate, CurrentCopy, Policy } from './types.js';

export interface CopyTotals {
  /** bytes of the manual copies (never evicted, counted against total_size) */
  readonly manualBytes: number;
  /** bytes of every copy in the snapshot */
  readonly totalUsed: number;
}

/**
 * Charges each copy to its budget (`used`), keeps those that still qualify (`kept`, `keptBytes`)
 * and evicts the others: budget removed from the policy, video gone from the catalogue, or
 * refused by the budget (not public, live, no HLS, host disallowed or with its own rule,
 * filtered, min_views).
 */
export function keepQualifyingCopies(
  copiesInSnapshot: readonly CurrentCopy[],
  policy: Policy,
  budgets: readonly Budget[],
  index: SnapshotIndex,
  evictions: Evictions,
): CopyTotals {
  const { lowerHost, allowed, candidateById } = index;
  const { evict } = evictions;
  const budgetById = new Map(budgets.map((b) => [b.id, b]));
  const ruleIndexByHost = new Map<string, number>();
  policy.hosts.forEach((r, i) => ruleIndexByHost.set(r.host, i));

  /** Why a candidate cannot be in `budget` at all (independent of rank), or null. */
  const refusal = (c: Candidate, budget: Budget): Refusal | null => {
    const host = lowerHost(c.host);
    const base = explainBaseRefusal(c, host, allowed);
    if (base) return base;
    if (budget.rule === null) {
      const ruleIndex = ruleIndexByHost.get(host);
      if (ruleIndex !== undefined) {
        return {
          cause: 'host-has-rule',
          reason: `host ${host} now has its own rule (${hostLabel(ruleIndex, policy.hosts[ruleIndex]!)}); global strategies only cover hosts without one`,
        };
      }
    } else {
      if (host !== budget.rule.host) return { cause: 'filtered', reason: `video is from ${host}, not from ${budget.rule.host}` };
      const why = budget.filter!.explain(c);
      if (why !== null) return { cause: 'filtered', reason: why };
    }
    if (!budget.rankings.some((r) => acceptsCandidate(r, c))) {
      const minViews = Math.min(...budget.rankings.map((r) => r.minViews));
      return { cause: 'min-views', reason: `${budget.label}: recently-added needs min_views ${minViews} (video has ${c.views} views)` };
    }
    return null;
  };

  let manualBytes = 0;
  let totalUsed = 0;
  // In videoId order, so that the plan does not depend on the order of the snapshot's arrays.
  const copies = [...copiesInSnapshot].sort((a, b) => a.videoId - b.videoId);
  for (const copy of copies) {
    totalUsed += copy.sizeBytes;
    if (copy.manual) {
      manualBytes += copy.sizeBytes;
      continue;
    }
    const budget = budgetById.get(copy.budget);
    if (!budget) {
      const what = copy.budget.startsWith('host:') ? `the rule for ${copy.budget.slice(5)}` : `strategy ${copy.budget}`;
      evict(copy, null, 'budget-removed', `${what} is no longer in the policy`);
      continue;
    }
    budget.used += copy.sizeBytes;
    const c = candidateById.get(copy.videoId);
    if (!c) {
      evict(copy, budget, 'not-in-catalogue', 'video is no longer in the catalogue (deleted, or its origin stopped publishing it)');
      continue;
    }
    const r = refusal(c, budget);
    if (r) {
      evict(copy, budget, r.cause, r.reason);
      continue;
    }
    budget.kept.push(copy);
    budget.keptBytes += copy.sizeBytes;
  }
  return { manualBytes, totalUsed };
}
