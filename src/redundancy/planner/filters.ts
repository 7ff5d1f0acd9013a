/**
 * Who may be mirrored at all (PeerTube's conditions), and a host rule's include/exclude filters:
 * a fast `passes` for the ranking loop, and an `explain` that words the refusal for evictions.
 */
import { formatBytes, formatDuration } from './format.js';
import { PRIVACY_PUBLIC, type Candidate, type EvictCause, type HostRule } from './types.js';

export interface Refusal {
  readonly cause: EvictCause;
  readonly reason: string;
}

const PRIVACY_NAMES: Record<number, string> = { 2: 'unlisted', 3: 'private', 4: 'internal', 5: 'password protected' };

/** PeerTube's candidate conditions: public, not live, with HLS (of known size), from an allowed host. */
export function baseEligible(c: Candidate, host: string, allowedHosts: ReadonlySet<string>): boolean {
  return c.privacy === PRIVACY_PUBLIC && !c.isLive && c.hasHls && c.sizeBytes > 0 && allowedHosts.has(host);
}

export function explainBaseRefusal(c: Candidate, host: string, allowedHosts: ReadonlySet<string>): Refusal | null {
  if (c.privacy !== PRIVACY_PUBLIC) {
    return { cause: 'not-public', reason: `video is no longer public (it is ${PRIVACY_NAMES[c.privacy] ?? `privacy ${c.privacy}`})` };
  }
  if (c.isLive) return { cause: 'live', reason: 'video is a live (lives are not mirrored)' };
  if (!c.hasHls) return { cause: 'no-hls', reason: 'video has no HLS playlist any more (only HLS is mirrored)' };
  if (!(c.sizeBytes > 0)) return { cause: 'no-hls', reason: 'video HLS files have no known size' };
  if (!allowedHosts.has(host)) return { cause: 'host-disallowed', reason: `host ${host} no longer allows redundancy (redundancyAllowed is off)` };
  return null;
}

/** A host rule's filters, compiled to sets once per plan. */
export interface CompiledFilter {
  /** true when the rule has no include/exclude at all (the common, fastest case) */
  readonly open: boolean;
  passes(c: Candidate): boolean;
  /** Why `passes(c)` is false, in words; null when it passes. */
  explain(c: Candidate): string | null;
}

const setOrNull = <T>(l: readonly T[] | null): ReadonlySet<T> | null => (l === null ? null : new Set(l));

export function compileFilter(rule: HostRule, label: string): CompiledFilter {
  const inc = rule.include;
  const exc = rule.exclude;
  const incChannels = setOrNull(inc.channels);
  const incAccounts = setOrNull(inc.accounts);
  const incTags = setOrNull(inc.tags);
  const incLanguages = setOrNull(inc.languages);
  const incLicences = setOrNull(inc.licences);
  const incCategories = setOrNull(inc.categories);
  const excChannels = new Set(exc.channels);
  const excAccounts = new Set(exc.accounts);
  const excTags = new Set(exc.tags);
  const excLanguages = new Set(exc.languages);
  const excLicences = new Set(exc.licences);
  const excCategories = new Set(exc.categories);
  const { maxSizeBytes, minDurationSeconds, maxDurationSeconds } = inc;

  const open =
    !incChannels && !incAccounts && !incTags && !incLanguages && !incLicences && !incCategories &&
    maxSizeBytes === null && minDurationSeconds === null && maxDurationSeconds === null &&
    excChannels.size + excAccounts.size + excTags.size + excLanguages.size + excLicences.size + excCategories.size === 0;

  const host = rule.host;
  const handle = (name: string | undefined) => (name === undefined ? undefined : `${name.toLowerCase()}@${host}`);
  const actorIn = (set: ReadonlySet<string>, url: string, name: string | undefined) => {
    if (set.has(url)) return true;
    const h = handle(name);
    return h !== undefined && set.has(h);
  };
  const anyTagIn = (set: ReadonlySet<string>, tags: readonly string[]) => {
    for (const t of tags) if (set.has(t.toLowerCase())) return true;
    return false;
  };
  const lang = (c: Candidate) => (c.language === null ? null : c.language.toLowerCase());

  // Checks in a fixed order; `failure` returns the first that fails (a small code, so that the
  // ranking loop allocates nothing), `words` says it for eviction reasons.
  const failure = (c: Candidate): number => {
    if (excChannels.size > 0 && actorIn(excChannels, c.channelUrl, c.channelName)) return 1;
    if (excAccounts.size > 0 && actorIn(excAccounts, c.accountUrl, c.accountName)) return 2;
    if (excTags.size > 0 && anyTagIn(excTags, c.tags)) return 3;
    if (excLanguages.size > 0 && c.language !== null && excLanguages.has(lang(c)!)) return 4;
    if (excLicences.size > 0 && c.licence !== null && excLicences.has(c.licence)) return 5;
    if (excCategories.size > 0 && c.category != null && excCategories.has(c.category)) return 6;
    if (incChannels && !actorIn(incChannels, c.channelUrl, c.channelName)) return 7;
    if (incAccounts && !actorIn(incAccounts, c.accountUrl, c.accountName)) return 8;
    if (incTags && !anyTagIn(incTags, c.tags)) return 9;
    if (incLanguages && (c.language === null || !incLanguages.has(lang(c)!))) return 10;
    if (incLicences && (c.licence === null || !incLicences.has(c.licence))) return 11;
    if (incCategories && (c.category == null || !incCategories.has(c.category))) return 12;
    if (maxSizeBytes !== null && c.sizeBytes > maxSizeBytes) return 13;
    if (minDurationSeconds !== null && c.durationSeconds < minDurationSeconds) return 14;
    if (maxDurationSeconds !== null && c.durationSeconds > maxDurationSeconds) return 15;
    return 0;
  };
  const list = (s: ReadonlySet<string | number>) => `[${[...s].join(', ')}]`;
  const duration = (seconds: number) => formatDuration(seconds * 1000);
  const words = (c: Candidate, code: number): string => {
    switch (code) {
      case 1: return `channel ${c.channelUrl} is excluded`;
      case 2: return `account ${c.accountUrl} is excluded`;
      case 3: return `tag ${JSON.stringify(c.tags.find((t) => excTags.has(t.toLowerCase())))} is excluded`;
      case 4: return `language ${c.language} is excluded`;
      case 5: return `licence ${c.licence} is excluded`;
      case 6: return `category ${c.category} is excluded`;
      case 7: return `channel ${c.channelUrl} is not in include.channels`;
      case 8: return `account ${c.accountUrl} is not in include.accounts`;
      case 9: return `none of its tags [${c.tags.join(', ')}] is in include.tags ${list(incTags!)}`;
      case 10: return `language ${c.language ?? '(none)'} is not in include.languages ${list(incLanguages!)}`;
      case 11: return `licence ${c.licence ?? '(none)'} is not in include.licences ${list(incLicences!)}`;
      case 12: return `category ${c.category ?? '(none)'} is not in include.categories ${list(incCategories!)}`;
      case 13: return `size ${formatBytes(c.sizeBytes)} is over include.max_size ${formatBytes(maxSizeBytes!)}`;
      case 14: return `duration ${duration(c.durationSeconds)} is under include.min_duration ${duration(minDurationSeconds!)}`;
      default: return `duration ${duration(c.durationSeconds)} is over include.max_duration ${duration(maxDurationSeconds!)}`;
    }
  };

  return {
    open,
    passes: open ? () => true : (c) => failure(c) === 0,
    explain: (c) => {
      const code = open ? 0 : failure(c);
      return code === 0 ? null : `refused by ${label}: ${words(c, code)}`;
    },
  };
}
