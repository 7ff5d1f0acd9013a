// Builders for planner tests: plain data with readable defaults, overridden per test.
import {
  planRedundancy,
  type Candidate,
  type CurrentCopy,
  type Decision,
  type GlobalStrategy,
  type HostRule,
  type Plan,
  type PlanSnapshot,
  type Policy,
  type StrategyName,
} from '../../../src/redundancy/planner/index.js';

export const GB = 1024 ** 3;
export const MB = 1024 ** 2;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const NOW = Date.UTC(2026, 0, 15, 12);

export const uuidOf = (id: number): string => `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;

export function cand(videoId: number, over: Partial<Candidate> = {}): Candidate {
  const host = over.host ?? 'a.example';
  return {
    videoId,
    uuid: uuidOf(videoId),
    url: `https://${host}/videos/watch/${uuidOf(videoId)}`,
    host,
    channelUrl: `https://${host}/video-channels/main`,
    channelName: 'main',
    accountUrl: `https://${host}/accounts/alice`,
    accountName: 'alice',
    tags: [],
    language: 'en',
    licence: 1,
    category: 15,
    sizeBytes: GB,
    durationSeconds: 600,
    publishedAt: NOW - videoId * HOUR,
    views: 0,
    viewsInInterval: 0,
    isLive: false,
    privacy: 1,
    hasHls: true,
    knownHealthyMirrors: 0,
    published: true,
    ...over,
  };
}

export function copy(videoId: number, over: Partial<CurrentCopy> = {}): CurrentCopy {
  return {
    videoId,
    host: 'a.example',
    budget: 'most-views',
    sizeBytes: GB,
    createdAt: NOW - 30 * HOUR,
    expiresAt: NOW + 20 * HOUR,
    manual: false,
    state: 'ready',
    ...over,
  };
}

export function strategy(name: StrategyName, sizeBytes: number, over: Partial<GlobalStrategy> = {}): GlobalStrategy {
  return { strategy: name, sizeBytes, minLifetimeMs: 25 * HOUR, minViews: 0, priority: 0, ...over };
}

export function rule(host: string, sizeBytes: number, over: Partial<HostRule> = {}): HostRule {
  return {
    host,
    priority: 0,
    sizeBytes,
    minLifetimeMs: 25 * HOUR,
    mirrorAll: false,
    strategies: [{ strategy: 'most-views', minViews: 0 }],
    include: {
      channels: null,
      accounts: null,
      tags: null,
      languages: null,
      licences: null,
      categories: null,
      maxSizeBytes: null,
      minDurationSeconds: null,
      maxDurationSeconds: null,
    },
    exclude: { channels: [], accounts: [], tags: [], languages: [], licences: [], categories: [] },
    ...over,
  };
}

export function policy(over: Partial<Policy> = {}): Policy {
  return { checkIntervalMs: HOUR, targetReplicas: null, totalSizeBytes: null, strategies: [], hosts: [], ...over };
}

export function snapshot(over: Partial<PlanSnapshot> = {}): PlanSnapshot {
  return {
    now: NOW,
    policy: policy(),
    candidates: [],
    copies: [],
    allowedHosts: ['a.example', 'b.example', 'c.example'],
    trendingIntervalDays: 7,
    ...over,
  };
}

export const plan = (over: Partial<PlanSnapshot> = {}): Plan => planRedundancy(snapshot(over));

export type Of<T extends Decision['type']> = Extract<Decision, { type: T }>;
export const decisionsOf = <T extends Decision['type']>(p: Plan, type: T): Of<T>[] =>
  p.decisions.filter((d): d is Of<T> => d.type === type);
export const added = (p: Plan): number[] => decisionsOf(p, 'add').map((d) => d.videoId);
export const evicted = (p: Plan): number[] => decisionsOf(p, 'evict').map((d) => d.videoId);
export const renewed = (p: Plan): number[] => decisionsOf(p, 'renew').map((d) => d.videoId);
export const usageOf = (p: Plan, budget: string) => p.usage.find((u) => u.budget === budget)!;

export { prng } from '../../support/prng.js';
