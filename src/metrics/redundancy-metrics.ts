import { Counter, Gauge, type Registry } from 'prom-client';

/** PeerTube's redundancy strategies, plus copies an admin asked for by hand. */
export const REDUNDANCY_STRATEGIES = ['most-views', 'trending', 'recently-added', 'manual'] as const;
export type RedundancyStrategy = (typeof REDUNDANCY_STRATEGIES)[number];

/** The life of a mirrored copy: planned → downloading → verifying → active → evicting (or failed). */
export const REDUNDANCY_COPY_STATES = ['pending', 'downloading', 'verifying', 'active', 'evicting', 'failed'] as const;
export type RedundancyCopyState = (typeof REDUNDANCY_COPY_STATES)[number];

/** Where building or keeping a copy failed. `verify`: a segment did not match the origin's sha256. */
export const REDUNDANCY_FAILURE_STAGES = ['download', 'verify', 'announce', 'evict'] as const;
export type RedundancyFailureStage = (typeof REDUNDANCY_FAILURE_STAGES)[number];

/**
 * The redundancy engine's figures. Defined here (every metric lives in src/metrics) and exported
 * at zero from the start, so dashboards and alerts have series before the first copy exists.
 */
export function defineRedundancyMetrics(registry: Registry) {
  const used = new Gauge({
    name: 'mirrortube_redundancy_used_bytes',
    help: 'Bytes used by mirrored copies, per redundancy strategy, and per host rule (strategy="host:<host>")',
    labelNames: ['strategy'],
    registers: [registry],
  });
  const limit = new Gauge({
    name: 'mirrortube_redundancy_limit_bytes',
    help: 'Bytes the policy allows mirrored copies to use, per redundancy strategy (0: strategy not configured), and per host rule (strategy="host:<host>")',
    labelNames: ['strategy'],
    registers: [registry],
  });
  const copies = new Gauge({
    name: 'mirrortube_redundancy_copies',
    help: 'Mirrored copies by state (pending, downloading, verifying, active, evicting, failed)',
    labelNames: ['state'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'mirrortube_redundancy_failures_total',
    help: 'Failures building or keeping mirrored copies, by stage (download, verify, announce, evict)',
    labelNames: ['stage'],
    registers: [registry],
  });

  const origins = new Gauge({
    name: 'mirrortube_redundancy_origins',
    help: 'Instances whose videos we hold copies of, by state at the last check: up, or down (our REST API then sends players to our copies)',
    labelNames: ['state'],
    registers: [registry],
  });

  const hostBudgets = new Set<string>();
  for (const strategy of REDUNDANCY_STRATEGIES) {
    used.set({ strategy }, 0);
    limit.set({ strategy }, 0);
  }
  for (const state of REDUNDANCY_COPY_STATES) copies.set({ state }, 0);
  for (const stage of REDUNDANCY_FAILURE_STAGES) failures.inc({ stage }, 0);
  for (const state of ['up', 'down']) origins.set({ state }, 0);

  return {
    setBudget(strategy: RedundancyStrategy, usedBytes: number, limitBytes: number): void {
      used.set({ strategy }, usedBytes);
      limit.set({ strategy }, limitBytes);
    },
    /**
     * The budgets of the host rules in force (`host:<host>`), after a plan: rules no longer in the
     * policy lose their series (their label values are bounded by the policy).
     */
    setHostBudgets(budgets: readonly { budget: string; used: number; limit: number }[]): void {
      const current = new Set(budgets.map((b) => b.budget));
      for (const b of hostBudgets) {
        if (current.has(b)) continue;
        used.remove({ strategy: b });
        limit.remove({ strategy: b });
      }
      hostBudgets.clear();
      for (const b of budgets) {
        hostBudgets.add(b.budget);
        used.set({ strategy: b.budget }, b.used);
        limit.set({ strategy: b.budget }, b.limit);
      }
    },
    /** Every state's count (states not given are set to 0). */
    setCopies(counts: Partial<Record<RedundancyCopyState, number>>): void {
      for (const state of REDUNDANCY_COPY_STATES) copies.set({ state }, counts[state] ?? 0);
    },
    failure(stage: RedundancyFailureStage): void {
      failures.inc({ stage });
    },
    /** the origin health check's counts (failover) */
    setOrigins(up: number, down: number): void {
      origins.set({ state: 'up' }, up);
      origins.set({ state: 'down' }, down);
    },
  };
}

export type RedundancyMetrics = ReturnType<typeof defineRedundancyMetrics>;
