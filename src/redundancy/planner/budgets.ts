/**
 * The plan's budgets (see "Budgets" in ./index.ts): one per global strategy and one per host
 * rule, in planning order, with the per-plan state the steps of planRedundancy fill in.
 */
import { compileFilter, type CompiledFilter } from './filters.js';
import { hostLabel, strategyLabel } from './rule-labels.js';
import type { Ranking } from './ranking.js';
import type { CurrentCopy, HostRule, Policy } from './types.js';

export const hostBudgetId = (host: string): string => `host:${host}`;

export interface Budget {
  readonly id: string;
  readonly kind: 'strategy' | 'host';
  /** `strategies[0] (most-views)` / `hosts[1] (tube.example)`: how reasons name the rule */
  readonly label: string;
  readonly priority: number;
  /** host rules before global strategies on equal priority, then config order */
  readonly order: number;
  readonly limit: number;
  readonly minLifetimeMs: number;
  readonly rankings: readonly Ranking[];
  readonly rule: HostRule | null;
  readonly filter: CompiledFilter | null;
  /** copies charged to this budget that still qualify (evictions remove them) */
  readonly kept: CurrentCopy[];
  used: number;
  keptBytes: number;
  added: number;
  /** candidate indices, best first */
  items: readonly number[];
  /** index into `rankings` of the ranking that placed each item */
  via: Uint8Array;
  /** rank index of each kept copy */
  readonly rankOf: Map<number, number>;
}

/**
 * The policy's budgets in planning order: priority (higher first), then host rules before global
 * strategies, then config order. A note says when a rule's host does not allow redundancy.
 */
export function buildBudgets(policy: Policy, allowed: ReadonlySet<string>, notes: string[]): Budget[] {
  const budgets: Budget[] = [];
  const empty = () => ({ kept: [], used: 0, keptBytes: 0, added: 0, items: [], via: new Uint8Array(0), rankOf: new Map<number, number>() });
  policy.hosts.forEach((rule, i) => {
    const label = hostLabel(i, rule);
    budgets.push({
      id: hostBudgetId(rule.host),
      kind: 'host',
      label,
      priority: rule.priority,
      order: i,
      limit: rule.sizeBytes,
      minLifetimeMs: rule.minLifetimeMs,
      rankings: rule.mirrorAll ? [{ name: 'mirror-all', minViews: 0 }] : rule.strategies.map((s) => ({ name: s.strategy, minViews: s.minViews })),
      rule,
      filter: compileFilter(rule, label),
      ...empty(),
    });
    if (!allowed.has(rule.host)) {
      notes.push(`${label}: host ${rule.host} does not allow redundancy (redundancyAllowed is off), so this rule mirrors nothing`);
    }
  });
  policy.strategies.forEach((s, i) => {
    budgets.push({
      id: s.strategy,
      kind: 'strategy',
      label: strategyLabel(i, s),
      priority: s.priority,
      order: policy.hosts.length + i,
      limit: s.sizeBytes,
      minLifetimeMs: s.minLifetimeMs,
      rankings: [{ name: s.strategy, minViews: s.minViews }],
      rule: null,
      filter: null,
      ...empty(),
    });
  });
  budgets.sort((a, b) => b.priority - a.priority || a.order - b.order);
  return budgets;
}

/** Where a kept copy ranks in its budget, for reasons: `#3 of 120 in most-views`. */
export function rankText(b: Budget, videoId: number): string {
  const r = b.rankOf.get(videoId);
  return r === undefined ? `unranked in ${b.id}` : `#${r + 1} of ${b.items.length} in ${b.id}`;
}

/** The budget's kept copies, worst-ranked first (unranked ones before all others). */
export function worstFirst(b: Budget): CurrentCopy[] {
  return [...b.kept].sort((x, y) => (b.rankOf.get(y.videoId) ?? Infinity) - (b.rankOf.get(x.videoId) ?? Infinity) || y.videoId - x.videoId);
}
