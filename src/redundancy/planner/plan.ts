/**
 * planRedundancy: snapshot in, decisions with reasons out. Pure: no I/O, no clock, no
 * randomness. The semantics are documented in ./index.ts; the steps below follow them.
 */
import { baseEligible, compileFilter, explainBaseRefusal, type CompiledFilter, type Refusal } from './filters.js';
import { formatBytes, formatDuration } from './format.js';
import { hostLabel, strategyLabel } from './policy-schema.js';
import { acceptsCandidate, rankPool, uuidTieKey, type RankInput, type Ranking } from './ranking.js';
import type {
  BudgetUsage,
  Candidate,
  CurrentCopy,
  Decision,
  EvictCause,
  HostRule,
  Plan,
  PlanSnapshot,
  RankingName,
} from './types.js';

/** A copy is renewed once less than this fraction of its budget's min_lifetime remains. */
export const RENEWAL_WINDOW_FRACTION = 0.5;

export const hostBudgetId = (host: string): string => `host:${host}`;

interface Budget {
  readonly id: string;
  readonly kind: 'strategy' | 'host';
  /** `strategies[0] (most-views)` / `hosts[1] (tube.example)`: how reasons name the rule */
  readonly label: string;
  readonly priority: number;
  /** host rules before global strategies on equal priority, then config order */
  readonly order: number;
  readonly limit: number;
  readonly minLifetimeMs: number;
  readonly rankings: readonly Ranking[];
  readonly rule: HostRule | null;
  readonly filter: CompiledFilter | null;
  /** copies charged to this budget that still qualify (evictions remove them) */
  readonly kept: CurrentCopy[];
  used: number;
  keptBytes: number;
  added: number;
  /** candidate indices, best first */
  items: readonly number[];
  /** index into `rankings` of the ranking that placed each item */
  via: Uint8Array;
  /** rank index of each kept copy */
  readonly rankOf: Map<number, number>;
}

type EvictDecision = Extract<Decision, { type: 'evict' }>;
type AddDecision = Extract<Decision, { type: 'add' }>;
type RenewDecision = Extract<Decision, { type: 'renew' }>;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function planRedundancy(snapshot: PlanSnapshot): Plan {
  const { now, policy } = snapshot;
  const target = policy.targetReplicas;
  const lowerCache = new Map<string, string>();
  const lowerHost = (h: string): string => {
    let l = lowerCache.get(h);
    if (l === undefined) lowerCache.set(h, (l = h.toLowerCase()));
    return l;
  };
  const allowed = new Set(snapshot.allowedHosts.map(lowerHost));
  const ruleIndexByHost = new Map<string, number>();
  policy.hosts.forEach((r, i) => ruleIndexByHost.set(r.host, i));
  const notes: string[] = [];

  // --- budgets, in planning order ---------------------------------------------------------
  const budgets: Budget[] = [];
  const empty = () => ({ kept: [], used: 0, keptBytes: 0, added: 0, items: [], via: new Uint8Array(0), rankOf: new Map<number, number>() });
  policy.hosts.forEach((rule, i) => {
    const label = hostLabel(i, rule);
    budgets.push({
      id: hostBudgetId(rule.host),
      kind: 'host',
      label,
      priority: rule.priority,
      order: i,
      limit: rule.sizeBytes,
      minLifetimeMs: rule.minLifetimeMs,
      rankings: rule.mirrorAll ? [{ name: 'mirror-all', minViews: 0 }] : rule.strategies.map((s) => ({ name: s.strategy, minViews: s.minViews })),
      rule,
      filter: compileFilter(rule, label),
      ...empty(),
    });
    if (!allowed.has(rule.host)) {
      notes.push(`${label}: host ${rule.host} does not allow redundancy (redundancyAllowed is off), so this rule mirrors nothing`);
    }
  });
  policy.strategies.forEach((s, i) => {
    budgets.push({
      id: s.strategy,
      kind: 'strategy',
      label: strategyLabel(i, s),
      priority: s.priority,
      order: policy.hosts.length + i,
      limit: s.sizeBytes,
      minLifetimeMs: s.minLifetimeMs,
      rankings: [{ name: s.strategy, minViews: s.minViews }],
      rule: null,
      filter: null,
      ...empty(),
    });
  });
  budgets.sort((a, b) => b.priority - a.priority || a.order - b.order);
  const budgetById = new Map(budgets.map((b) => [b.id, b]));

  // --- index the snapshot -----------------------------------------------------------------
  const copyById = new Map<number, CurrentCopy>();
  for (const copy of snapshot.copies) {
    if (copyById.has(copy.videoId)) throw new TypeError(`redundancy planner: video ${copy.videoId} has two copies in the snapshot`);
    copyById.set(copy.videoId, copy);
  }
  const cands = snapshot.candidates;
  const n = cands.length;
  /** candidates of our copies (a map of every candidate would cost more than the rest) */
  const candidateById = new Map<number, Candidate>();
  const tie = new Float64Array(n);
  const sizes = new Float64Array(n);
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cands[i]!;
    ids[i] = c.videoId;
    tie[i] = uuidTieKey(c.uuid);
    sizes[i] = c.sizeBytes;
    if (copyById.has(c.videoId)) candidateById.set(c.videoId, c);
  }
  ids.sort();
  for (let i = 1; i < n; i++) {
    if (ids[i] === ids[i - 1]) throw new TypeError(`redundancy planner: candidate video ${ids[i]} appears twice in the snapshot`);
  }
  const rankInput: RankInput = { candidates: cands, tie };

  const evictions: EvictDecision[] = [];
  const evicted = new Set<number>();
  const evict = (copy: CurrentCopy, budget: Budget | null, cause: EvictCause, reason: string) => {
    evicted.add(copy.videoId);
    evictions.push({ type: 'evict', videoId: copy.videoId, budget: budget?.id ?? copy.budget, sizeBytes: copy.sizeBytes, cause, reason });
  };

  /** Why a candidate cannot be in `budget` at all (independent of rank), or null. */
  const refusal = (c: Candidate, budget: Budget): Refusal | null => {
    const host = lowerHost(c.host);
    const base = explainBaseRefusal(c, host, allowed);
    if (base) return base;
    if (budget.rule === null) {
      const ruleIndex = ruleIndexByHost.get(host);
      if (ruleIndex !== undefined) {
        return {
          cause: 'host-has-rule',
          reason: `host ${host} now has its own rule (${hostLabel(ruleIndex, policy.hosts[ruleIndex]!)}); global strategies only cover hosts without one`,
        };
      }
    } else {
      if (host !== budget.rule.host) return { cause: 'filtered', reason: `video is from ${host}, not from ${budget.rule.host}` };
      const why = budget.filter!.explain(c);
      if (why !== null) return { cause: 'filtered', reason: why };
    }
    if (!budget.rankings.some((r) => acceptsCandidate(r, c))) {
      const minViews = Math.min(...budget.rankings.map((r) => r.minViews));
      return { cause: 'min-views', reason: `${budget.label}: recently-added needs min_views ${minViews} (video has ${c.views} views)` };
    }
    return null;
  };

  // --- 1. copies that no longer qualify go; the others are kept ---------------------------
  let manualBytes = 0;
  let totalUsed = 0;
  // In videoId order, so that the plan does not depend on the order of the snapshot's arrays.
  const copies = [...snapshot.copies].sort((a, b) => a.videoId - b.videoId);
  for (const copy of copies) {
    totalUsed += copy.sizeBytes;
    if (copy.manual) {
      manualBytes += copy.sizeBytes;
      continue;
    }
    const budget = budgetById.get(copy.budget);
    if (!budget) {
      const what = copy.budget.startsWith('host:') ? `the rule for ${copy.budget.slice(5)}` : `strategy ${copy.budget}`;
      evict(copy, null, 'budget-removed', `${what} is no longer in the policy`);
      continue;
    }
    budget.used += copy.sizeBytes;
    const c = candidateById.get(copy.videoId);
    if (!c) {
      evict(copy, budget, 'not-in-catalogue', 'video is no longer in the catalogue (deleted, or its origin stopped publishing it)');
      continue;
    }
    const r = refusal(c, budget);
    if (r) {
      evict(copy, budget, r.cause, r.reason);
      continue;
    }
    budget.kept.push(copy);
    budget.keptBytes += copy.sizeBytes;
  }

  // --- 2. rank each budget's pool ---------------------------------------------------------
  // Pools (candidate indices): every candidate that may be mirrored from an allowed host, split
  // by host rule. `copied` marks candidates that have a (kept) copy.
  const globalPool: number[] = [];
  const hostPools = new Map<string, number[]>();
  for (const r of policy.hosts) hostPools.set(r.host, []);
  const copied = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = cands[i]!;
    const host = lowerHost(c.host);
    if (!baseEligible(c, host, allowed)) continue;
    if (copyById.size > 0) {
      const copy = copyById.get(c.videoId);
      if (copy !== undefined) {
        if (copy.manual || evicted.has(c.videoId)) continue;
        copied[i] = 1;
      }
    }
    const pool = hostPools.get(host);
    if (pool) pool.push(i);
    else globalPool.push(i);
  }
  for (const b of budgets) {
    const source = b.rule === null ? globalPool : hostPools.get(b.rule.host)!;
    const filter = b.filter !== null && !b.filter.open ? b.filter : null;
    let pool: number[] = source;
    if (filter !== null || copyById.size > 0) {
      pool = [];
      for (const i of source) {
        if (copied[i] === 1 && copyById.get(cands[i]!.videoId)!.budget !== b.id) continue; // mirrored by another budget
        if (filter !== null && !filter.passes(cands[i]!)) continue;
        pool.push(i);
      }
    }
    const ranked = rankPool(pool, rankInput, b.rankings, target);
    b.items = ranked.items;
    b.via = ranked.via;
    if (b.kept.length > 0) {
      const keptIds = new Set(b.kept.map((k) => k.videoId));
      b.items.forEach((ci, r) => {
        if (copied[ci] === 1 && keptIds.has(cands[ci]!.videoId)) b.rankOf.set(cands[ci]!.videoId, r);
      });
    }
  }
  const rankText = (b: Budget, videoId: number) => {
    const r = b.rankOf.get(videoId);
    return r === undefined ? `unranked in ${b.id}` : `#${r + 1} of ${b.items.length} in ${b.id}`;
  };
  const worstFirst = (b: Budget) => [...b.kept].sort((x, y) => (b.rankOf.get(y.videoId) ?? Infinity) - (b.rankOf.get(x.videoId) ?? Infinity) || y.videoId - x.videoId);
  const removeKept = (b: Budget, copy: CurrentCopy) => {
    b.keptBytes -= copy.sizeBytes;
  };

  // --- 3. a budget over its limit (the admin lowered it) keeps its best copies that fit ----
  for (const b of budgets) {
    if (b.keptBytes <= b.limit) continue;
    const before = b.keptBytes;
    let room = b.limit;
    const shed: CurrentCopy[] = [];
    for (const copy of worstFirst(b).reverse()) {
      if (copy.sizeBytes <= room) room -= copy.sizeBytes;
      else shed.push(copy);
    }
    for (const copy of shed.reverse()) {
      removeKept(b, copy);
      evict(copy, b, 'over-budget', `budget ${b.id} holds ${formatBytes(before)}, over its size ${formatBytes(b.limit)}; it keeps its best-ranked copies that fit (this one is ${rankText(b, copy.videoId)})`);
    }
  }

  // --- 4. over the total cap: the lowest-priority budgets shed their worst copies ----------
  const totalLimit = policy.totalSizeBytes;
  let totalKept = manualBytes + budgets.reduce((s, b) => s + b.keptBytes, 0);
  if (totalLimit !== null && totalKept > totalLimit) {
    const before = totalKept;
    const shed: [Budget, CurrentCopy][] = [];
    for (const b of [...budgets].reverse()) {
      for (const copy of worstFirst(b)) {
        if (totalKept <= totalLimit) break;
        if (evicted.has(copy.videoId)) continue;
        shed.push([b, copy]);
        totalKept -= copy.sizeBytes;
      }
    }
    // Take back, best first, the shed copies that still fit under the cap.
    for (let i = shed.length - 1; i >= 0; i--) {
      const [, copy] = shed[i]!;
      if (totalKept + copy.sizeBytes <= totalLimit) {
        totalKept += copy.sizeBytes;
        shed.splice(i, 1);
      }
    }
    for (const [b, copy] of shed) {
      removeKept(b, copy);
      evict(copy, b, 'over-total', `copies hold ${formatBytes(before)}, over total_size ${formatBytes(totalLimit)}; the lowest-priority budget (${b.id}) sheds its worst-ranked copies first (this one is ${rankText(b, copy.videoId)})`);
    }
    if (totalKept > totalLimit) {
      notes.push(`manual copies alone hold ${formatBytes(manualBytes)}, over total_size ${formatBytes(totalLimit)}: nothing else can be mirrored`);
    }
  }
  for (const b of budgets) {
    for (let i = b.kept.length - 1; i >= 0; i--) if (evicted.has(b.kept[i]!.videoId)) b.kept.splice(i, 1);
  }

  // --- 5. fill each budget best first, replacing worse copies past their min_lifetime -----
  const adds: AddDecision[] = [];
  const taken = new Uint8Array(n);
  let totalFree = totalLimit === null ? Infinity : totalLimit - totalKept;
  for (const b of budgets) {
    let free = b.limit - b.keptBytes;
    // Copies a better candidate may replace: ready and older than min_lifetime, worst first.
    const replaceable = worstFirst(b).filter((k) => k.state === 'ready' && k.createdAt + b.minLifetimeMs <= now);
    const rankAt = replaceable.map((k) => b.rankOf.get(k.videoId)!);
    const posOf = new Map(replaceable.map((k, j) => [k.videoId, j]));
    /** replaced copies (index in `replaceable`) → the candidate that displaced them */
    const gone = new Map<number, { by: Candidate; rank: number }>();
    let avail = replaceable.reduce((s, k) => s + k.sizeBytes, 0); // not gone, in [0, k)
    let p = 0; // replaceable[0..p) are all gone
    let k = replaceable.length; // replaceable[k..) rank better than the current candidate
    const items = b.items;
    // smallest size from each position to the end: the walk stops once nothing left can fit
    const suffixMin = new Float64Array(items.length + 1).fill(Infinity);
    for (let i = items.length - 1; i >= 0; i--) {
      const ci = items[i]!;
      const size = copied[ci] === 1 ? copyById.get(cands[ci]!.videoId)!.sizeBytes : sizes[ci]!;
      suffixMin[i] = Math.min(suffixMin[i + 1]!, size);
    }
    for (let i = 0; i < items.length; i++) {
      while (k > 0 && rankAt[k - 1]! < i) {
        k--;
        if (!gone.has(k)) avail -= replaceable[k]!.sizeBytes;
      }
      if (avail <= 0 && Math.min(free, totalFree) < suffixMin[i]!) break;
      const ci = items[i]!;
      if (copied[ci] === 1) {
        // One of our copies. If a better candidate displaced it and room is left, take it back.
        const j = posOf.get(cands[ci]!.videoId);
        const size = j === undefined ? 0 : replaceable[j]!.sizeBytes;
        if (j !== undefined && gone.has(j) && size <= free && size <= totalFree) {
          gone.delete(j);
          avail += size; // back in [0, k) until the next step moves k past it
          free -= size;
          totalFree -= size;
          b.keptBytes += size;
        }
        continue;
      }
      const size = sizes[ci]!;
      if (taken[ci] === 1) continue;
      const deficit = Math.max(size - free, size - totalFree);
      if (deficit > 0 && avail < deficit) continue; // does not fit: try the next, smaller ones
      const c = cands[ci]!;
      if (deficit > 0) {
        // Worst first, until enough is freed; then keep back the best of those not needed.
        const picked: number[] = [];
        let freed = 0;
        for (let j = p; j < k && freed < deficit; j++) {
          if (gone.has(j)) continue;
          picked.push(j);
          freed += replaceable[j]!.sizeBytes;
        }
        for (let q = picked.length - 2; q >= 0; q--) {
          const sz = replaceable[picked[q]!]!.sizeBytes;
          if (freed - sz >= deficit) {
            freed -= sz;
            picked.splice(q, 1);
          }
        }
        for (const j of picked) gone.set(j, { by: c, rank: i });
        while (p < replaceable.length && gone.has(p)) p++;
        avail -= freed;
        free += freed;
        totalFree += freed;
        b.keptBytes -= freed;
      }
      free -= size;
      totalFree -= size;
      b.added += size;
      taken[ci] = 1;
      adds.push({
        type: 'add',
        videoId: c.videoId,
        uuid: c.uuid,
        host: c.host,
        budget: b.id,
        strategy: b.rankings[b.via[i]!]!.name,
        sizeBytes: size,
        expiresAt: now + b.minLifetimeMs,
        reason: addReason(b, c, i, snapshot.trendingIntervalDays, target),
      });
    }
    for (const [j, { by, rank }] of [...gone].sort((x, y) => x[0] - y[0])) {
      const old = replaceable[j]!;
      evict(
        old,
        b,
        'replaced',
        `replaced by a better-ranked video in ${b.id}: it is ${rankText(b, old.videoId)}, ` +
          `past its min_lifetime ${formatDuration(b.minLifetimeMs)} (created ${formatDuration(now - old.createdAt)} ago); ` +
          `makes room for ${by.uuid} (#${rank + 1})`,
      );
    }
  }

  // --- 6. renew kept copies in the last half of their lifetime ----------------------------
  const renewals: RenewDecision[] = [];
  for (const b of budgets) {
    const window = b.minLifetimeMs * RENEWAL_WINDOW_FRACTION;
    for (const copy of b.kept) {
      if (evicted.has(copy.videoId) || copy.state !== 'ready') continue;
      const left = copy.expiresAt === null ? -Infinity : copy.expiresAt - now;
      if (left > window) continue;
      const when =
        copy.expiresAt === null
          ? 'it had no expiry'
          : left > 0
            ? `it expires in ${formatDuration(left)}`
            : `it expired ${formatDuration(-left)} ago`;
      renewals.push({
        type: 'renew',
        videoId: copy.videoId,
        budget: b.id,
        expiresAt: now + b.minLifetimeMs,
        reason:
          `still qualifies for ${b.label} (${rankText(b, copy.videoId)}); ${when}, inside the renewal window ` +
          `(the last ${formatDuration(window)}, half of min_lifetime ${formatDuration(b.minLifetimeMs)})`,
      });
    }
  }

  // --- usage --------------------------------------------------------------------------------
  const usage: BudgetUsage[] = budgets.map((b) => ({
    budget: b.id,
    kind: b.kind,
    used: b.used,
    limit: b.limit,
    afterPlan: b.keptBytes + b.added,
  }));
  const afterPlanTotal = manualBytes + usage.reduce((s, u) => s + u.afterPlan, 0);
  return {
    decisions: [...evictions, ...renewals, ...adds],
    usage,
    total: { used: totalUsed, limit: totalLimit, afterPlan: afterPlanTotal, manual: manualBytes },
    notes,
  };
}

function addReason(b: Budget, c: Candidate, i: number, intervalDays: number | undefined, target: number | null): string {
  const via: RankingName = b.rankings[b.via[i]!]!.name;
  const what =
    via === 'most-views'
      ? `${c.views} views`
      : via === 'trending'
        ? `${c.viewsInInterval} views in the last ${intervalDays ?? '?'} days`
        : via === 'recently-added'
          ? `published ${isoDay(c.publishedAt)}, ${c.views} views${(b.rankings.find((r) => r.name === 'recently-added')?.minViews ?? 0) > 0 ? ` ≥ min_views ${b.rankings.find((r) => r.name === 'recently-added')!.minViews}` : ''}`
          : `published ${isoDay(c.publishedAt)}`;
  const who = b.kind === 'host' ? `${b.label} ${via}` : via;
  const replicas =
    target === null
      ? ''
      : c.knownHealthyMirrors >= target
        ? `; already ${c.knownHealthyMirrors} healthy mirrors (target ${target}), so ranked after videos with fewer`
        : `; ${c.knownHealthyMirrors} of ${target} target mirrors known`;
  const after = b.keptBytes + b.added;
  return (
    `${who} #${i + 1} of ${b.items.length} candidates (${what}) from ${c.host}, ${formatBytes(c.sizeBytes)}; ` +
    `budget ${b.id} at ${formatBytes(after)} of ${formatBytes(b.limit)} with it${replicas}`
  );
}
