import { describe, expect, it } from 'vitest';
import type { Candidate, HostRule } from '../../../src/redundancy/planner/index.js';
import {
  DAY,
  GB,
  HOUR,
  MB,
  NOW,
  added,
  cand,
  copy,
  decisionsOf,
  evicted,
  plan,
  policy,
  renewed,
  rule,
  strategy,
  usageOf,
} from './planner-fixtures.js';

describe('global strategies (PeerTube)', () => {
  it('most-views fills its budget in one plan, most viewed first, with a specific reason', () => {
    const candidates = Array.from({ length: 10 }, (_, i) => cand(i + 1, { views: (i + 1) * 100 }));
    const p = plan({ policy: policy({ strategies: [strategy('most-views', 3 * GB)] }), candidates });
    expect(added(p)).toEqual([10, 9, 8]);
    const [first] = decisionsOf(p, 'add');
    expect(first).toMatchObject({ budget: 'most-views', strategy: 'most-views', sizeBytes: GB, expiresAt: NOW + 25 * HOUR });
    expect(first!.reason).toBe('most-views #1 of 10 candidates (1000 views) from a.example, 1 GB; budget most-views at 1 GB of 3 GB with it');
    expect(usageOf(p, 'most-views')).toEqual({ budget: 'most-views', kind: 'strategy', used: 0, limit: 3 * GB, afterPlan: 3 * GB });
  });

  it('trending ranks by views over the trending interval, not by all-time views', () => {
    const candidates = [cand(1, { views: 10_000, viewsInInterval: 5 }), cand(2, { views: 10, viewsInInterval: 50 }), cand(3, { views: 500, viewsInInterval: 20 })];
    const p = plan({ policy: policy({ strategies: [strategy('trending', 2 * GB)] }), candidates });
    expect(added(p)).toEqual([2, 3]);
    expect(decisionsOf(p, 'add')[0]!.reason).toContain('trending #1 of 3 candidates (50 views in the last 7 days)');
  });

  it.each([
    { minViews: 0, expected: [1, 2, 3] },
    { minViews: 10, expected: [2, 4, 5] },
    { minViews: 1000, expected: [] },
  ])('recently-added takes the newest videos with views ≥ min_views $minViews', ({ minViews, expected }) => {
    // video 1 is the newest (publishedAt = NOW - id hours)
    const candidates = [cand(1, { views: 3 }), cand(2, { views: 10 }), cand(3, { views: 0 }), cand(4, { views: 99 }), cand(5, { views: 11 })];
    const p = plan({ policy: policy({ strategies: [strategy('recently-added', 3 * GB, { minViews })] }), candidates });
    expect(added(p)).toEqual(expected);
  });

  it('skips a candidate that does not fit and keeps trying smaller ones (greedy knapsack)', () => {
    const candidates = [
      cand(1, { views: 900, sizeBytes: 2 * GB }),
      cand(2, { views: 800, sizeBytes: 5 * GB }), // does not fit after #1
      cand(3, { views: 700, sizeBytes: 512 * MB }),
      cand(4, { views: 600, sizeBytes: 3 * GB }), // does not fit
      cand(5, { views: 500, sizeBytes: 512 * MB }),
      cand(6, { views: 400, sizeBytes: 1 }), // budget exactly full before it
    ];
    const p = plan({ policy: policy({ strategies: [strategy('most-views', 3 * GB)] }), candidates });
    expect(added(p)).toEqual([1, 3, 5]);
    expect(usageOf(p, 'most-views').afterPlan).toBe(3 * GB);
  });

  it.each<[string, Partial<Candidate>]>([
    ['unlisted', { privacy: 2 }],
    ['private', { privacy: 3 }],
    ['live', { isLive: true }],
    ['without HLS', { hasHls: false }],
    ['HLS of unknown size', { sizeBytes: 0 }],
    ['from a host that does not allow redundancy', { host: 'closed.example' }],
  ])('never mirrors a video %s', (_, over) => {
    const p = plan({ policy: policy({ strategies: [strategy('most-views', 10 * GB)] }), candidates: [cand(1, { views: 1e6, ...over }), cand(2)] });
    expect(added(p)).toEqual([2]);
  });

  it('a video already mirrored (by any budget, or by hand) is not a candidate elsewhere; two strategies do not take the same video', () => {
    const candidates = [cand(1, { views: 100, viewsInInterval: 100 }), cand(2, { views: 90, viewsInInterval: 90 }), cand(3, { views: 80, viewsInInterval: 80 }), cand(4, { views: 70, viewsInInterval: 70 })];
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 2 * GB), strategy('trending', 2 * GB)] }),
      candidates,
      copies: [copy(1, { manual: true, budget: 'manual', expiresAt: null })],
    });
    expect(decisionsOf(p, 'add').map((d) => [d.budget, d.videoId])).toEqual([
      ['most-views', 2],
      ['most-views', 3],
      ['trending', 4],
    ]);
  });
});

describe('host rules', () => {
  const hosts = ['a.example', 'b.example'];
  const many = (host: string, from: number, n: number) => Array.from({ length: n }, (_, i) => cand(from + i, { host, views: 1000 - i }));

  it('a policy with two host rules fills both budgets in one plan', () => {
    const candidates = [...many('a.example', 1, 20), ...many('b.example', 101, 20)];
    const p = plan({
      policy: policy({ hosts: [rule('a.example', 5 * GB), rule('b.example', 3 * GB, { strategies: [{ strategy: 'trending', minViews: 0 }] })] }),
      candidates,
      allowedHosts: hosts,
    });
    expect(usageOf(p, 'host:a.example')).toMatchObject({ used: 0, limit: 5 * GB, afterPlan: 5 * GB });
    expect(usageOf(p, 'host:b.example')).toMatchObject({ used: 0, limit: 3 * GB, afterPlan: 3 * GB });
    expect(added(p)).toEqual([1, 2, 3, 4, 5, 101, 102, 103]);
    expect(decisionsOf(p, 'add')[0]!.reason).toBe(
      'hosts[0] (a.example) most-views #1 of 20 candidates (1000 views) from a.example, 1 GB; budget host:a.example at 1 GB of 5 GB with it',
    );
  });

  it('global strategies cover only hosts without a rule', () => {
    const candidates = [cand(1, { host: 'a.example', views: 1e6 }), cand(2, { host: 'b.example', views: 10 })];
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 10 * GB)], hosts: [rule('a.example', 10 * GB, { exclude: { channels: ['main@a.example'], accounts: [], tags: [], languages: [], licences: [], categories: [] } })] }),
      candidates,
    });
    // video 1 is excluded by its host's rule, and the global strategy does not cover a.example
    expect(decisionsOf(p, 'add').map((d) => [d.budget, d.videoId])).toEqual([['most-views', 2]]);
  });

  it('mirror_all takes every video of the host, newest first, until the budget is full', () => {
    const candidates = [...Array.from({ length: 6 }, (_, i) => cand(i + 1, { host: 'a.example' })), cand(50, { host: 'b.example' })];
    const p = plan({ policy: policy({ hosts: [rule('a.example', 4 * GB, { mirrorAll: true, strategies: [] })] }), candidates });
    expect(added(p)).toEqual([1, 2, 3, 4]);
    expect(decisionsOf(p, 'add')[0]).toMatchObject({ strategy: 'mirror-all', budget: 'host:a.example' });
    expect(decisionsOf(p, 'add')[0]!.reason).toMatch(/^hosts\[0\] \(a\.example\) mirror-all #1 of 6 candidates \(published 2026-01-15\)/);
  });

  it('a rule with several strategies merges their rankings round-robin', () => {
    const candidates = [
      cand(1, { views: 500, viewsInInterval: 1 }),
      cand(2, { views: 400, viewsInInterval: 2 }),
      cand(3, { views: 1, viewsInInterval: 300 }),
      cand(4, { views: 2, viewsInInterval: 200 }),
    ];
    const r = rule('a.example', 3 * GB, { strategies: [{ strategy: 'most-views', minViews: 0 }, { strategy: 'trending', minViews: 0 }] });
    const p = plan({ policy: policy({ hosts: [r] }), candidates });
    expect(decisionsOf(p, 'add').map((d) => [d.videoId, d.strategy])).toEqual([
      [1, 'most-views'],
      [3, 'trending'],
      [2, 'most-views'],
    ]);
  });

  it('a rule for a host that does not allow redundancy mirrors nothing, and says so', () => {
    const p = plan({ policy: policy({ hosts: [rule('closed.example', 10 * GB)] }), candidates: [cand(1, { host: 'closed.example' })] });
    expect(p.decisions).toEqual([]);
    expect(p.notes).toEqual(['hosts[0] (closed.example): host closed.example does not allow redundancy (redundancyAllowed is off), so this rule mirrors nothing']);
  });

  it('hosts are compared without case', () => {
    const p = plan({ policy: policy({ hosts: [rule('a.example', 10 * GB)] }), candidates: [cand(1, { host: 'A.Example' })], allowedHosts: ['A.EXAMPLE'] });
    expect(added(p)).toEqual([1]);
  });
});

describe('filters', () => {
  const noInclude = rule('a.example', 1).include;
  const noExclude = rule('a.example', 1).exclude;
  const inc = (over: Partial<HostRule['include']>): Partial<HostRule> => ({ include: { ...noInclude, ...over } });
  const exc = (over: Partial<HostRule['exclude']>): Partial<HostRule> => ({ exclude: { ...noExclude, ...over } });
  // Candidate 1 has the attributes the filter looks for; candidate 2 does not.
  const cases: [string, Partial<HostRule>, Partial<Candidate>, Partial<Candidate>, number[]][] = [
    ['include.channels by URL', inc({ channels: ['https://a.example/video-channels/films'] }), { channelUrl: 'https://a.example/video-channels/films', channelName: 'films' }, {}, [1]],
    ['include.channels by handle', inc({ channels: ['films@a.example'] }), { channelUrl: 'https://a.example/c/films', channelName: 'Films' }, {}, [1]],
    ['exclude.channels', exc({ channels: ['films@a.example'] }), { channelName: 'films' }, {}, [2]],
    ['include.accounts', inc({ accounts: ['https://a.example/accounts/bob'] }), { accountUrl: 'https://a.example/accounts/bob' }, {}, [1]],
    ['exclude.accounts by handle', exc({ accounts: ['bob@a.example'] }), { accountName: 'bob' }, {}, [2]],
    ['include.tags (any tag, no case)', inc({ tags: ['science'] }), { tags: ['Music', 'Science'] }, { tags: ['music'] }, [1]],
    ['exclude.tags', exc({ tags: ['nsfw'] }), { tags: ['NSFW'] }, { tags: ['cats'] }, [2]],
    ['include.languages', inc({ languages: ['fr'] }), { language: 'fr' }, { language: null }, [1]],
    ['exclude.languages', exc({ languages: ['de'] }), { language: 'de' }, {}, [2]],
    ['include.licences', inc({ licences: [2] }), { licence: 2 }, { licence: null }, [1]],
    ['exclude.licences', exc({ licences: [7] }), { licence: 7 }, {}, [2]],
    ['include.categories', inc({ categories: [3] }), { category: 3 }, { category: null }, [1]],
    ['exclude.categories', exc({ categories: [3] }), { category: 3 }, {}, [2]],
    ['include.max_size', inc({ maxSizeBytes: 600 * MB }), { sizeBytes: 500 * MB }, { sizeBytes: 700 * MB }, [1]],
    ['include.min_duration', inc({ minDurationSeconds: 3600 }), { durationSeconds: 3600 }, { durationSeconds: 3599 }, [1]],
    ['include.max_duration', inc({ maxDurationSeconds: 7200 }), { durationSeconds: 7200 }, { durationSeconds: 7201 }, [1]],
  ];
  it.each(cases)('%s', (_, ruleOver, match, other, expected) => {
    const candidates = [cand(1, { views: 10, ...match }), cand(2, { views: 5, ...other })];
    const p = plan({ policy: policy({ hosts: [rule('a.example', 10 * GB, ruleOver)] }), candidates });
    expect(added(p)).toEqual(expected);
  });

  it('excluded channels and tags are never mirrored, and existing copies of them are evicted at once', () => {
    const candidates = [
      cand(1, { views: 1e6, channelUrl: 'https://a.example/video-channels/spam', channelName: 'spam' }),
      cand(2, { views: 1e5, tags: ['nsfw'] }),
      cand(3, { views: 10 }),
    ];
    const r = rule('a.example', 100 * GB, { exclude: { ...noExclude, channels: ['https://a.example/video-channels/spam'], tags: ['nsfw'] } });
    const p = plan({
      policy: policy({ hosts: [r], strategies: [strategy('most-views', 100 * GB)] }),
      candidates,
      copies: [copy(2, { budget: 'host:a.example', createdAt: NOW - HOUR })],
    });
    expect(added(p)).toEqual([3]);
    expect(decisionsOf(p, 'evict')).toEqual([
      { type: 'evict', videoId: 2, budget: 'host:a.example', sizeBytes: GB, cause: 'filtered', reason: 'refused by hosts[0] (a.example): tag "nsfw" is excluded' },
    ]);
  });
});

describe('priorities and the total cap', () => {
  const candidates = [...[1, 2, 3].map((i) => cand(i, { host: 'a.example', views: 10 })), ...[11, 12, 13].map((i) => cand(i, { host: 'b.example', views: 10 }))];
  it.each([
    { pa: 10, pb: 0, a: 2, b: 1 },
    { pa: 0, pb: 10, a: 1, b: 2 },
  ])('with total_size, the higher-priority rule fills first (a: $pa, b: $pb)', ({ pa, pb, a, b }) => {
    const p = plan({
      policy: policy({ totalSizeBytes: 3 * GB, hosts: [rule('a.example', 2 * GB, { priority: pa }), rule('b.example', 2 * GB, { priority: pb })] }),
      candidates,
    });
    expect(usageOf(p, 'host:a.example').afterPlan).toBe(a * GB);
    expect(usageOf(p, 'host:b.example').afterPlan).toBe(b * GB);
    expect(p.total).toEqual({ used: 0, limit: 3 * GB, afterPlan: 3 * GB, manual: 0 });
  });

  it('manual copies count against total_size', () => {
    const p = plan({
      policy: policy({ totalSizeBytes: 3 * GB, hosts: [rule('a.example', 2 * GB), rule('b.example', 2 * GB)] }),
      candidates,
      copies: [copy(99, { manual: true, budget: 'manual', expiresAt: null, sizeBytes: 2 * GB })],
    });
    expect(added(p)).toEqual([1]);
    expect(p.total).toMatchObject({ used: 2 * GB, afterPlan: 3 * GB, manual: 2 * GB });
  });

  it('over a lowered total_size, the lowest-priority budget sheds its worst copies first', () => {
    const p = plan({
      policy: policy({ totalSizeBytes: 2 * GB, hosts: [rule('a.example', 5 * GB, { priority: 1 }), rule('b.example', 5 * GB)] }),
      candidates: [cand(1, { views: 5 }), cand(2, { views: 9 }), cand(11, { host: 'b.example', views: 1 }), cand(12, { host: 'b.example', views: 2 })],
      copies: [copy(1, { budget: 'host:a.example' }), copy(2, { budget: 'host:a.example' }), copy(11, { budget: 'host:b.example', createdAt: NOW }), copy(12, { budget: 'host:b.example', createdAt: NOW })],
    });
    expect(decisionsOf(p, 'evict').map((d) => [d.videoId, d.cause])).toEqual([
      [11, 'over-total'],
      [12, 'over-total'],
    ]);
    expect(p.total.afterPlan).toBe(2 * GB);
  });

  it('without a cap, a higher-priority global strategy gets a video both want', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', GB), strategy('trending', GB, { priority: 5 })] }),
      candidates: [cand(1, { views: 100, viewsInInterval: 100 }), cand(2, { views: 1, viewsInInterval: 1 })],
    });
    expect(decisionsOf(p, 'add').map((d) => [d.budget, d.videoId])).toEqual([
      ['trending', 1],
      ['most-views', 2],
    ]);
  });
});

describe('manual copies', () => {
  it('are never evicted, renewed or expired, even when their video would be refused', () => {
    const candidates = [cand(1, { privacy: 3 }), cand(2, { host: 'closed.example' }), cand(3, { views: 100 })];
    const manual = (id: number) => copy(id, { manual: true, budget: 'manual', expiresAt: null, createdAt: NOW - 400 * DAY });
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', GB)], totalSizeBytes: 10 * GB }),
      candidates,
      copies: [manual(1), manual(2), manual(3), manual(4)],
    });
    expect(p.decisions).toEqual([]);
    expect(p.total.manual).toBe(4 * GB);
  });
});

describe('replica awareness', () => {
  const candidates = [
    cand(1, { views: 1000, knownHealthyMirrors: 3 }),
    cand(2, { views: 900, knownHealthyMirrors: 2 }),
    cand(3, { views: 10, knownHealthyMirrors: 1 }),
    cand(4, { views: 5, knownHealthyMirrors: 0 }),
  ];
  it.each([
    { target: null, expected: [1, 2] },
    { target: 2, expected: [3, 4] },
    { target: 4, expected: [1, 2] },
  ])('target_replicas $target', ({ target, expected }) => {
    const p = plan({ policy: policy({ targetReplicas: target, strategies: [strategy('most-views', 2 * GB)] }), candidates });
    expect(added(p)).toEqual(expected);
  });

  it('says how many mirrors are known', () => {
    const p = plan({ policy: policy({ targetReplicas: 2, strategies: [strategy('most-views', 4 * GB)] }), candidates });
    const reasons = decisionsOf(p, 'add').map((d) => d.reason);
    expect(reasons[0]).toContain('; 1 of 2 target mirrors known');
    expect(reasons[3]).toContain('; already 2 healthy mirrors (target 2), so ranked after videos with fewer');
  });
});

describe('renewal', () => {
  // min_lifetime 25 h: the renewal window is the last 12 h 30 min
  it.each([
    { left: 13 * HOUR, state: 'ready' as const, renew: false },
    { left: 12.5 * HOUR, state: 'ready' as const, renew: true },
    { left: HOUR, state: 'ready' as const, renew: true },
    { left: -2 * HOUR, state: 'ready' as const, renew: true },
    { left: HOUR, state: 'pending' as const, renew: false },
  ])('a copy expiring in $left ms ($state) is renewed: $renew', ({ left, state, renew }) => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 10 * GB)] }),
      candidates: [cand(1, { views: 5 })],
      copies: [copy(1, { expiresAt: NOW + left, state })],
    });
    expect(renewed(p)).toEqual(renew ? [1] : []);
    expect(added(p)).toEqual([]);
    if (renew) expect(decisionsOf(p, 'renew')[0]!.expiresAt).toBe(NOW + 25 * HOUR);
  });

  it('words the renewal', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 10 * GB)] }),
      candidates: [cand(1, { views: 5 }), cand(2, { views: 50 })],
      copies: [copy(1, { expiresAt: NOW + 5 * HOUR })],
    });
    expect(decisionsOf(p, 'renew')[0]!.reason).toBe(
      'still qualifies for strategies[0] (most-views) (#2 of 2 in most-views); it expires in 5 h, inside the renewal window (the last 12 h 30 min, half of min_lifetime 25 h)',
    );
  });

  it('uses the min_lifetime of the budget (a host rule of 2 days renews in the last day)', () => {
    const p = plan({
      policy: policy({ hosts: [rule('a.example', 10 * GB, { minLifetimeMs: 2 * DAY })] }),
      candidates: [cand(1), cand(2)],
      copies: [copy(1, { budget: 'host:a.example', expiresAt: NOW + 23 * HOUR }), copy(2, { budget: 'host:a.example', expiresAt: NOW + 25 * HOUR })],
    });
    expect(decisionsOf(p, 'renew')).toMatchObject([{ videoId: 1, expiresAt: NOW + 2 * DAY }]);
  });
});

describe('eviction', () => {
  const most = strategy('most-views', 10 * GB);
  const cases: [string, Partial<Parameters<typeof plan>[0]>, string, RegExp][] = [
    ['video left the catalogue', { candidates: [] }, 'not-in-catalogue', /^video is no longer in the catalogue/],
    ['video went private', { candidates: [cand(1, { privacy: 3 })] }, 'not-public', /^video is no longer public \(it is private\)$/],
    ['video became a live', { candidates: [cand(1, { isLive: true })] }, 'live', /live/],
    ['HLS is gone', { candidates: [cand(1, { hasHls: false })] }, 'no-hls', /no HLS playlist/],
    ['host no longer allows redundancy', { allowedHosts: [] }, 'host-disallowed', /^host a\.example no longer allows redundancy/],
    ['host got its own rule', { policy: policy({ strategies: [most], hosts: [rule('a.example', GB)] }) }, 'host-has-rule', /^host a\.example now has its own rule \(hosts\[0\] \(a\.example\)\)/],
    ['strategy removed from the policy', { policy: policy({ strategies: [strategy('trending', GB)] }) }, 'budget-removed', /^strategy most-views is no longer in the policy$/],
  ];
  it.each(cases)('%s', (_, over, cause, reason) => {
    const p = plan({ policy: policy({ strategies: [most] }), candidates: [cand(1)], copies: [copy(1, { createdAt: NOW - HOUR })], ...over });
    const [e] = decisionsOf(p, 'evict');
    expect(e).toMatchObject({ videoId: 1, cause, sizeBytes: GB });
    expect(e!.reason).toMatch(reason);
    expect(renewed(p)).toEqual([]);
  });

  it('min_views raised above a recently-added copy evicts it', () => {
    const p = plan({ policy: policy({ strategies: [strategy('recently-added', 10 * GB, { minViews: 50 })] }), candidates: [cand(1, { views: 3 })], copies: [copy(1, { budget: 'recently-added' })] });
    expect(decisionsOf(p, 'evict')).toMatchObject([{ videoId: 1, cause: 'min-views', reason: 'strategies[0] (recently-added): recently-added needs min_views 50 (video has 3 views)' }]);
  });

  it('a rule removed from the policy evicts its copies', () => {
    const p = plan({ policy: policy(), candidates: [cand(1)], copies: [copy(1, { budget: 'host:a.example' })] });
    expect(decisionsOf(p, 'evict')).toMatchObject([{ cause: 'budget-removed', reason: 'the rule for a.example is no longer in the policy' }]);
  });

  it('a budget whose size was lowered sheds its worst-ranked copies until it fits, young or not', () => {
    const candidates = [1, 2, 3, 4].map((i) => cand(i, { views: 100 - i }));
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 2 * GB)] }),
      candidates,
      copies: candidates.map((c) => copy(c.videoId, { createdAt: NOW - HOUR })),
    });
    expect(decisionsOf(p, 'evict').map((d) => [d.videoId, d.cause])).toEqual([
      [4, 'over-budget'],
      [3, 'over-budget'],
    ]);
    expect(decisionsOf(p, 'evict')[0]!.reason).toBe('budget most-views holds 4 GB, over its size 2 GB; it keeps its best-ranked copies that fit (this one is #4 of 4 in most-views)');
    expect(usageOf(p, 'most-views')).toMatchObject({ used: 4 * GB, afterPlan: 2 * GB });
  });
});

describe('replacing copies when the budget is full', () => {
  const recently = (minLifetimeMs = 25 * HOUR) => policy({ strategies: [strategy('recently-added', 2 * GB, { minLifetimeMs })] });
  // publishedAt = NOW - id hours: a smaller id is newer.
  it('recently-added: a newer video evicts the oldest copy past its min_lifetime (PeerTube)', () => {
    const p = plan({
      policy: recently(),
      candidates: [cand(1), cand(5), cand(6)],
      copies: [copy(5, { budget: 'recently-added' }), copy(6, { budget: 'recently-added' })],
    });
    expect(evicted(p)).toEqual([6]);
    expect(added(p)).toEqual([1]);
    expect(decisionsOf(p, 'evict')[0]!.reason).toBe(
      `replaced by a better-ranked video in recently-added: it is #3 of 3 in recently-added, past its min_lifetime 25 h (created 30 h ago); makes room for ${cand(1).uuid} (#1)`,
    );
    expect(usageOf(p, 'recently-added')).toMatchObject({ used: 2 * GB, afterPlan: 2 * GB });
  });

  it.each([
    ['younger than min_lifetime', { createdAt: NOW - 24 * HOUR }],
    ['still downloading', { state: 'pending' as const }],
  ])('a copy %s is not replaced', (_, over) => {
    const p = plan({
      policy: recently(),
      candidates: [cand(1), cand(5), cand(6)],
      copies: [copy(5, { budget: 'recently-added' }), copy(6, { budget: 'recently-added', ...over })],
    });
    expect(evicted(p)).toEqual([5]);
    expect(added(p)).toEqual([1]);
  });

  it('never evicts a copy ranked better than the candidate, nor evicts when it would not free enough', () => {
    const p = plan({
      policy: recently(),
      // 7 is older than both copies; 2 is newer but 3 GB could only fit by evicting both... and the budget is 2 GB
      candidates: [cand(2, { sizeBytes: 3 * GB }), cand(5), cand(6), cand(7)],
      copies: [copy(5, { budget: 'recently-added' }), copy(6, { budget: 'recently-added' })],
    });
    expect(p.decisions.filter((d) => d.type !== 'renew')).toEqual([]);
  });

  it('most-views: a video that became more popular replaces the least viewed copy', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 2 * GB)] }),
      candidates: [cand(1, { views: 10 }), cand(2, { views: 20 }), cand(3, { views: 500 })],
      copies: [copy(1), copy(2)],
    });
    expect(evicted(p)).toEqual([1]);
    expect(added(p)).toEqual([3]);
  });

  it('one big candidate may replace several small copies, worst first', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 3 * GB)] }),
      candidates: [cand(1, { views: 1000, sizeBytes: 2 * GB }), cand(2, { views: 30 }), cand(3, { views: 20 }), cand(4, { views: 10 })],
      copies: [copy(2), copy(3), copy(4)],
    });
    expect(evicted(p)).toEqual([4, 3]);
    expect(added(p)).toEqual([1]);
    expect(usageOf(p, 'most-views').afterPlan).toBe(3 * GB);
  });

  it('of the copies picked to make room, keeps those not needed (the result is the greedy fill by rank)', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 2 * GB)] }),
      // worst first: A (0.25 GB) then B (1.75 GB) free enough for C (1 GB); A alone would not, but A is not needed once B goes
      candidates: [cand(1, { views: 1, sizeBytes: GB / 4 }), cand(2, { views: 2, sizeBytes: (7 * GB) / 4 }), cand(3, { views: 100 })],
      copies: [copy(1, { sizeBytes: GB / 4 }), copy(2, { sizeBytes: (7 * GB) / 4 })],
    });
    expect(evicted(p)).toEqual([2]);
    expect(added(p)).toEqual([3]);
    expect(usageOf(p, 'most-views').afterPlan).toBe(GB + GB / 4);
  });

  it('takes back a displaced copy when a later replacement leaves room for it', () => {
    const half = GB / 2;
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', 2 * GB)] }),
      // X (#1) displaces A (#4); Y (#2) then displaces B (#3), which leaves room for A again
      candidates: [cand(1, { views: 1, sizeBytes: half }), cand(2, { views: 2, sizeBytes: 3 * half }), cand(3, { views: 100, sizeBytes: half }), cand(4, { views: 50, sizeBytes: half })],
      copies: [copy(1, { sizeBytes: half }), copy(2, { sizeBytes: 3 * half })],
    });
    expect(evicted(p)).toEqual([2]);
    expect(added(p)).toEqual([3, 4]);
    expect(usageOf(p, 'most-views').afterPlan).toBe(3 * half);
  });

  it('manual copies are never replaced and are not charged to a strategy budget', () => {
    const p = plan({
      policy: policy({ strategies: [strategy('most-views', GB)] }),
      candidates: [cand(1, { views: 1 }), cand(2, { views: 1000 })],
      copies: [copy(1, { manual: true, budget: 'most-views', expiresAt: null })],
    });
    expect(evicted(p)).toEqual([]);
    expect(added(p)).toEqual([2]);
  });
});

describe('determinism', () => {
  it('equal keys are ordered by uuid, and the order of the snapshot arrays does not matter', () => {
    const candidates = [5, 3, 9, 1, 7].map((i) => cand(i, { views: 10, publishedAt: NOW }));
    const copies = [copy(20, { budget: 'gone' }), copy(10, { budget: 'gone' })];
    const s = { policy: policy({ strategies: [strategy('most-views', 3 * GB)] }), candidates, copies };
    const a = plan(s);
    const b = plan({ ...s, candidates: [...candidates].reverse(), copies: [...copies].reverse() });
    expect(added(a)).toEqual([1, 3, 5]);
    expect(evicted(a)).toEqual([10, 20]);
    expect(b).toEqual(a);
  });

  it('refuses a snapshot with two copies of one video (a bug in the caller)', () => {
    expect(() => plan({ copies: [copy(1), copy(1)] })).toThrow('video 1 has two copies');
  });
});
