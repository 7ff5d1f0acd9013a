/**
 * Parsed rules (snake_case, as written) into the planner's types: hosts, handles, tags and
 * languages lower-cased, bare channel/account names given the rule's host, defaults filled in.
 */
import { normalizeActorEntry } from './actor-entry.js';
import type { RawGlobalStrategy, RawHostRule } from './policy-rules.js';
import type { ExcludeFilter, GlobalStrategy, HostRule, IncludeFilter } from './types.js';

const lower = (l: readonly string[] | undefined) => (l === undefined ? null : l.map((s) => s.toLowerCase()));

export function toHostRule(r: RawHostRule): HostRule {
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
    // absent unless on: stored policies and rules written before the switch read the same
    ...(r.live === true ? { live: true } : {}),
    ...(r.live_bandwidth !== undefined ? { liveBandwidthBytes: r.live_bandwidth } : {}),
    strategies: (r.strategies ?? []).map((s) => ({ strategy: s.strategy, minViews: s.min_views ?? 0 })),
    include,
    exclude,
  };
}

export const toGlobalStrategy = (s: RawGlobalStrategy): GlobalStrategy => ({
  strategy: s.strategy,
  sizeBytes: s.size,
  minLifetimeMs: s.min_lifetime,
  minViews: s.min_views ?? 0,
  priority: s.priority ?? 0,
});
