/**
 * planRedundancy: snapshot in, decisions with reasons out. Pure: no I/O, no clock, no
 * randomness. The semantics are documented in ./index.ts; each step below has its own module.
 */
import { rankBudgets } from './budget-pools.js';
import { buildBudgets } from './budgets.js';
import { createEvictions } from './evictions.js';
import { fillBudgets } from './fill-budgets.js';
import { keepQualifyingCopies } from './kept-copies.js';
import { shedOverLimits } from './over-limits.js';
import { refreshStaleCopies } from './refreshes.js';
import { renewKeptCopies } from './renewals.js';
import { createLowerHost, indexSnapshot } from './snapshot-index.js';
import type { BudgetUsage, Plan, PlanSnapshot } from './types.js';

export function planRedundancy(snapshot: PlanSnapshot): Plan {
  const { now, policy } = snapshot;
  const target = policy.targetReplicas;
  const lowerHost = createLowerHost();
  const allowed = new Set(snapshot.allowedHosts.map(lowerHost));
  const notes: string[] = [];

  // budgets, in planning order; then the snapshot, indexed
  const budgets = buildBudgets(policy, allowed, notes);
  const index = indexSnapshot(snapshot, lowerHost, allowed);
  const evictions = createEvictions();

  // 1. copies that no longer qualify go; the others are kept
  const { manualBytes, totalUsed } = keepQualifyingCopies(snapshot.copies, policy, budgets, index, evictions);
  // 2. rank each budget's pool
  const copied = rankBudgets(budgets, policy.hosts, index, evictions.evicted, target);
  // 3. a budget over its limit keeps its best copies that fit; 4. over the total cap, the
  // lowest-priority budgets shed their worst copies
  const totalLimit = policy.totalSizeBytes;
  const totalKept = shedOverLimits(budgets, manualBytes, totalLimit, evictions, notes);
  // 5. fill each budget best first, replacing worse copies past their min_lifetime
  const adds = fillBudgets(budgets, index, copied, evictions, {
    now,
    targetReplicas: target,
    trendingIntervalDays: snapshot.trendingIntervalDays,
    totalLimit,
    totalKept,
  });
  // 6. renew kept copies in the last half of their lifetime
  const renewals = renewKeptCopies(budgets, evictions.evicted, now);
  // 7. ready copies whose origin's files changed are brought up to date
  const refreshes = refreshStaleCopies(snapshot.copies, index, evictions.evicted);

  // usage
  const usage: BudgetUsage[] = budgets.map((b) => ({
    budget: b.id,
    kind: b.kind,
    used: b.used,
    limit: b.limit,
    afterPlan: b.keptBytes + b.added,
  }));
  const afterPlanTotal = manualBytes + usage.reduce((s, u) => s + u.afterPlan, 0);
  return {
    decisions: [...evictions.decisions, ...renewals, ...refreshes, ...adds],
    usage,
    total: { used: totalUsed, limit: totalLimit, afterPlan: afterPlanTotal, manual: manualBytes },
    notes,
  };
}
