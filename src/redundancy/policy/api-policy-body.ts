/**
 * What `PUT /api/v1/server/redundancy/policy` accepts: a JSON object in the config file's shape
 * (`redundancy.videos`) that validates fully. Stricter than the config file on one point: the
 * rules must be given (`strategies` and/or `hosts`, `[]` for none), so that an empty or truncated
 * body (`{}`) is refused instead of replacing the policy by an empty one.
 */
import type { PolicyValidation } from '../planner/index.js';

/** Fields GET adds to the policy (where it comes from); PUT ignores them, so a GET's body can be sent back. */
export const POLICY_INFO_KEYS = ['source', 'version', 'updatedAt', 'setBy'] as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export type ApiPolicyBody = { ok: true; input: Record<string, unknown> } | { ok: false; errors: string[] };

/** The body without GET's informative fields, or errors that name the field. */
export function readApiPolicyBody(body: unknown): ApiPolicyBody {
  if (!isPlainObject(body)) return { ok: false, errors: ['the body must be a JSON object (check_interval, strategies, hosts, ...)'] };
  const input = Object.fromEntries(Object.entries(body).filter(([k]) => !(POLICY_INFO_KEYS as readonly string[]).includes(k)));
  if (input.strategies === undefined && input.hosts === undefined) {
    return { ok: false, errors: ['strategies is required (or hosts): give the rules in force, [] for none'] };
  }
  return { ok: true, input };
}

/** readApiPolicyBody, then the policy's own validation. */
export function validateApiPolicy(body: unknown, validate: (input: unknown) => PolicyValidation): PolicyValidation {
  const read = readApiPolicyBody(body);
  if (!read.ok) return read;
  return validate(read.input);
}
