/** The plan's evictions, collected in the order the steps decide them. */
import type { Budget } from './budgets.js';
import type { CurrentCopy, Decision, EvictCause } from './types.js';

export type EvictDecision = Extract<Decision, { type: 'evict' }>;

export interface Evictions {
  readonly decisions: EvictDecision[];
  /** videoIds of the evicted copies */
  readonly evicted: Set<number>;
  /** Evicts `copy`, charged to `budget` (or to the copy's own budget when it left the policy). */
  evict(copy: CurrentCopy, budget: Budget | null, cause: EvictCause, reason: string): void;
}

export function createEvictions(): Evictions {
  const decisions: EvictDecision[] = [];
  const evicted = new Set<number>();
  return {
    decisions,
    evicted,
    evict(copy, budget, cause, reason) {
      evicted.add(copy.videoId);
      decisions.push({ type: 'evict', videoId: copy.videoId, budget: budget?.id ?? copy.budget, sizeBytes: copy.sizeBytes, cause, reason });
    },
  };
}
