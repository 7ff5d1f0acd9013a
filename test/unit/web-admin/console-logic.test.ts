import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createMirrorProgress } from '../../../src/redundancy/console/mirror-progress.js';
import { dryRunPolicy } from '../../../src/redundancy/console/policy-dry-run.js';
import { validateApiPolicy } from '../../../src/redundancy/policy/api-policy-body.js';
import { planRedundancy, validatePolicy, type PlanSnapshot } from '../../../src/redundancy/planner/index.js';
import { cand, copy, GB, NOW } from '../redundancy/planner-fixtures.js';
import { adminPage, loginPage } from '../../../src/web/admin/admin-pages.js';

describe('mirror progress (the console\'s live view of a copy being written)', () => {
  it('counts bytes, works out the speed over the last seconds and the ETA', () => {
    const clock = createManualClock(new Date(NOW));
    const progress = createMirrorProgress(clock);
    progress.start('u1');
    expect(progress.get('u1')).toMatchObject({ phase: 'playlists', bytesDone: 0, bytesExpected: null, percent: null, etaSeconds: null });
    progress.update('u1', { phase: 'download', bytesExpected: 1000, filesDone: 0, filesTotal: 2 });
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      progress.bytes('u1', 100);
    }
    expect(progress.get('u1')).toMatchObject({ phase: 'download', bytesDone: 400, bytesExpected: 1000, percent: 40, bytesPerSecond: 100, etaSeconds: 6, filesTotal: 2 });
    // a stall lowers the speed (the window still ends now)
    clock.advance(4000);
    expect(progress.get('u1')!.bytesPerSecond).toBeLessThan(100);
    // more than expected (a lower bound) never shows above 100 %
    progress.bytes('u1', 5000);
    expect(progress.get('u1')).toMatchObject({ percent: 100, etaSeconds: 0 });
    expect(progress.all().map((p) => p.videoUuid)).toEqual(['u1']);
    progress.finish('u1');
    expect(progress.get('u1')).toBeNull();
    // bytes of a copy that is not running are ignored
    progress.bytes('u1', 10);
    expect(progress.all()).toEqual([]);
  });
});

describe('policy dry-run', () => {
  const validate = (body: unknown) => validateApiPolicy(body, (input) => validatePolicy(input, { minLifetimeFloorMs: 1000 }));
  const current = validatePolicy({ strategies: [{ strategy: 'most-views', size: '3GB', min_lifetime: '25 hours' }] }, { minLifetimeFloorMs: 1000 });
  if (!current.ok) throw new Error(current.errors.join('; '));
  const snapshot: PlanSnapshot = {
    now: NOW,
    policy: current.policy,
    candidates: [cand(1, { views: 50 }), cand(2, { views: 40 }), cand(3, { views: 30 })],
    copies: [copy(1, { budget: 'most-views' })],
    allowedHosts: ['a.example'],
  };
  let snapshots = 0;
  const deps = {
    validate,
    snapshot: async () => {
      snapshots++;
      return snapshot;
    },
    plan: planRedundancy,
    videoNames: async (ids: readonly number[]) => new Map(ids.map((id) => [id, { name: `video ${id}`, uuid: `u${id}`, host: 'a.example' }])),
  };

  it('a wrong value is refused with the messages PUT gives, and nothing is planned', async () => {
    const body = { strategies: [{ strategy: 'most-views', size: 'a lot', min_lifetime: '25 hours' }] };
    const result = await dryRunPolicy(deps, body);
    const put = validate(body);
    expect(put.ok).toBe(false);
    expect(result).toEqual({ ok: false, errors: (put as { errors: string[] }).errors });
    expect((result as { errors: string[] }).errors.join(' ')).toMatch(/size/);
    expect(snapshots).toBe(0);
    expect(await dryRunPolicy(deps, {})).toMatchObject({ ok: false, errors: [expect.stringMatching(/strategies is required/)] });
  });

  it('says what the proposed policy would add and evict, beside what the policy in force would do', async () => {
    // a budget of 1 GB for trending only: the most-views copy goes, one trending video comes
    const result = await dryRunPolicy(deps, { strategies: [{ strategy: 'trending', size: '1GB', min_lifetime: '25 hours' }] });
    if (!result.ok) throw new Error(result.errors.join('; '));
    const summary = result.proposed.decisions.map((d) => [d.type, d.videoName, d.budget]);
    expect(summary).toContainEqual(['evict', 'video 1', 'most-views']);
    expect(summary.filter((d) => d[0] === 'add')).toHaveLength(1);
    expect(result.proposed.usage).toEqual([expect.objectContaining({ budget: 'trending', limit: GB })]);
    // the policy in force: two more most-views copies fit its 3 GB
    expect(result.current.decisions.filter((d) => d.type === 'add').map((d) => d.videoName)).toEqual(['video 2', 'video 3']);
    expect(result.current.decisions.every((d) => d.host === 'a.example')).toBe(true);
  });
});

describe('admin pages', () => {
  it('escape what they print and keep the login redirect inside the console', () => {
    const page = loginPage({ instanceName: '<b>Tube</b>', next: '/admin/jobs', error: 'x <script>alert(1)</script>' });
    expect(page).toContain('&lt;b&gt;Tube&lt;/b&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('data-next="/admin/jobs"');
    const instance = adminPage('instance', {
      instanceName: 'Tube',
      user: 'root"><img src=x>',
      facts: () => ({ metricsPath: '/metrics', dashboards: [{ file: 'overview.json', title: 'Overview <1>' }], metrics: [{ name: 'mirrortube_build_info', help: 'a <help>', type: 'gauge' }] }),
    });
    expect(instance).not.toContain('<img src=x>');
    expect(instance).toContain('Overview &lt;1&gt;');
    expect(instance).toContain('a &lt;help&gt;');
    expect(instance).toContain('aria-current="page">Instance</a>');
  });
});
