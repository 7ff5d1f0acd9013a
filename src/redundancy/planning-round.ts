import type { Candidate, CurrentCopy, Plan, PlanSnapshot } from './planner/index.js';
import { copySizeEstimate } from './copy-size.js';
import { planGracePurges, type GracePurge } from './planner/index.js';
import { hlsFileSetDigest } from './file-set.js';
import type { EngineContext } from './engine-deps.js';
import type { CopyLifecycle } from './copy-lifecycle.js';

/**
 * The planning round: a snapshot (remote catalogue, our copies, policy, now) → the pure planner →
 * its decisions carried out (add, refresh, renew, evict), then the grace copies that must go and
 * the copies on disk nobody knows.
 */
export function createPlanningRound({ deps, log }: EngineContext, lifecycle: CopyLifecycle, reportCopies: () => Promise<void>) {
  const { copies, catalogue } = deps;

  async function snapshot(): Promise<PlanSnapshot> {
    const now = deps.clock.now();
    const [allowedHosts, remote, ours] = await Promise.all([catalogue.allowedHosts(), catalogue.remoteVideos(), copies.list()]);
    const since = new Date(now.getTime() - deps.trendingIntervalDays * 86_400_000);
    const inInterval = await catalogue.viewsSince(since);
    const failedRecently = new Set<number>(ours.filter((r) => r.state === 'failed').map((r) => r.videoId));
    const estimates = new Map<number, number>();
    // a copy that failed for good waits for retryFailedAfterMs (removeStaleFailures) before its video is planned again
    const candidates: Candidate[] = remote
      .filter((v) => !failedRecently.has(v.id))
      .map((v) => {
        const hls = v.hls;
        const sizeBytes = hls ? copySizeEstimate(hls.files, v.durationSeconds) : 0;
        estimates.set(v.id, sizeBytes);
        return {
          videoId: v.id,
          uuid: v.uuid,
          url: v.url,
          host: new URL(v.url).host,
          channelUrl: v.channelUrl,
          channelName: v.channelName,
          accountUrl: v.accountUrl,
          accountName: v.accountName,
          tags: v.tags,
          language: v.language,
          licence: v.licence,
          category: v.category,
          sizeBytes,
          durationSeconds: v.durationSeconds,
          publishedAt: v.publishedAt.getTime(),
          views: v.views,
          viewsInInterval: inInterval.get(v.id) ?? v.views,
          isLive: v.isLive,
          privacy: v.privacy,
          hasHls: Boolean(hls?.segmentsSha256Url),
          knownHealthyMirrors: v.knownHealthyMirrors,
          // PeerTube's state 1: only finished videos are mirrored (not "to transcode", "to import"...)
          published: v.state === 1,
          ...(hls ? { fileSet: hlsFileSetDigest(hls) } : {}),
        };
      });
    const current: CurrentCopy[] = ours
      // grace copies are withdrawn: not copies for the planner (see the grace purges)
      .filter((r) => r.state !== 'failed' && r.state !== 'grace')
      .map((r) => ({
        videoId: r.videoId,
        host: new URL(r.videoUrl).host,
        budget: r.strategy ?? 'manual',
        // charged as planned (media + allowance) unless it turned out larger: a copy that completes
        // never weighs more than the candidate it was planned as, so it is not evicted and re-added
        sizeBytes: Math.max(r.sizeBytes, estimates.get(r.videoId) ?? 0),
        createdAt: r.createdAt.getTime(),
        expiresAt: r.expiresOn?.getTime() ?? null,
        manual: r.strategy === 'manual',
        state: r.state === 'active' ? 'ready' : 'pending',
        fileSet: r.sourceFileSet,
      }));
    return { now: now.getTime(), policy: deps.policy, candidates, copies: current, allowedHosts, trendingIntervalDays: deps.trendingIntervalDays };
  }

  async function execute(plan: Plan, purges: readonly GracePurge[] = []): Promise<void> {
    // grace copies that must go (over, or space needed) before anything is added
    for (const p of purges) {
      const row = await copies.findByVideo(p.videoId);
      if (row?.state === 'grace') await lifecycle.evict(row, p.reason);
    }
    for (const d of plan.decisions) {
      if (d.type === 'evict') {
        const row = await copies.findByVideo(d.videoId);
        if (row) await lifecycle.evict(row, d.reason, { grace: true });
      } else if (d.type === 'refresh') {
        const row = await copies.findByVideo(d.videoId);
        if (row?.state === 'active') await deps.enqueueMirror(row.id, { refresh: true });
      } else if (d.type === 'renew') {
        await lifecycle.renew(d.videoId, d.expiresAt, d.reason);
      } else {
        await lifecycle.plan({ videoId: d.videoId, uuid: d.uuid }, { strategy: d.budget, sizeBytes: d.sizeBytes, expiresOn: new Date(d.expiresAt), reason: d.reason });
      }
    }
    for (const u of plan.usage) deps.metrics?.usage(u.budget, u.afterPlan, u.limit);
    deps.metrics?.usageComplete?.(plan.usage.map((u) => ({ budget: u.budget, used: u.afterPlan, limit: u.limit })));
  }

  /** Copies on disk the database no longer knows (their video was deleted at its origin) go. */
  async function removeOrphans(): Promise<void> {
    const rows = (await copies.list()).filter((r) => r.state !== 'failed');
    await deps.mirror.cleanup(
      new Set(rows.filter((r) => r.state === 'active').map((r) => r.videoUuid)),
      new Set(rows.filter((r) => r.state !== 'active').map((r) => r.videoUuid)),
    );
  }

  // one planning round at a time (the scheduler's tick, the policy endpoint, an unfollow): two
  // rounds at once would both carry out the same eviction
  let rounds: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const result = rounds.then(task, task);
    rounds = result.catch(() => undefined);
    return result;
  }

  return {
    snapshot,

    /** One planning round: snapshot → plan → decisions carried out. */
    tick: (): Promise<Plan> =>
      oneAtATime(async () => {
        // failed copies older than retryFailedAfterMs are forgotten: their videos may be planned again
        await copies.removeFailedBefore(new Date(deps.clock.now().getTime() - deps.retryFailedAfterMs));
        const snap = await snapshot();
        const plan = deps.plan(snap);
        const grace = (await copies.list()).filter((c) => c.state === 'grace');
        const purges = planGracePurges({
          now: snap.now,
          grace: grace.map((g) => ({ videoId: g.videoId, sizeBytes: g.sizeBytes, graceUntil: g.graceUntil?.getTime() ?? 0 })),
          reAdded: new Set(plan.decisions.filter((d) => d.type === 'add').map((d) => d.videoId)),
          totalSizeBytes: snap.policy.totalSizeBytes,
          totalAfterPlan: plan.total.afterPlan,
        });
        await execute(plan, purges);
        await removeOrphans();
        await reportCopies();
        if (plan.decisions.length > 0) log.info({ decisions: plan.decisions.length, notes: plan.notes }, 'redundancy plan carried out');
        return plan;
      }),

    /** Disallowing a host (or unfollowing it) removes our copies of it at once. */
    hostPolicyChanged: (): Promise<void> =>
      oneAtATime(async () => {
        const plan = deps.plan(await snapshot());
        await execute({ ...plan, decisions: plan.decisions.filter((d) => d.type === 'evict') });
        await reportCopies();
      }),
  };
}
