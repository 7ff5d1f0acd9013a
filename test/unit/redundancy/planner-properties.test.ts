// Property-style tests over random snapshots, drawn from a seeded PRNG (the same on every run).
import { describe, expect, it } from 'vitest';
import {
  planRedundancy,
  type Candidate,
  type CurrentCopy,
  type HostRule,
  type Plan,
  type PlanSnapshot,
  type Policy,
  type StrategyName,
} from '../../../src/redundancy/planner/index.js';
import { HOUR, MB, NOW, cand, prng, rule, strategy } from './planner-fixtures.js';

const HOSTS = ['a.example', 'b.example', 'c.example', 'd.example', 'closed.example'];
const TAGS = ['music', 'science', 'nsfw', 'cats', 'news'];
const STRATS: StrategyName[] = ['most-views', 'trending', 'recently-added'];

function randomSnapshot(seed: number): PlanSnapshot {
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;

  const strategies = STRATS.filter(() => chance(0.6)).map((s) =>
    strategy(s, int(1, 12) * 512 * MB, { minLifetimeMs: int(10, 60) * HOUR, minViews: s === 'recently-added' ? int(0, 30) : 0, priority: int(0, 2) }),
  );
  const ruleHosts = HOSTS.filter(() => chance(0.4));
  const hosts: HostRule[] = ruleHosts.map((host) => {
    const base = rule(host, int(1, 10) * 512 * MB, { priority: int(0, 3), minLifetimeMs: int(10, 60) * HOUR });
    const mirrorAll = chance(0.25);
    return {
      ...base,
      mirrorAll,
      strategies: mirrorAll ? [] : STRATS.filter(() => chance(0.5)).map((s) => ({ strategy: s, minViews: s === 'recently-added' ? int(0, 20) : 0 })),
      include: {
        ...base.include,
        languages: chance(0.2) ? ['en'] : null,
        maxSizeBytes: chance(0.2) ? int(1, 4) * 512 * MB : null,
        minDurationSeconds: chance(0.1) ? 300 : null,
      },
      exclude: { ...base.exclude, tags: chance(0.5) ? ['nsfw'] : [], channels: chance(0.3) ? [`spam@${host}`] : [] },
    };
  });
  // a rule needs at least one strategy
  const fixedHosts = hosts.map((h) => (h.mirrorAll || h.strategies.length > 0 ? h : { ...h, strategies: [{ strategy: 'most-views' as const, minViews: 0 }] }));
  const policy: Policy = {
    checkIntervalMs: HOUR,
    targetReplicas: chance(0.4) ? int(1, 3) : null,
    totalSizeBytes: chance(0.4) ? int(1, 20) * 512 * MB : null,
    strategies,
    hosts: fixedHosts,
  };

  const n = int(0, 150);
  const candidates: Candidate[] = [];
  for (let id = 1; id <= n; id++) {
    const host = pick(HOSTS);
    candidates.push(
      cand(id, {
        host,
        channelName: chance(0.1) ? 'spam' : 'main',
        tags: TAGS.filter(() => chance(0.2)),
        language: chance(0.7) ? 'en' : chance(0.5) ? 'fr' : null,
        sizeBytes: int(1, 40) * 64 * MB,
        durationSeconds: int(10, 5000),
        publishedAt: NOW - int(0, 60 * 24) * HOUR,
        views: int(0, 500),
        viewsInInterval: int(0, 100),
        privacy: chance(0.9) ? 1 : pick([2, 3, 4]),
        isLive: chance(0.05),
        hasHls: chance(0.95),
        knownHealthyMirrors: int(0, 4),
        published: chance(0.9),
      }),
    );
  }
  const budgetIds = [...strategies.map((s) => s.strategy as string), ...fixedHosts.map((h) => `host:${h.host}`), 'trending', 'host:gone.example'];
  const copies: CurrentCopy[] = [];
  for (let id = 1; id <= n + 10; id++) {
    if (!chance(0.3)) continue;
    const c = candidates[id - 1];
    const manual = chance(0.1);
    const createdAt = NOW - int(0, 80) * HOUR;
    copies.push({
      videoId: id,
      host: c?.host ?? 'a.example',
      budget: manual ? 'manual' : pick(budgetIds),
      sizeBytes: c && chance(0.8) ? c.sizeBytes : int(1, 40) * 64 * MB, // the origin may have re-transcoded since
      createdAt,
      expiresAt: manual ? null : createdAt + int(10, 80) * HOUR,
      manual,
      state: chance(0.85) ? 'ready' : 'pending',
    });
  }
  return { now: NOW, policy, candidates, copies, allowedHosts: HOSTS.filter((h) => h !== 'closed.example' && chance(0.85)), trendingIntervalDays: 7 };
}

/** The plan applied to the snapshot's copies (what the executor would leave behind). */
function apply(s: PlanSnapshot, p: Plan): PlanSnapshot {
  const byId = new Map(s.copies.map((c) => [c.videoId, c]));
  for (const d of p.decisions) {
    if (d.type === 'evict') byId.delete(d.videoId);
    else if (d.type === 'renew') byId.set(d.videoId, { ...byId.get(d.videoId)!, expiresAt: d.expiresAt });
    else if (d.type === 'refresh') continue;
    else byId.set(d.videoId, { videoId: d.videoId, host: d.host, budget: d.budget, sizeBytes: d.sizeBytes, createdAt: s.now, expiresAt: d.expiresAt, manual: false, state: 'pending' });
  }
  return { ...s, copies: [...byId.values()] };
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const r = prng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

function checkInvariants(s: PlanSnapshot, p: Plan): void {
  const copies = new Map(s.copies.map((c) => [c.videoId, c]));
  const candidates = new Map(s.candidates.map((c) => [c.videoId, c]));
  const allowed = new Set(s.allowedHosts);
  const ruleByHost = new Map(s.policy.hosts.map((h) => [h.host, h]));
  const lifetimeOf = new Map<string, number>([
    ...s.policy.strategies.map((x) => [x.strategy, x.minLifetimeMs] as const),
    ...s.policy.hosts.map((h) => [`host:${h.host}`, h.minLifetimeMs] as const),
  ]);

  // at most one decision per video
  const seen = new Set<number>();
  for (const d of p.decisions) {
    expect(seen.has(d.videoId), `video ${d.videoId} has two decisions`).toBe(false);
    seen.add(d.videoId);
  }

  for (const u of p.usage) {
    // used − evicted + added, recomputed from the decisions, and never above the limit
    const used = s.copies.filter((c) => !c.manual && c.budget === u.budget).reduce((a, c) => a + c.sizeBytes, 0);
    const out = p.decisions.filter((d) => d.type === 'evict' && d.budget === u.budget).reduce((a, d) => a + (d as { sizeBytes: number }).sizeBytes, 0);
    const inn = p.decisions.filter((d) => d.type === 'add' && d.budget === u.budget).reduce((a, d) => a + (d as { sizeBytes: number }).sizeBytes, 0);
    expect(u.used).toBe(used);
    expect(u.afterPlan).toBe(used - out + inn);
    expect(u.afterPlan).toBeLessThanOrEqual(u.limit);
  }
  const totalUsed = s.copies.reduce((a, c) => a + c.sizeBytes, 0);
  const evictedBytes = p.decisions.reduce((a, d) => a + (d.type === 'evict' ? d.sizeBytes : 0), 0);
  const addedBytes = p.decisions.reduce((a, d) => a + (d.type === 'add' ? d.sizeBytes : 0), 0);
  expect(p.total.used).toBe(totalUsed);
  expect(p.total.afterPlan).toBe(totalUsed - evictedBytes + addedBytes);
  if (p.total.limit !== null) expect(p.total.afterPlan).toBeLessThanOrEqual(Math.max(p.total.limit, p.total.manual));

  for (const d of p.decisions) {
    const existing = copies.get(d.videoId);
    if (d.type === 'add') {
      const c = candidates.get(d.videoId)!;
      expect(existing, `video ${d.videoId} is added but already copied`).toBeUndefined();
      expect(c.privacy === 1 && !c.isLive && c.hasHls && c.published && allowed.has(c.host)).toBe(true);
      expect(d.expiresAt).toBe(s.now + lifetimeOf.get(d.budget)!);
      const r = ruleByHost.get(c.host);
      if (d.budget.startsWith('host:')) {
        expect(d.budget).toBe(`host:${c.host}`);
        // excluded channels and tags are never mirrored
        expect(r!.exclude.tags.some((t) => c.tags.includes(t))).toBe(false);
        expect(r!.exclude.channels.includes(`${c.channelName}@${c.host}`)).toBe(false);
      } else {
        expect(r, `global strategy ${d.budget} took a video of ${c.host}, which has a rule`).toBeUndefined();
      }
    } else {
      expect(existing, `${d.type} of video ${d.videoId}, which has no copy`).toBeDefined();
      expect(existing!.manual, `manual copy ${d.videoId} got a ${d.type}`).toBe(false);
      if (d.type === 'renew') {
        expect(existing!.state).toBe('ready');
        expect(d.expiresAt).toBe(s.now + lifetimeOf.get(d.budget)!);
      }
      if (d.type === 'evict' && d.cause === 'replaced') {
        expect(existing!.state).toBe('ready');
        expect(existing!.createdAt + lifetimeOf.get(d.budget)!).toBeLessThanOrEqual(s.now);
      }
    }
  }
  // evictions, then renewals, then additions
  const order = p.decisions.map((d) => ['evict', 'renew', 'add'].indexOf(d.type));
  expect(order).toEqual([...order].sort((a, b) => a - b));
}

describe('planner properties over random snapshots', () => {
  it.each(SEEDS)('seed %i: budgets are never exceeded, and every decision is allowed', (seed) => {
    const s = randomSnapshot(seed);
    checkInvariants(s, planRedundancy(s));
  });

  it.each(SEEDS.slice(0, 100))('seed %i: the same snapshot, in any order, gives the same plan', (seed) => {
    const s = randomSnapshot(seed);
    const a = planRedundancy(s);
    const b = planRedundancy({ ...s, candidates: shuffle(s.candidates, seed), copies: shuffle(s.copies, seed + 1), allowedHosts: shuffle(s.allowedHosts, seed + 2) });
    expect(b).toEqual(a);
  });

  it.each(SEEDS.slice(0, 100))('seed %i: applied plans settle, never evict what they just added, and stay within budgets', (seed) => {
    let s = randomSnapshot(seed);
    const addedAtNow = new Set<number>();
    let rounds = 0;
    for (;;) {
      const p = planRedundancy(s);
      checkInvariants(s, p);
      for (const d of p.decisions) {
        if (d.type === 'evict') expect(addedAtNow.has(d.videoId), `video ${d.videoId} evicted right after being added`).toBe(false);
        if (d.type === 'add') addedAtNow.add(d.videoId);
      }
      if (rounds > 0) expect(p.decisions.filter((d) => d.type === 'renew')).toEqual([]);
      if (p.decisions.length === 0) break;
      s = apply(s, p);
      rounds++;
      expect(rounds, 'the plan does not settle').toBeLessThan(6);
    }
  });

  it.each(SEEDS.slice(0, 50))('seed %i: a copy renewed or added now is not renewed again an hour later', (seed) => {
    const s = randomSnapshot(seed);
    const p = planRedundancy(s);
    const fresh = new Set(p.decisions.filter((d) => d.type !== 'evict').map((d) => d.videoId));
    const later = planRedundancy({ ...apply(s, p), now: NOW + HOUR });
    expect(later.decisions.filter((d) => d.type === 'renew' && fresh.has(d.videoId))).toEqual([]);
  });
});
