/**
 * The `redundancy.videos` section, shared by the config file and the admin endpoint: one zod
 * schema parses the YAML/JSON shape (snake_case keys, sizes as "10GB" or bytes, durations as
 * "25 hours" or milliseconds) into the planner's `Policy`, with the semantic checks built in;
 * `validatePolicy` (./policy-validation.ts) turns its issues into sentences that name the rule;
 * `serializePolicy` (./policy-serialize.ts) writes a `Policy` back in the same shape (what the
 * endpoint's GET returns), so that `validatePolicy(serializePolicy(p))` gives `p` again.
 * The values are parsed in ./policy-values.ts, each rule in ./policy-rules.ts, then normalized
 * in ./policy-normalize.ts; the checks across rules are here.
 */
import { z } from 'zod';
import { formatDuration } from './format.js';
import { toGlobalStrategy, toHostRule } from './policy-normalize.js';
import { itemSchemas } from './policy-rules.js';
import { adder, integer, positiveDurationMs, positiveSize, show, type Add } from './policy-values.js';
import type { Policy } from './types.js';

/** PeerTube refuses lifetimes under 10 hours in production; so do we unless told otherwise. */
export const DEFAULT_MIN_LIFETIME_FLOOR_MS = 10 * 3_600_000;
/** PeerTube's default `check_interval`. */
export const DEFAULT_CHECK_INTERVAL_MS = 3_600_000;

export interface PolicySchemaOptions {
  /** Smallest accepted `min_lifetime` (default 10 hours, PeerTube's; tests may lower it). */
  readonly minLifetimeFloorMs?: number;
}

/**
 * Checks across rules (duplicate strategies and hosts, lifetimes against check_interval). They
 * run even when some rule has type errors, on the rules that parsed, so that one pass reports
 * everything; hence the defensive reading.
 */
function crossChecks(v: Record<string, unknown>, add: Add): void {
  const checkInterval = typeof v.check_interval === 'number' ? v.check_interval : null;
  const lifetime = (ms: unknown, path: (string | number)[]) => {
    if (checkInterval === null || typeof ms !== 'number' || ms / 2 >= checkInterval) return;
    add(
      `must be at least twice check_interval (${formatDuration(checkInterval)}), since copies are renewed in the last half of their lifetime (got ${formatDuration(ms)})`,
      [...path, 'min_lifetime'],
    );
  };
  const list = (x: unknown) => (Array.isArray(x) ? (x as unknown[]) : []).map((e) => (e !== null && typeof e === 'object' ? (e as Record<string, unknown>) : {}));
  const seenStrategies = new Map<string, number>();
  list(v.strategies).forEach((s, i) => {
    if (typeof s.strategy === 'string') {
      const first = seenStrategies.get(s.strategy);
      if (first !== undefined) add(`${s.strategy} is already configured in strategies[${first}] (each strategy is one budget)`, ['strategies', i, 'strategy']);
      else seenStrategies.set(s.strategy, i);
    }
    lifetime(s.min_lifetime, ['strategies', i]);
  });
  const seenHosts = new Map<string, number>();
  list(v.hosts).forEach((r, i) => {
    if (typeof r.host === 'string') {
      const host = r.host.toLowerCase();
      const first = seenHosts.get(host);
      if (first !== undefined) add(`${host} already has a rule (hosts[${first}]); merge them into one`, ['hosts', i, 'host']);
      else seenHosts.set(host, i);
    }
    lifetime(r.min_lifetime, ['hosts', i]);
  });
}

/** Builds the schema of `redundancy.videos`; its output is the planner's `Policy`. */
export function createRedundancyPolicySchema(options: PolicySchemaOptions = {}) {
  const { globalStrategy, hostRule } = itemSchemas(options.minLifetimeFloorMs ?? DEFAULT_MIN_LIFETIME_FLOOR_MS);
  return z
    .strictObject(
      {
        check_interval: positiveDurationMs.default(DEFAULT_CHECK_INTERVAL_MS),
        target_replicas: integer('an integer of 1 or more, or null')
          .min(1, { error: (iss) => `must be an integer of 1 or more, or null (got ${show(iss.input)})` })
          .nullable()
          .default(null),
        total_size: positiveSize.nullable().default(null),
        strategies: z.array(globalStrategy, { error: 'must be a list of strategies' }).nullable().default([]),
        hosts: z.array(hostRule, { error: 'must be a list of host rules' }).nullable().default([]),
      },
      { error: 'redundancy.videos must be a map (check_interval, strategies, hosts, ...)' },
    )
    .superRefine((v, ctx) => crossChecks(v as Record<string, unknown>, adder(ctx)), {
      // run on whatever parsed, so that cross-rule errors come with the others in one pass
      when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
    })
    .transform(
      (v): Policy => ({
        checkIntervalMs: v.check_interval,
        targetReplicas: v.target_replicas,
        totalSizeBytes: v.total_size,
        strategies: (v.strategies ?? []).map(toGlobalStrategy),
        hosts: (v.hosts ?? []).map(toHostRule),
      }),
    );
}

/** The schema with PeerTube's production floor for `min_lifetime` (10 hours). */
export const redundancyPolicySchema = createRedundancyPolicySchema();

/** What the config file and the admin endpoint accept. */
export type RedundancyPolicyInput = z.input<typeof redundancyPolicySchema>;
