import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { PolicyValidation } from '../planner/index.js';
import { serializePolicy } from '../planner/index.js';
import type { Policy } from '../planner/index.js';
import { validateApiPolicy } from './api-policy-body.js';
import type { PolicyStore } from './policy-store.js';

/** Where the policy in force comes from. */
export interface PolicyInfo {
  /** `config`: the configuration file's `redundancy.videos` (no policy was set through the API) */
  readonly source: 'config' | 'api';
  /** the stored version in force (null for the config file's) */
  readonly version: number | null;
  readonly updatedAt: string | null;
  readonly setBy: string | null;
}

/**
 * The redundancy policy in force: the configuration file's until the admin API sets one; each
 * API change is a new stored version, loaded again at start-up (so a restart keeps it).
 */
export function createPolicyService(deps: {
  store: PolicyStore;
  clock: Clock;
  logger: Logger;
  /** the configuration file's policy, already validated */
  configPolicy: Policy;
  validate(input: unknown): PolicyValidation;
}) {
  const log = deps.logger.child({ component: 'redundancy-policy' });
  let policy = deps.configPolicy;
  let info: PolicyInfo = { source: 'config', version: null, updatedAt: null, setBy: null };
  // one change at a time, so that the policy in force is always the newest stored version
  let chain: Promise<unknown> = Promise.resolve();

  return {
    current: (): Policy => policy,
    info: (): PolicyInfo => info,
    /** GET's body: the policy in the config shape, with where it comes from */
    describe: (): Record<string, unknown> => ({ ...info, ...serializePolicy(policy) }),

    /** At start-up: the newest stored version, if any, replaces the config file's policy. */
    async load(): Promise<void> {
      const stored = await deps.store.latest();
      if (!stored) return;
      const v = deps.validate(stored.policy);
      if (!v.ok) {
        // kept visible: the config file's policy stays in force, GET says so
        log.error({ version: stored.version, errors: v.errors }, 'the stored redundancy policy is no longer valid; the configuration file\'s policy is in force until the API sets a new one');
        return;
      }
      policy = v.policy;
      info = { source: 'api', version: stored.version, updatedAt: stored.createdAt.toISOString(), setBy: stored.setBy };
      log.info({ version: stored.version }, 'redundancy policy loaded from the database');
    },

    /** Validates (API rules: see api-policy-body.ts), stores a new version, then puts it in force. */
    set(body: unknown, setBy: string | null): Promise<{ ok: true; info: PolicyInfo } | { ok: false; errors: string[] }> {
      const run = async () => {
        const v = validateApiPolicy(body, deps.validate);
        if (!v.ok) return v;
        const stored = await deps.store.append({ policy: serializePolicy(v.policy), setBy, at: deps.clock.now() });
        policy = v.policy;
        info = { source: 'api', version: stored.version, updatedAt: stored.createdAt.toISOString(), setBy: stored.setBy };
        log.info({ version: stored.version, setBy }, 'redundancy policy changed');
        return { ok: true as const, info };
      };
      const result = chain.then(run, run);
      chain = result.catch(() => undefined);
      return result;
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
