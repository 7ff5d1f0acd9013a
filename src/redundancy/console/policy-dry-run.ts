import type { PolicyValidation } from '../planner/index.js';
import type { BudgetUsage, Decision, Plan, PlanSnapshot, Policy, TotalUsage } from '../planner/index.js';

/** One decision of a plan, with the names an operator reads. */
export interface DryRunDecision {
  type: Decision['type'];
  videoId: number;
  videoName: string | null;
  videoUuid: string | null;
  host: string | null;
  budget: string;
  sizeBytes: number | null;
  reason: string;
}

export interface DryRunPlan {
  decisions: DryRunDecision[];
  usage: readonly BudgetUsage[];
  total: TotalUsage;
  notes: readonly string[];
}

export type DryRunResult = { ok: true; proposed: DryRunPlan; current: DryRunPlan } | { ok: false; errors: string[] };

export interface DryRunDeps {
  /** the policy endpoint's own validation (the same messages as PUT) */
  validate(body: unknown): PolicyValidation;
  /** what the next planning round would see */
  snapshot(): Promise<PlanSnapshot>;
  plan(snapshot: PlanSnapshot): Plan;
  /** names of videos, by id */
  videoNames(ids: readonly number[]): Promise<Map<number, { name: string; uuid: string; host: string | null }>>;
}

/**
 * The dry-run of a proposed policy: validated as PUT validates it, then the pure planner is run on
 * the snapshot the next round would see, once with the policy in force and once with the proposed
 * one. Nothing is stored, planned or downloaded.
 */
export async function dryRunPolicy(deps: DryRunDeps, body: unknown): Promise<DryRunResult> {
  const validated = deps.validate(body);
  if (!validated.ok) return validated;
  const snapshot = await deps.snapshot();
  const run = (policy: Policy) => deps.plan({ ...snapshot, policy });
  const proposed = run(validated.policy);
  const current = run(snapshot.policy);
  const ids = [...new Set([...proposed.decisions, ...current.decisions].map((d) => d.videoId))];
  const names = await deps.videoNames(ids);
  const describe = (plan: Plan): DryRunPlan => ({
    decisions: plan.decisions.map((d) => {
      const v = names.get(d.videoId);
      return {
        type: d.type,
        videoId: d.videoId,
        videoName: v?.name ?? null,
        videoUuid: v?.uuid ?? null,
        host: d.type === 'add' ? d.host : (v?.host ?? null),
        budget: d.budget,
        sizeBytes: d.type === 'add' || d.type === 'evict' ? d.sizeBytes : null,
        reason: d.reason,
      };
    }),
    usage: plan.usage,
    total: plan.total,
    notes: plan.notes,
  });
  return { ok: true, proposed: describe(proposed), current: describe(current) };
}
