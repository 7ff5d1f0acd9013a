/**
 * The `redundancy.videos` section, shared by the config file and the admin endpoint: one zod
 * schema parses the YAML/JSON shape (snake_case keys, sizes as "10GB" or bytes, durations as
 * "25 hours" or milliseconds) into the planner's `Policy`, with the semantic checks built in;
 * `validatePolicy` turns its issues into sentences that name the rule; `serializePolicy` writes
 * a `Policy` back in the same shape (what the endpoint's GET returns), so that
 * `validatePolicy(serializePolicy(p))` gives `p` again.
 */
import { z } from 'zod';
import { parseBytes, parseDuration } from '../../lib/units.js';
import { durationForConfig, formatDuration, secondsForConfig, sizeForConfig } from './format.js';
import {
  STRATEGY_NAMES,
  type ExcludeFilter,
  type GlobalStrategy,
  type HostRule,
  type IncludeFilter,
  type Policy,
  type StrategyName,
} from './types.js';

/** PeerTube refuses lifetimes under 10 hours in production; so do we unless told otherwise. */
export const DEFAULT_MIN_LIFETIME_FLOOR_MS = 10 * 3_600_000;
/** PeerTube's default `check_interval`. */
export const DEFAULT_CHECK_INTERVAL_MS = 3_600_000;

export interface PolicySchemaOptions {
  /** Smallest accepted `min_lifetime` (default 10 hours, PeerTube's; tests may lower it). */
  readonly minLifetimeFloorMs?: number;
}

// --- leaves -------------------------------------------------------------------------------

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const positiveSize = z
  .union([z.number(), z.string()], { error: (iss) => `must be a size such as "10GB" or a number of bytes (got ${show(iss.input)})` })
  .transform((v, ctx) => {
    const n = typeof v === 'number' && v <= 0 ? v : parseBytes(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `must be a size such as "10GB" or a number of bytes (got ${show(v)})` });
      return z.NEVER;
    }
    if (n <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be more than 0 (got ${show(v)})` });
      return z.NEVER;
    }
    return n;
  });

const positiveDurationMs = z
  .union([z.number(), z.string()], {
    error: (iss) => `must be a duration such as "25 hours" or a number of milliseconds (got ${show(iss.input)})`,
  })
  .transform((v, ctx) => {
    const n = typeof v === 'number' && v <= 0 ? v : parseDuration(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as "25 hours" or a number of milliseconds (got ${show(v)})` });
      return z.NEVER;
    }
    if (n <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be more than 0 (got ${show(v)})` });
      return z.NEVER;
    }
    return n;
  });

/** Video durations: a string only ("2 hours"), since a bare number is ambiguous (seconds? ms?). */
const videoDurationSeconds = z
  .string({ error: (iss) => `must be a duration such as "90 minutes" (got ${show(iss.input)}; a bare number is ambiguous)` })
  .transform((v, ctx) => {
    const n = parseDuration(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as "90 minutes" (got ${show(v)})` });
      return z.NEVER;
    }
    return Math.floor(n / 1000);
  });

const integer = (what = 'an integer') => z.number({ error: (iss) => `must be ${what} (got ${show(iss.input)})` }).int({ error: (iss) => `must be ${what} (got ${show(iss.input)})` });

const strategyName = z.enum(STRATEGY_NAMES as [StrategyName, ...StrategyName[]], {
  error: (iss) => `must be one of ${STRATEGY_NAMES.join(', ')} (got ${show(iss.input)})`,
});

const stringList = z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), {
  error: 'must be a list of strings',
});
const integerList = z.array(integer(), { error: 'must be a list of integers' });

const filterMapError = 'must be a map of filters (channels, accounts, tags, languages, licences, categories, ...)';

const includeSchema = z.strictObject(
  {
    channels: stringList.optional(),
    accounts: stringList.optional(),
    tags: stringList.optional(),
    languages: stringList.optional(),
    licences: integerList.optional(),
    categories: integerList.optional(),
    max_size: positiveSize.optional(),
    min_duration: videoDurationSeconds.optional(),
    max_duration: videoDurationSeconds.optional(),
  },
  { error: filterMapError },
);

const excludeSchema = z.strictObject(
  {
    channels: stringList.optional(),
    accounts: stringList.optional(),
    tags: stringList.optional(),
    languages: stringList.optional(),
    licences: integerList.optional(),
    categories: integerList.optional(),
  },
  { error: filterMapError },
);

type Add = (message: string, path?: (string | number)[]) => void;
type Ctx = { addIssue: (issue: { code: 'custom'; message: string; path: (string | number)[] }) => void };
const adder = (ctx: Ctx): Add => (message, path = []) => ctx.addIssue({ code: 'custom', message, path });

const HOST_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** How errors name a rule: `strategies[0] (most-views)`, `hosts[1] (tube.example)`. */
export const strategyLabel = (i: number, s: { strategy?: unknown }): string =>
  typeof s.strategy === 'string' ? `strategies[${i}] (${s.strategy})` : `strategies[${i}]`;
export const hostLabel = (i: number, r: { host?: unknown }): string =>
  typeof r.host === 'string' ? `hosts[${i}] (${r.host})` : `hosts[${i}]`;

/** A channel/account entry: a URL stays as is; `name@host` and `@name@host` are lower-cased; a bare name gets the rule's host. */
export function normalizeActorEntry(entry: string, host: string): string {
  const e = entry.trim();
  if (e.includes('://')) return e.replace(/\/+$/, '');
  const handle = (e.startsWith('@') ? e.slice(1) : e).toLowerCase();
  return handle.includes('@') ? handle : `${handle}@${host}`;
}

function checkMinViews(strategy: StrategyName, minViews: number | undefined, add: Add, path: (string | number)[]): void {
  if (minViews === undefined) return;
  if (strategy !== 'recently-added') add('only applies to the recently-added strategy', [...path, 'min_views']);
  else if (minViews < 0) add(`must be 0 or more (got ${minViews})`, [...path, 'min_views']);
}

function checkFloor(ms: number, floorMs: number, add: Add): void {
  if (ms < floorMs) add(`must be at least ${formatDuration(floorMs)} (got ${formatDuration(ms)})`, ['min_lifetime']);
}

/** The schemas of one global strategy and one host rule, with their own checks (see the factory). */
function itemSchemas(floorMs: number) {
  const globalStrategy = z
    .strictObject(
      {
        strategy: strategyName,
        size: positiveSize,
        min_lifetime: positiveDurationMs,
        min_views: integer().optional(),
        priority: integer().optional(),
      },
      { error: 'must be a strategy such as { strategy: most-views, size: "10GB", min_lifetime: "25 hours" }' },
    )
    .superRefine((s, ctx) => {
      const add = adder(ctx);
      checkFloor(s.min_lifetime, floorMs, add);
      checkMinViews(s.strategy, s.min_views, add, []);
    });

  const ruleStrategy = z.strictObject(
    { strategy: strategyName, min_views: integer().optional() },
    { error: 'must be a strategy such as { strategy: trending }' },
  );

  const hostRule = z
    .strictObject(
      {
        host: z.string({ error: 'must be a host name such as tube.example' }),
        priority: integer().optional(),
        size: positiveSize,
        min_lifetime: positiveDurationMs,
        mirror_all: z.boolean({ error: 'must be true or false' }).optional(),
        strategies: z.array(ruleStrategy, { error: 'must be a list of strategies' }).optional(),
        include: includeSchema.optional(),
        exclude: excludeSchema.optional(),
      },
      { error: 'must be a host rule such as { host: tube.example, size: "20GB", min_lifetime: "2 days", mirror_all: true }' },
    )
    .superRefine((r, ctx) => {
      const add = adder(ctx);
      const host = r.host.toLowerCase();
      if (!HOST_RE.test(host)) add(`must be a host name such as tube.example, without scheme or path (got ${show(r.host)})`, ['host']);
      checkFloor(r.min_lifetime, floorMs, add);
      const strategies = r.strategies ?? [];
      if (r.mirror_all === true && strategies.length > 0) {
        add('mirror_all and strategies cannot be combined (mirror_all already takes every video of the host)');
      } else if (r.mirror_all !== true && strategies.length === 0) {
        add('give either mirror_all: true or a non-empty strategies list');
      }
      const seen = new Set<string>();
      strategies.forEach((s, j) => {
        if (seen.has(s.strategy)) add(`repeats strategy ${s.strategy}`, ['strategies', j]);
        seen.add(s.strategy);
        checkMinViews(s.strategy, s.min_views, add, ['strategies', j]);
      });
      const inc = r.include ?? {};
      const exc = r.exclude ?? {};
      for (const key of ['channels', 'accounts', 'tags', 'languages', 'licences', 'categories'] as const) {
        const list = inc[key];
        if (list !== undefined && list.length === 0) add('is empty, which would match nothing; remove it to allow every value', ['include', key]);
      }
      const overlap = <T extends string | number>(key: string, a: readonly T[] | undefined, b: readonly T[] | undefined, f: (v: T) => T) => {
        if (!a || !b) return;
        const inA = new Set(a.map(f));
        for (const v of b) if (inA.has(f(v))) add(`${show(v)} is both in include.${key} and exclude.${key}`);
      };
      overlap('channels', inc.channels, exc.channels, (v) => normalizeActorEntry(v, host));
      overlap('accounts', inc.accounts, exc.accounts, (v) => normalizeActorEntry(v, host));
      overlap('tags', inc.tags, exc.tags, (v) => v.toLowerCase());
      overlap('languages', inc.languages, exc.languages, (v) => v.toLowerCase());
      overlap('licences', inc.licences, exc.licences, (v) => v);
      overlap('categories', inc.categories, exc.categories, (v) => v);
      if (inc.min_duration !== undefined && inc.max_duration !== undefined && inc.min_duration > inc.max_duration) {
        add('include.min_duration must not be longer than include.max_duration');
      }
    });

  return { globalStrategy, hostRule };
}

type RawGlobalStrategy = z.output<ReturnType<typeof itemSchemas>['globalStrategy']>;
type RawHostRule = z.output<ReturnType<typeof itemSchemas>['hostRule']>;

// --- normalization ------------------------------------------------------------------------

const lower = (l: readonly string[] | undefined) => (l === undefined ? null : l.map((s) => s.toLowerCase()));

function toHostRule(r: RawHostRule): HostRule {
  const host = r.host.toLowerCase();
  const inc = r.include ?? {};
  const exc = r.exclude ?? {};
  const include: IncludeFilter = {
    channels: inc.channels?.map((c) => normalizeActorEntry(c, host)) ?? null,
    accounts: inc.accounts?.map((c) => normalizeActorEntry(c, host)) ?? null,
    tags: lower(inc.tags),
    languages: lower(inc.languages),
    licences: inc.licences ?? null,
    categories: inc.categories ?? null,
    maxSizeBytes: inc.max_size ?? null,
    minDurationSeconds: inc.min_duration ?? null,
    maxDurationSeconds: inc.max_duration ?? null,
  };
  const exclude: ExcludeFilter = {
    channels: exc.channels?.map((c) => normalizeActorEntry(c, host)) ?? [],
    accounts: exc.accounts?.map((c) => normalizeActorEntry(c, host)) ?? [],
    tags: lower(exc.tags) ?? [],
    languages: lower(exc.languages) ?? [],
    licences: exc.licences ?? [],
    categories: exc.categories ?? [],
  };
  return {
    host,
    priority: r.priority ?? 0,
    sizeBytes: r.size,
    minLifetimeMs: r.min_lifetime,
    mirrorAll: r.mirror_all === true,
    strategies: (r.strategies ?? []).map((s) => ({ strategy: s.strategy, minViews: s.min_views ?? 0 })),
    include,
    exclude,
  };
}

const toGlobalStrategy = (s: RawGlobalStrategy): GlobalStrategy => ({
  strategy: s.strategy,
  sizeBytes: s.size,
  minLifetimeMs: s.min_lifetime,
  minViews: s.min_views ?? 0,
  priority: s.priority ?? 0,
});

// --- the schema ---------------------------------------------------------------------------

/**
 * Checks across rules (duplicate strategies and hosts, lifetimes against check_interval). They
 * run even when some rule has type errors, on the rules that parsed, so that one pass reports
 * everything; hence the defensive reading.
 */
function crossChecks(v: Record<string, unknown>, add: Add): void {
  const checkInterval = typeof v.check_interval === 'number' ? v.check_interval : null;
  const lifetime = (ms: unknown, path: (string | number)[]) => {
    if (checkInterval === null || typeof ms !== 'number' || ms / 2 >= checkInterval) return;
    add(
      `must be at least twice check_interval (${formatDuration(checkInterval)}), since copies are renewed in the last half of their lifetime (got ${formatDuration(ms)})`,
      [...path, 'min_lifetime'],
    );
  };
  const list = (x: unknown) => (Array.isArray(x) ? (x as unknown[]) : []).map((e) => (e !== null && typeof e === 'object' ? (e as Record<string, unknown>) : {}));
  const seenStrategies = new Map<string, number>();
  list(v.strategies).forEach((s, i) => {
    if (typeof s.strategy === 'string') {
      const first = seenStrategies.get(s.strategy);
      if (first !== undefined) add(`${s.strategy} is already configured in strategies[${first}] (each strategy is one budget)`, ['strategies', i, 'strategy']);
      else seenStrategies.set(s.strategy, i);
    }
    lifetime(s.min_lifetime, ['strategies', i]);
  });
  const seenHosts = new Map<string, number>();
  list(v.hosts).forEach((r, i) => {
    if (typeof r.host === 'string') {
      const host = r.host.toLowerCase();
      const first = seenHosts.get(host);
      if (first !== undefined) add(`${host} already has a rule (hosts[${first}]); merge them into one`, ['hosts', i, 'host']);
      else seenHosts.set(host, i);
    }
    lifetime(r.min_lifetime, ['hosts', i]);
  });
}

/** Builds the schema of `redundancy.videos`; its output is the planner's `Policy`. */
export function createRedundancyPolicySchema(options: PolicySchemaOptions = {}) {
  const { globalStrategy, hostRule } = itemSchemas(options.minLifetimeFloorMs ?? DEFAULT_MIN_LIFETIME_FLOOR_MS);
  return z
    .strictObject(
      {
        check_interval: positiveDurationMs.default(DEFAULT_CHECK_INTERVAL_MS),
        target_replicas: integer('an integer of 1 or more, or null')
          .min(1, { error: (iss) => `must be an integer of 1 or more, or null (got ${show(iss.input)})` })
          .nullable()
          .default(null),
        total_size: positiveSize.nullable().default(null),
        strategies: z.array(globalStrategy, { error: 'must be a list of strategies' }).nullable().default([]),
        hosts: z.array(hostRule, { error: 'must be a list of host rules' }).nullable().default([]),
      },
      { error: 'redundancy.videos must be a map (check_interval, strategies, hosts, ...)' },
    )
    .superRefine((v, ctx) => crossChecks(v as Record<string, unknown>, adder(ctx)), {
      // run on whatever parsed, so that cross-rule errors come with the others in one pass
      when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
    })
    .transform(
      (v): Policy => ({
        checkIntervalMs: v.check_interval,
        targetReplicas: v.target_replicas,
        totalSizeBytes: v.total_size,
        strategies: (v.strategies ?? []).map(toGlobalStrategy),
        hosts: (v.hosts ?? []).map(toHostRule),
      }),
    );
}

/** The schema with PeerTube's production floor for `min_lifetime` (10 hours). */
export const redundancyPolicySchema = createRedundancyPolicySchema();

/** What the config file and the admin endpoint accept. */
export type RedundancyPolicyInput = z.input<typeof redundancyPolicySchema>;

// --- validatePolicy -----------------------------------------------------------------------

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

// --- serializePolicy ----------------------------------------------------------------------

/** A `Policy` in the config/endpoint shape, with exact human-friendly sizes and durations. */
export function serializePolicy(policy: Policy): Record<string, unknown> {
  return {
    check_interval: durationForConfig(policy.checkIntervalMs),
    target_replicas: policy.targetReplicas,
    total_size: policy.totalSizeBytes === null ? null : sizeForConfig(policy.totalSizeBytes),
    strategies: policy.strategies.map((s) => ({
      strategy: s.strategy,
      size: sizeForConfig(s.sizeBytes),
      min_lifetime: durationForConfig(s.minLifetimeMs),
      ...(s.strategy === 'recently-added' ? { min_views: s.minViews } : {}),
      ...(s.priority !== 0 ? { priority: s.priority } : {}),
    })),
    hosts: policy.hosts.map((r) => {
      const inc: Record<string, unknown> = {};
      const i = r.include;
      if (i.channels) inc.channels = [...i.channels];
      if (i.accounts) inc.accounts = [...i.accounts];
      if (i.tags) inc.tags = [...i.tags];
      if (i.languages) inc.languages = [...i.languages];
      if (i.licences) inc.licences = [...i.licences];
      if (i.categories) inc.categories = [...i.categories];
      if (i.maxSizeBytes !== null) inc.max_size = sizeForConfig(i.maxSizeBytes);
      if (i.minDurationSeconds !== null) inc.min_duration = String(secondsForConfig(i.minDurationSeconds) ?? '');
      if (i.maxDurationSeconds !== null) inc.max_duration = String(secondsForConfig(i.maxDurationSeconds) ?? '');
      const exc: Record<string, unknown> = {};
      const e = r.exclude;
      for (const key of ['channels', 'accounts', 'tags', 'languages', 'licences', 'categories'] as const) {
        if (e[key].length > 0) exc[key] = [...e[key]];
      }
      return {
        host: r.host,
        priority: r.priority,
        size: sizeForConfig(r.sizeBytes),
        min_lifetime: durationForConfig(r.minLifetimeMs),
        ...(r.mirrorAll
          ? { mirror_all: true }
          : {
              strategies: r.strategies.map((s) => ({
                strategy: s.strategy,
                ...(s.strategy === 'recently-added' ? { min_views: s.minViews } : {}),
              })),
            }),
        ...(Object.keys(inc).length > 0 ? { include: inc } : {}),
        ...(Object.keys(exc).length > 0 ? { exclude: exc } : {}),
      };
    }),
  };
}
