// Redundancy planner: one full plan over 100,000 synthetic candidates from 20 hosts, with a policy
// of 3 global strategies + 5 host rules (filters, several strategies, mirror-all, replica target,
// total cap), for a first tick and a steady one; beside a plain Array.prototype.sort of the same 100,000
// candidates by views, measured in the same run. Median of 5 runs each (after a warm-up).
//   npx tsx test/bench/planner.ts [candidates]
import { cpus, loadavg } from 'node:os';
import { prng } from '../support/prng.js';
import { planRedundancy, validatePolicy, type Candidate, type CurrentCopy, type Plan, type Policy } from '../../src/redundancy/planner/index.js';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = 5;
const HOUR = 3_600_000;
const MB = 1024 ** 2;
const NOW = Date.UTC(2026, 10, 22, 12);

const r = prng(42);
const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const HOSTS = Array.from({ length: 20 }, (_, i) => `tube${i + 1}.example`);
const TAGS = ['music', 'science', 'nsfw', 'cats', 'news', 'games', 'talk', 'diy'];
const LANGS = ['en', 'fr', 'de', 'es', null];

const candidates: Candidate[] = [];
for (let id = 1; id <= N; id++) {
  const host = HOSTS[id % HOSTS.length]!;
  const channel = `ch${int(1, 40)}`;
  const uuid = `${id.toString(16).padStart(8, '0')}-0000-4000-8000-${int(0, 0xffffff).toString(16).padStart(12, '0')}`;
  const views = Math.floor(1 / (r() + 0.0005)) * int(1, 20); // long tail
  candidates.push({
    videoId: id,
    uuid,
    url: `https://${host}/videos/watch/${uuid}`,
    host,
    channelUrl: `https://${host}/video-channels/${channel}`,
    channelName: channel,
    accountUrl: `https://${host}/accounts/user${int(1, 30)}`,
    accountName: `user${int(1, 30)}`,
    tags: TAGS.filter(() => r() < 0.15),
    language: LANGS[int(0, LANGS.length - 1)]!,
    licence: int(1, 7),
    category: int(1, 18),
    sizeBytes: int(20, 3000) * MB,
    durationSeconds: int(30, 3 * 3600),
    publishedAt: NOW - int(0, 2 * 365 * 24) * HOUR,
    views,
    viewsInInterval: Math.floor(views * r() * 0.3),
    isLive: r() < 0.02,
    privacy: r() < 0.93 ? 1 : int(2, 4),
    hasHls: r() < 0.97,
    published: true,
    knownHealthyMirrors: int(0, 4),
  });
}

const parsed = validatePolicy({
  check_interval: '1 hour',
  target_replicas: 2,
  total_size: '1TB',
  strategies: [
    { strategy: 'most-views', size: '200GB', min_lifetime: '25 hours' },
    { strategy: 'trending', size: '100GB', min_lifetime: '25 hours' },
    { strategy: 'recently-added', size: '100GB', min_lifetime: '25 hours', min_views: 10 },
  ],
  hosts: [
    { host: 'tube1.example', priority: 10, size: '100GB', min_lifetime: '2 days', mirror_all: true, exclude: { tags: ['nsfw'] } },
    { host: 'tube2.example', priority: 5, size: '80GB', min_lifetime: '2 days', strategies: [{ strategy: 'trending' }, { strategy: 'recently-added', min_views: 5 }], include: { languages: ['en', 'fr'] } },
    { host: 'tube3.example', size: '50GB', min_lifetime: '30 hours', strategies: [{ strategy: 'most-views' }], include: { tags: ['science', 'diy'], max_size: '2GB', max_duration: '2 hours' } },
    { host: 'tube4.example', size: '50GB', min_lifetime: '30 hours', strategies: [{ strategy: 'most-views' }], exclude: { channels: ['ch1', 'ch2', 'ch3'], tags: ['nsfw'] } },
    { host: 'tube5.example', priority: -1, size: '40GB', min_lifetime: '30 hours', strategies: [{ strategy: 'recently-added', min_views: 0 }], include: { licences: [1, 2, 3] } },
  ],
});
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const policy: Policy = parsed.policy;

const allowedHosts = HOSTS.filter((h) => h !== 'tube20.example');

// Two ticks are measured:
//  - first tick: no copies yet; every budget is filled in this one plan ("fill fast");
//  - steady tick: the copies a plan made 30 hours earlier (now past their min_lifetime of 25 h,
//    some in the renewal window), after views moved, plus a few manual copies and copies of
//    videos that disappeared: renewals, replacements and evictions.
const before = NOW - 30 * HOUR;
const earlier = planRedundancy({ now: before, policy, candidates, copies: [], allowedHosts, trendingIntervalDays: 7 });
const copies: CurrentCopy[] = earlier.decisions.flatMap((d) =>
  d.type === 'add'
    ? [{ videoId: d.videoId, host: d.host, budget: d.budget, sizeBytes: d.sizeBytes, createdAt: before, expiresAt: d.expiresAt, manual: false, state: 'ready' as const }]
    : [],
);
for (let i = 0; i < 20; i++) {
  copies.push({ videoId: N + 1 + i, host: 'tube9.example', budget: 'most-views', sizeBytes: 500 * MB, createdAt: before, expiresAt: NOW + HOUR, manual: false, state: 'ready' });
}
for (let i = 0; i < 10; i++) {
  const c = candidates[int(0, N - 1)]!;
  if (!copies.some((k) => k.videoId === c.videoId)) {
    copies.push({ videoId: c.videoId, host: c.host, budget: 'manual', sizeBytes: c.sizeBytes, createdAt: before, expiresAt: null, manual: true, state: 'ready' });
  }
}
const moved = candidates.map((c) => {
  const views = c.views + Math.floor(r() * r() * 3000);
  return { ...c, views, viewsInInterval: Math.floor(c.viewsInInterval * 0.7) + (views - c.views) };
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
/** Wall time, and this thread's CPU time (steadier when other processes load the machine). */
function time<T>(f: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

const ticks = [
  { name: 'first tick (no copies)', snapshot: { now: NOW, policy, candidates, copies: [], allowedHosts, trendingIntervalDays: 7 } },
  { name: `steady tick (${copies.length} copies)`, snapshot: { now: NOW, policy, candidates: moved, copies, allowedHosts, trendingIntervalDays: 7 } },
];
// warm-up (JIT), then the measured runs, interleaved so that load affects all alike
for (const t of ticks) planRedundancy(t.snapshot);
[...candidates].sort((a, b) => b.views - a.views);
const sortTimes: number[] = [];
const sortCpu: number[] = [];
const planTimes = ticks.map(() => [] as number[]);
const planCpu = ticks.map(() => [] as number[]);
const plans: Plan[] = [];
for (let i = 0; i < RUNS; i++) {
  const b = time(() => [...candidates].sort((x, y) => y.views - x.views));
  sortTimes.push(b.ms);
  sortCpu.push(b.cpuMs);
  ticks.forEach((t, k) => {
    const m = time(() => planRedundancy(t.snapshot));
    planTimes[k]!.push(m.ms);
    planCpu[k]!.push(m.cpuMs);
    plans[k] = m.value;
  });
}
const sortMs = median(sortTimes);
const sortCpuMs = median(sortCpu);
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
console.log(`snapshot: ${N} candidates from ${HOSTS.length} hosts; policy: ${policy.strategies.length} strategies + ${policy.hosts.length} host rules, target_replicas ${policy.targetReplicas}, total_size ${gb(policy.totalSizeBytes ?? 0)}`);
console.log(`baseline: Array.prototype.sort of ${N} candidates by views  ${sortMs.toFixed(1).padStart(8)} ms wall, ${sortCpuMs.toFixed(1)} ms CPU (medians of ${RUNS})`);
let worst = 0;
ticks.forEach((t, k) => {
  const p = plans[k]!;
  const ms = median(planTimes[k]!);
  const cpuMs = median(planCpu[k]!);
  worst = Math.max(worst, ms);
  const count = (type: string) => p.decisions.filter((d) => d.type === type).length;
  console.log(`\nplanRedundancy, ${t.name}`.padEnd(57) + `${ms.toFixed(1).padStart(8)} ms wall, ${cpuMs.toFixed(1)} ms CPU (medians of ${RUNS}; wall runs ${planTimes[k]!.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  ratio plan/sort ${(ms / sortMs).toFixed(2)} (wall), ${(cpuMs / sortCpuMs).toFixed(2)} (CPU); goal: plan under 1000 ms`);
  console.log(`  decisions: ${p.decisions.length} (add ${count('add')}, renew ${count('renew')}, evict ${count('evict')}: ${[...new Set(p.decisions.flatMap((d) => (d.type === 'evict' ? [d.cause] : [])))].map((c) => `${c} ${p.decisions.filter((d) => d.type === 'evict' && d.cause === c).length}`).join(', ') || '-'})`);
  for (const u of p.usage) console.log(`    ${u.budget.padEnd(22)} ${gb(u.used).padStart(9)} → ${gb(u.afterPlan).padStart(9)} of ${gb(u.limit)}`);
  console.log(`    ${'total'.padEnd(22)} ${gb(p.total.used).padStart(9)} → ${gb(p.total.afterPlan).padStart(9)} of ${gb(p.total.limit ?? 0)}`);
  const sample = p.decisions.find((d) => d.type === 'evict' && d.cause === 'replaced') ?? p.decisions.find((d) => d.type === 'add');
  if (sample) console.log(`  e.g. ${sample.type}: ${sample.reason}`);
});
process.exitCode = worst < 1000 ? 0 : 1;
