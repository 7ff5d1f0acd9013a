/**
 * The schemas of one global strategy and one host rule (with its include/exclude filters), and
 * the checks within one rule: lifetime floor, min_views, mirror_all vs strategies, repeated
 * strategies, empty include lists, values both included and excluded, min vs max duration.
 */
import { z } from 'zod';
import { normalizeActorEntry } from './actor-entry.js';
import { formatDuration } from './format.js';
import {
  adder,
  integer,
  integerList,
  positiveDurationMs,
  positiveSize,
  show,
  strategyName,
  stringList,
  videoDurationSeconds,
  type Add,
} from './policy-values.js';
import type { StrategyName } from './types.js';

const filterMapError = 'must be a map of filters (channels, accounts, tags, languages, licences, categories, ...)';

/** What a rule can exclude by; it can include by the same, plus size and duration bounds. */
const excludeFields = {
  channels: stringList.optional(),
  accounts: stringList.optional(),
  tags: stringList.optional(),
  languages: stringList.optional(),
  licences: integerList.optional(),
  categories: integerList.optional(),
};

const includeSchema = z.strictObject(
  {
    ...excludeFields,
    max_size: positiveSize.optional(),
    min_duration: videoDurationSeconds.optional(),
    max_duration: videoDurationSeconds.optional(),
  },
  { error: filterMapError },
);

const excludeSchema = z.strictObject(excludeFields, { error: filterMapError });

const HOST_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

function checkMinViews(strategy: StrategyName, minViews: number | undefined, add: Add, path: (string | number)[]): void {
  if (minViews === undefined) return;
  if (strategy !== 'recently-added') add('only applies to the recently-added strategy', [...path, 'min_views']);
  else if (minViews < 0) add(`must be 0 or more (got ${minViews})`, [...path, 'min_views']);
}

function checkFloor(ms: number, floorMs: number, add: Add): void {
  if (ms < floorMs) add(`must be at least ${formatDuration(floorMs)} (got ${formatDuration(ms)})`, ['min_lifetime']);
}

/** The schemas of one global strategy and one host rule, with their own checks (see the factory). */
export function itemSchemas(floorMs: number) {
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
        /** ours: relay the host's lives (pulled segment by segment while they run); default false */
        live: z.boolean({ error: 'must be true or false' }).optional(),
        /** ours: bandwidth the rule's live relays may pull together, per second (their playlists' advertised BANDWIDTH); default no limit */
        live_bandwidth: positiveSize.optional(),
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
      } else if (r.mirror_all !== true && strategies.length === 0 && r.live !== true) {
        // (a rule with live: true alone relays the host's lives and mirrors none of its videos)
        add('give either mirror_all: true or a non-empty strategies list');
      }
      if (r.live_bandwidth !== undefined && r.live !== true) add('is a budget of live relays: give live: true with it', ['live_bandwidth']);
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

export type RawGlobalStrategy = z.output<ReturnType<typeof itemSchemas>['globalStrategy']>;
export type RawHostRule = z.output<ReturnType<typeof itemSchemas>['hostRule']>;
