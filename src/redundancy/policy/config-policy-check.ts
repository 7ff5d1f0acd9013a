import type { ConfigCheck } from '../../config/index.js';
import { validatePolicy } from '../planner/index.js';

/**
 * `redundancy.videos` of the configuration, checked by the planner's rules at load time (before
 * anything starts), each error naming the rule and the source that set the policy.
 */
export const redundancyPolicyCheck: ConfigCheck = (config, sourceOf) => {
  const policy = validatePolicy(config.redundancy.videos, { minLifetimeFloorMs: config.redundancy.min_lifetime_floor });
  if (policy.ok) return [];
  const source = sourceOf('redundancy.videos');
  return policy.errors.map((e) => `invalid redundancy policy: redundancy.videos.${e} (set in ${source})`);
};
