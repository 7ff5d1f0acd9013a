import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planRedundancy, serializePolicy, validatePolicy, type Policy } from '../../../src/redundancy/planner/index.js';
import { GB, HOUR, NOW, cand } from './planner-fixtures.js';

const yaml = `
check_interval: '1 hour'
target_replicas: 2
strategies:
  - { strategy: most-views, size: '10GB', min_lifetime: '25 hours' }
  - { strategy: recently-added, size: '5GB', min_lifetime: '25 hours', min_views: 10 }
hosts:
  - host: Tube.Example
    priority: 10
    size: '20GB'
    min_lifetime: '2 days'
    strategies: [ { strategy: trending }, { strategy: recently-added, min_views: 5 } ]
    include: { channels: [films, 'https://tube.example/video-channels/docs/'], tags: [Science], languages: [EN], licences: [1, 2], max_size: '2GB', min_duration: '1 minute', max_duration: '2 hours' }
    exclude: { channels: ['@spam@tube.example'], tags: [nsfw], categories: [3] }
  - { host: other.example, size: '1GB', min_lifetime: '10 hours', mirror_all: true }
`;

const valid = () => parseYaml(yaml) as Record<string, unknown>;

function errorsOf(input: unknown, options?: Parameters<typeof validatePolicy>[1]): string[] {
  const r = validatePolicy(input, options);
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.errors;
}

describe('validatePolicy: what the config file and the admin endpoint accept', () => {
  it('parses the documented shape into the planner policy', () => {
    const r = validatePolicy(valid());
    expect(r.ok).toBe(true);
    const policy = (r as { policy: Policy }).policy;
    expect(policy).toMatchObject({ checkIntervalMs: HOUR, targetReplicas: 2, totalSizeBytes: null });
    expect(policy.strategies).toEqual([
      { strategy: 'most-views', sizeBytes: 10 * GB, minLifetimeMs: 25 * HOUR, minViews: 0, priority: 0 },
      { strategy: 'recently-added', sizeBytes: 5 * GB, minLifetimeMs: 25 * HOUR, minViews: 10, priority: 0 },
    ]);
    expect(policy.hosts[0]).toEqual({
      host: 'tube.example',
      priority: 10,
      sizeBytes: 20 * GB,
      minLifetimeMs: 48 * HOUR,
      mirrorAll: false,
      strategies: [
        { strategy: 'trending', minViews: 0 },
        { strategy: 'recently-added', minViews: 5 },
      ],
      include: {
        channels: ['films@tube.example', 'https://tube.example/video-channels/docs'],
        accounts: null,
        tags: ['science'],
        languages: ['en'],
        licences: [1, 2],
        categories: null,
        maxSizeBytes: 2 * GB,
        minDurationSeconds: 60,
        maxDurationSeconds: 7200,
      },
      exclude: { channels: ['spam@tube.example'], accounts: [], tags: ['nsfw'], languages: [], licences: [], categories: [3] },
    });
    expect(policy.hosts[1]).toMatchObject({ host: 'other.example', mirrorAll: true, strategies: [], priority: 0 });
  });

  it('defaults: PeerTube check_interval of 1 hour, no strategies, no rules; a null strategies list (commented out in YAML) is empty', () => {
    expect(validatePolicy({})).toEqual({ ok: true, policy: { checkIntervalMs: HOUR, targetReplicas: null, totalSizeBytes: null, strategies: [], hosts: [] } });
    expect(validatePolicy(parseYaml('strategies:\nhosts:\n'))).toMatchObject({ ok: true, policy: { strategies: [], hosts: [] } });
  });

  it('serializePolicy writes the same shape back, and it parses to the same policy', () => {
    const policy = (validatePolicy(valid()) as { policy: Policy }).policy;
    const out = serializePolicy(policy);
    expect(out).toMatchObject({
      check_interval: '1 hour',
      strategies: [{ strategy: 'most-views', size: '10GB', min_lifetime: '25 hours' }, { min_views: 10 }],
      hosts: [{ host: 'tube.example', size: '20GB', min_lifetime: '2 days', include: { max_size: '2GB', min_duration: '1 minute', max_duration: '2 hours' } }, { mirror_all: true }],
    });
    expect(validatePolicy(JSON.parse(JSON.stringify(out)))).toEqual({ ok: true, policy });
  });

  it('a policy from YAML drives the planner (excluded tags are never mirrored)', () => {
    const policy = (validatePolicy(valid()) as { policy: Policy }).policy;
    const base = { host: 'tube.example', tags: ['science'], language: 'en', licence: 1, channelName: 'films', viewsInInterval: 10, views: 10 };
    const p = planRedundancy({
      now: NOW,
      policy,
      candidates: [cand(1, { ...base, tags: ['science', 'NSFW'], viewsInInterval: 1000 }), cand(2, { ...base, sizeBytes: GB })],
      copies: [],
      allowedHosts: ['tube.example'],
    });
    expect(p.decisions.map((d) => [d.type, d.videoId])).toEqual([['add', 2]]);
  });

  // Every error names the rule it is about.
  const cases: [string, (v: Record<string, unknown>) => void, string[]][] = [
    [
      'include.tags not a list',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.include!.tags = 'music'),
      ['hosts[0] (Tube.Example): include.tags must be a list of strings'],
    ],
    [
      'a tag that is not a string',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.include!.tags = ['a', 3]),
      ['hosts[0] (Tube.Example): include.tags[1] must be a string'],
    ],
    [
      'unknown strategy',
      (v) => ((v.strategies as Record<string, unknown>[])[0]!.strategy = 'popular'),
      ['strategies[0] (popular): strategy must be one of most-views, trending, recently-added (got "popular")'],
    ],
    ['duplicate strategies', (v) => ((v.strategies as Record<string, unknown>[])[1]!.strategy = 'most-views'), [
      'strategies[1] (most-views): min_views only applies to the recently-added strategy',
      'strategies[1] (most-views): strategy most-views is already configured in strategies[0] (each strategy is one budget)',
    ]],
    [
      'duplicate hosts (case does not matter)',
      (v) => ((v.hosts as Record<string, unknown>[])[1]!.host = 'tube.EXAMPLE'),
      ['hosts[1] (tube.EXAMPLE): host tube.example already has a rule (hosts[0]); merge them into one'],
    ],
    ['budget of 0', (v) => ((v.hosts as Record<string, unknown>[])[1]!.size = 0), ['hosts[1] (other.example): size must be more than 0 (got 0)']],
    ['negative budget', (v) => ((v.strategies as Record<string, unknown>[])[0]!.size = '-1GB'), ['strategies[0] (most-views): size must be a size such as "10GB" or a number of bytes (got "-1GB")']],
    ['negative min_views', (v) => ((v.strategies as Record<string, unknown>[])[1]!.min_views = -3), ['strategies[1] (recently-added): min_views must be 0 or more (got -3)']],
    [
      'negative min_views in a host rule strategy',
      (v) => ((v.hosts as Record<string, Record<string, unknown>[]>[])[0]!.strategies![1]!.min_views = -1),
      ['hosts[0] (Tube.Example): strategies[1].min_views must be 0 or more (got -1)'],
    ],
    ['min_lifetime under 10 hours', (v) => ((v.strategies as Record<string, unknown>[])[0]!.min_lifetime = '9 hours'), ['strategies[0] (most-views): min_lifetime must be at least 10 h (got 9 h)']],
    [
      'min_lifetime shorter than two check intervals',
      (v) => (v.check_interval = '13 hours'),
      [
        'strategies[0] (most-views): min_lifetime must be at least twice check_interval (13 h), since copies are renewed in the last half of their lifetime (got 25 h)',
        'strategies[1] (recently-added): min_lifetime must be at least twice check_interval (13 h), since copies are renewed in the last half of their lifetime (got 25 h)',
        'hosts[1] (other.example): min_lifetime must be at least twice check_interval (13 h), since copies are renewed in the last half of their lifetime (got 10 h)',
      ],
    ],
    ['not a duration', (v) => ((v.hosts as Record<string, unknown>[])[1]!.min_lifetime = 'forever'), ['hosts[1] (other.example): min_lifetime must be a duration such as "25 hours" or a number of milliseconds (got "forever")']],
    [
      'a number of seconds for a video duration',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.include!.max_duration = 7200),
      ['hosts[0] (Tube.Example): include.max_duration must be a duration such as "90 minutes" (got 7200; a bare number is ambiguous)'],
    ],
    ['unknown key in a rule', (v) => ((v.hosts as Record<string, unknown>[])[1]!.mirror = true), ['hosts[1] (other.example): mirror is not a known key']],
    [
      'min_lifetime on a rule strategy',
      (v) => ((v.hosts as Record<string, Record<string, unknown>[]>[])[0]!.strategies![0]!.min_lifetime = '2 days'),
      ['hosts[0] (Tube.Example): strategies[0].min_lifetime is not a known key (set min_lifetime on the host rule: its strategies share one budget and one lifetime)'],
    ],
    [
      'mirror_all with strategies',
      (v) => ((v.hosts as Record<string, unknown>[])[1]!.strategies = [{ strategy: 'trending' }]),
      ['hosts[1] (other.example): mirror_all and strategies cannot be combined (mirror_all already takes every video of the host)'],
    ],
    ['neither mirror_all nor strategies', (v) => delete (v.hosts as Record<string, unknown>[])[1]!.mirror_all, ['hosts[1] (other.example): give either mirror_all: true or a non-empty strategies list']],
    [
      'a strategy repeated in a rule',
      (v) => ((v.hosts as Record<string, unknown>[])[0]!.strategies = [{ strategy: 'trending' }, { strategy: 'trending' }]),
      ['hosts[0] (Tube.Example): strategies[1] repeats strategy trending'],
    ],
    [
      'an empty include list',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.include!.languages = []),
      ['hosts[0] (Tube.Example): include.languages is empty, which would match nothing; remove it to allow every value'],
    ],
    [
      'a channel both included and excluded',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.exclude!.channels = ['FILMS@tube.example']),
      ['hosts[0] (Tube.Example): "FILMS@tube.example" is both in include.channels and exclude.channels'],
    ],
    [
      'min_duration over max_duration',
      (v) => ((v.hosts as Record<string, Record<string, unknown>>[])[0]!.include!.min_duration = '3 hours'),
      ['hosts[0] (Tube.Example): include.min_duration must not be longer than include.max_duration'],
    ],
    ['a URL instead of a host', (v) => ((v.hosts as Record<string, unknown>[])[1]!.host = 'https://other.example/'), ['hosts[1] (https://other.example/): host must be a host name such as tube.example, without scheme or path (got "https://other.example/")']],
    ['target_replicas of 0', (v) => (v.target_replicas = 0), ['target_replicas must be an integer of 1 or more, or null (got 0)']],
    ['hosts not a list', (v) => (v.hosts = { host: 'x' }), ['hosts must be a list of host rules']],
    ['unknown top-level key', (v) => (v.total = '1TB'), ['total is not a known key']],
  ];
  it.each(cases)('refuses %s, naming the rule', (_, mutate, expected) => {
    const v = valid();
    mutate(v);
    expect(errorsOf(v)).toEqual(expected);
  });

  it('reports the errors of several rules in one pass, grouped by rule', () => {
    const v = valid();
    (v.hosts as Record<string, unknown>[])[1]!.size = 'big';
    (v.hosts as Record<string, unknown>[])[0]!.host = 'OTHER.example';
    (v.strategies as Record<string, unknown>[])[1]!.min_views = -1;
    expect(errorsOf(v)).toEqual([
      'strategies[1] (recently-added): min_views must be 0 or more (got -1)',
      'hosts[1] (other.example): size must be a size such as "10GB" or a number of bytes (got "big")',
      'hosts[1] (other.example): host other.example already has a rule (hosts[0]); merge them into one',
    ]);
  });

  it('refuses what is not a map', () => {
    expect(errorsOf('yes')).toEqual(['redundancy.videos must be a map (check_interval, strategies, hosts, ...)']);
  });

  it('the min_lifetime floor can be lowered (test instances, as PeerTube allows)', () => {
    const input = { check_interval: '10 seconds', strategies: [{ strategy: 'trending', size: '1GB', min_lifetime: '1 minute' }] };
    expect(errorsOf(input)).toEqual(['strategies[0] (trending): min_lifetime must be at least 10 h (got 1 min)']);
    expect(validatePolicy(input, { minLifetimeFloorMs: 0 }).ok).toBe(true);
  });
});
