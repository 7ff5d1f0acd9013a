import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { redundancyPolicyCheck } from '../../../src/redundancy/policy/config-policy-check.js';

const badPolicy = { name: 'ops.yaml', data: { redundancy: { videos: { strategies: [{ strategy: 'most-views', size: '1GB', min_lifetime: '1 minute' }] } } } };

describe('the redundancy policy checked when the configuration loads', () => {
  it('refuses a policy the planner refuses, naming the rule and where the policy was set', () => {
    const r = loadConfig({ extra: [badPolicy], checks: [redundancyPolicyCheck] });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors).toContainEqual(expect.stringMatching(/^invalid redundancy policy: redundancy\.videos\.strategies\[0\] \(most-views\): min_lifetime .* \(set in .+\)$/));
  });

  it('accepts the default policy', () => {
    expect(loadConfig({ checks: [redundancyPolicyCheck] }).ok).toBe(true);
  });

  it('the loader itself runs only the checks it is given (it does not know the planner)', () => {
    expect(loadConfig({ extra: [badPolicy] }).ok).toBe(true);
  });
});
