/** `validatePolicy`: the policy schema's issues as sentences that name the rule. */
import type { z } from 'zod';
import { createRedundancyPolicySchema, redundancyPolicySchema, type PolicySchemaOptions } from './policy-schema.js';
import { hostLabel, strategyLabel } from './rule-labels.js';
import type { Policy } from './types.js';

export type PolicyValidation = { ok: true; policy: Policy } | { ok: false; errors: string[] };

const HINTS: Record<string, string> = {
  min_lifetime: ' (set min_lifetime on the host rule: its strategies share one budget and one lifetime)',
};

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const path = issue.path;
  const root = (input ?? {}) as { strategies?: unknown; hosts?: unknown };
  let label = '';
  let rest: readonly PropertyKey[] = path;
  const [head, index] = path;
  if ((head === 'strategies' || head === 'hosts') && typeof index === 'number') {
    const list = root[head];
    const item = (Array.isArray(list) ? list[index] : undefined) as Record<string, unknown> | undefined;
    label = head === 'strategies' ? strategyLabel(index, item ?? {}) : hostLabel(index, item ?? {});
    rest = path.slice(2);
  }
  const field = fieldPath(rest);
  const prefix = label ? `${label}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const inRuleStrategies = head === 'hosts' && rest[0] === 'strategies';
    return issue.keys.map(
      (k) => `${prefix}${field ? `${field}.` : ''}${k} is not a known key${inRuleStrategies ? (HINTS[k] ?? '') : ''}`,
    );
  }
  return [`${prefix}${field ? `${field} ` : ''}${issue.message}`];
}

/**
 * Validates a `redundancy.videos` section (from YAML or from the admin endpoint's JSON body).
 * Every error names the rule: `hosts[1] (tube.example): include.tags must be a list of strings`.
 */
export function validatePolicy(input: unknown, options: PolicySchemaOptions = {}): PolicyValidation {
  const schema = options.minLifetimeFloorMs === undefined ? redundancyPolicySchema : createRedundancyPolicySchema(options);
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, policy: parsed.data };
  // Grouped by rule: top-level keys, then strategies[i], then hosts[i] (zod reports cross-rule checks last).
  const rank = (path: readonly PropertyKey[]) => {
    const [head, index] = path;
    const i = typeof index === 'number' ? index : 0;
    return head === 'strategies' ? 1 + i : head === 'hosts' ? 1_000_000 + i : 0;
  };
  const issues = parsed.error.issues.map((issue, order) => ({ issue, order, rank: rank(issue.path) }));
  issues.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return { ok: false, errors: issues.flatMap(({ issue }) => formatIssue(issue, input)) };
}
