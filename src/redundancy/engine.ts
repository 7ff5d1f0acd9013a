import { z } from 'zod';
import type { Prisma } from '../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../accounts/index.js';
import type { ActivitySender } from '../federation/follows.js';
import { activityIds, buildCreate, buildUndo, buildUpdate, directAudience, withContext } from '../federation/vocab/index.js';
import { localHlsCacheFile, localHlsCopyBaseUrl } from '../federation/local/index.js';
import { PermanentJobError, type JobHandler } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { Candidate, CurrentCopy, Plan, PlanSnapshot, Policy } from './planner/types.js';
import { copySizeEstimate } from './copy-size.js';
import { planGracePurges, type GracePurge } from './planner/grace.js';
import { hlsFileSetDigest } from './file-set.js';
import { attemptMirror, type CopyOutcome } from './mirror-attempt.js';
import { describeMirrorFailure, isPermanentMirrorFailure, mirrorFailureStage } from './mirror/index.js';
import type { Prisma as P } from '../generated/prisma/client.js';

export const MIRROR_JOB = 'videos-redundancy-mirror';
/** `refresh`: bring an active copy up to date with its origin's files (then Update CacheFile) */
export type MirrorJobKinds = { [MIRROR_JOB]: { redundancyId: number; refresh?: boolean } };

/** What the engine needs from the mirror module (download, verify, remove copies on disk). */
export interface MirrorPort {
  /** `reuse`: media files of the current copy that still verify are not downloaded again; `notFound`: the origin answered 404 */
  copy(input: { uuid: string; playlistUrl: string; segmentsSha256Url: string; torrentUrls: Record<string, string>; signal: AbortSignal; reuse?: boolean }): Promise<CopyOutcome>;
  verify(uuid: string): Promise<{ ok: true } | { ok: false; message: string }>;
  remove(uuid: string): Promise<void>;
  /** removes copies on disk not in `keep`, and work folders except those of `inProgress` (after a crash) */
  cleanup(keep: Set<string>, inProgress: Set<string>): Promise<void>;
}

export interface RedundancyEngineMetrics {
  copies(byState: Record<string, number>): void;
  usage(strategy: string, usedBytes: number, limitBytes: number): void;
  /** every budget of the plan at once (host rules included), after the per-budget calls */
  usageComplete?(usage: readonly { budget: string; used: number; limit: number }[]): void;
  failure(stage: 'download' | 'verify' | 'announce' | 'evict'): void;
  downloaded(copy: { videoUuid: string; originHost: string }, bytes: number): void;
}

const payloadSchema = z.object({ redundancyId: z.number().int().positive(), refresh: z.boolean().optional() });

/**
 * The mirror side of redundancy: each tick takes a snapshot (remote catalogue, our copies, policy,
 * now), asks the pure planner what to add, renew and evict, and carries the decisions out: a copy
 * row + a durable mirror job per addition (download, verify, atomic move, then Create CacheFile to
 * the origin), Update CacheFile per renewal, Undo CacheFile + deletion per eviction.
 */
export function createRedundancyEngine(deps: {
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  policy: Policy;
  trendingIntervalDays: number;
  /** a copy that failed for good is tried again after this long (its video is not planned meanwhile) */
  retryFailedAfterMs: number;
  /** a copy the planner evicts keeps its files this long, withdrawn, in case it is planned again (0: deleted at once) */
  evictionGraceMs?: number;
  plan(snapshot: PlanSnapshot): Plan;
  mirror: MirrorPort;
  sender: ActivitySender;
  enqueueMirror(redundancyId: number, options?: { refresh: boolean }): Promise<void>;
  /** fetches a remote video object from its origin again (a mirror job that met a 404 does, then retries) */
  refetchVideo?(videoId: number): Promise<'refreshed' | 'deleted' | 'unchanged' | 'failed'>;
  /** aborts the copy's mirror job if it is running, and resolves once it has stopped writing */
  cancelMirror?(redundancyId: number): Promise<void>;
  metrics?: RedundancyEngineMetrics;
  /** a copy became active or was removed: the seeder follows (it also catches up on a schedule) */
  onCopiesChanged?(): Promise<unknown>;
}) {
  const { prisma, urls } = deps;
  const log = deps.logger.child({ component: 'redundancy' });
  const instanceActor = () => prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } });
  const copyBase = (uuid: string) => localHlsCopyBaseUrl(urls, uuid);
  const followedHosts = async (meId: number) =>
    (await prisma.actorFollow.findMany({ where: { followerId: meId, state: 'accepted' }, include: { following: true } }))
      .map((f) => f.following.host)
      .filter((h): h is string => h !== null);

  async function snapshot(): Promise<PlanSnapshot> {
    const now = deps.clock.now();
    const me = await instanceActor();
    const [allowed, remote, ours] = await Promise.all([
      prisma.remoteServer.findMany({
        // PeerTube's rule: an instance we follow (accepted) whose admin switch allows redundancy
        where: { redundancyAllowed: true, blocked: false, host: { in: await followedHosts(me.id) } },
        select: { host: true },
      }),
      prisma.video.findMany({
        where: { isLocal: false },
        include: {
          channel: { include: { actor: true, account: { include: { actor: true } } } },
          streamingPlaylists: { include: { files: true } },
          redundancies: { where: { state: 'active', actorId: { not: me.id } }, select: { id: true } },
        },
      }),
      prisma.videoRedundancy.findMany({ where: { actorId: me.id }, include: { video: { select: { url: true } } } }),
    ]);
    const since = new Date(now.getTime() - deps.trendingIntervalDays * 86_400_000);
    const daily = await prisma.videoViewDaily.groupBy({ by: ['videoId'], where: { day: { gte: since } }, _sum: { views: true } });
    const inInterval = new Map(daily.map((d) => [d.videoId, d._sum.views ?? 0]));
    const failedRecently = new Set<number>(ours.filter((r) => r.state === 'failed').map((r) => r.videoId));
    const estimates = new Map<number, number>();
    // a copy that failed for good waits for retryFailedAfterMs (removeStaleFailures) before its video is planned again
    const candidates: Candidate[] = remote.filter((v) => !failedRecently.has(v.id)).map((v) => {
      const hls = v.streamingPlaylists[0];
      const sizeBytes = hls ? copySizeEstimate(hls.files.map((f) => ({ size: Number(f.size) })), v.duration) : 0;
      estimates.set(v.id, sizeBytes);
      return {
        videoId: v.id,
        uuid: v.uuid,
        url: v.url,
        host: new URL(v.url).host,
        channelUrl: v.channel.actor.url,
        channelName: v.channel.actor.preferredUsername,
        accountUrl: v.channel.account.actor.url,
        accountName: v.channel.account.actor.preferredUsername,
        tags: v.tags,
        language: v.language,
        licence: v.licence,
        category: v.category,
        sizeBytes,
        durationSeconds: v.duration,
        publishedAt: v.publishedAt.getTime(),
        views: v.views,
        viewsInInterval: inInterval.get(v.id) ?? v.views,
        isLive: v.isLive,
        privacy: v.privacy,
        hasHls: Boolean(hls?.segmentsSha256Url),
        knownHealthyMirrors: v.redundancies.length,
        // PeerTube's state 1: only finished videos are mirrored (not "to transcode", "to import"...)
        published: v.state === 1,
        ...(hls ? { fileSet: hlsFileSetDigest(hls) } : {}),
      };
    });
    const copies: CurrentCopy[] = ours
      // grace copies are withdrawn: not copies for the planner (see graceCopies)
      .filter((r) => r.state !== 'failed' && r.state !== 'grace')
      .map((r) => ({
        videoId: r.videoId,
        host: new URL(r.video.url).host,
        budget: r.strategy ?? 'manual',
        // charged as planned (media + allowance) unless it turned out larger: a copy that completes
        // never weighs more than the candidate it was planned as, so it is not evicted and re-added
        sizeBytes: Math.max(Number(r.sizeBytes), estimates.get(r.videoId) ?? 0),
        createdAt: r.createdAt.getTime(),
        expiresAt: r.expiresOn?.getTime() ?? null,
        manual: r.strategy === 'manual',
        state: r.state === 'active' ? 'ready' : 'pending',
        fileSet: r.sourceFileSet,
      }));
    return { now: now.getTime(), policy: deps.policy, candidates, copies, allowedHosts: allowed.map((a) => a.host), trendingIntervalDays: deps.trendingIntervalDays };
  }

  async function videoWithOrigin(videoId: number) {
    return prisma.video.findUniqueOrThrow({
      where: { id: videoId },
      include: { channel: { include: { actor: true, account: { include: { actor: true } } } }, streamingPlaylists: { include: { files: true } } },
    });
  }

  // the same CacheFile as GET of its id serves (federation/local), addressed to the video's account
  function cacheFileFor(video: { uuid: string; url: string; channel: { account: { actor: { url: string } } } }, expiresOn: Date | null) {
    return localHlsCacheFile(urls, video, expiresOn, directAudience(video.channel.account.actor.url));
  }

  /**
   * Sends Create, Update or Undo of our CacheFile to the video's origin. `copyId` (the row's id)
   * makes the Create's id unique per copy: a video mirrored again after an eviction is announced
   * anew (the origin deduplicates activities by id).
   */
  async function announcement(kind: 'create' | 'update' | 'undo', videoId: number, expiresOn: Date | null, copyId: number) {
    const video = await videoWithOrigin(videoId);
    const me = await instanceActor();
    const cacheFile = cacheFileFor(video, expiresOn);
    const { to, cc, ...object } = cacheFile;
    const create = buildCreate({ id: `${activityIds.create(cacheFile.id)}/${copyId}`, actor: me.url, object: { ...object, to, cc }, audience: { to, cc } });
    const activity =
      kind === 'create'
        ? create
        : kind === 'update'
          ? buildUpdate({ id: activityIds.update(cacheFile.id, deps.clock.now()), actor: me.url, object: { ...object, to, cc }, audience: { to, cc } })
          : buildUndo({ actor: me.url, object: create, audience: { to, cc } });
    const origin = video.channel.actor;
    return { activity: withContext(activity, 'CacheFile'), options: { signerActorId: me.id, inboxes: [origin.sharedInboxUrl ?? origin.inboxUrl] } };
  }

  /**
   * Queues the announcement (a durable delivery job) together with the change of our copy's row,
   * in one transaction: a crash cannot leave an active copy unannounced, a renewal unsent or an
   * eviction unwithdrawn. The activity is built before (reads outside the transaction).
   */
  async function withAnnouncement<T>(built: Awaited<ReturnType<typeof announcement>>, change: (tx: P.TransactionClient) => Promise<T>): Promise<T> {
    try {
      return await prisma.$transaction(async (tx) => {
        const result = await change(tx);
        await deps.sender.send(built.activity, built.options, tx);
        return result;
      });
    } catch (err) {
      deps.metrics?.failure('announce');
      throw err;
    }
  }

  async function evictRow(row: { id: number; videoId: number; state: string; video: { uuid: string } }, reason: string, options: { grace?: boolean } = {}): Promise<void> {
    const graceMs = deps.evictionGraceMs ?? 0;
    if (options.grace && graceMs > 0 && row.state === 'active') {
      // withdrawn (Undo) and no longer seeded, but its files stay for the grace period
      const graceUntil = new Date(deps.clock.now().getTime() + graceMs);
      await withAnnouncement(await announcement('undo', row.videoId, null, row.id), (tx) =>
        tx.videoRedundancy.update({ where: { id: row.id }, data: { state: 'grace', graceUntil, reason: `evicted: ${reason}` } }),
      );
      await deps.onCopiesChanged?.();
      log.info({ video: row.video.uuid, reason, graceUntil }, 'copy evicted; its files are kept for the grace period');
      return;
    }
    if (row.state === 'grace') {
      await prisma.videoRedundancy.deleteMany({ where: { id: row.id } });
      await deps.mirror.remove(row.video.uuid);
      log.info({ video: row.video.uuid, reason }, 'copy in grace deleted');
      return;
    }
    // files go after the row (a crash in between leaves an orphan folder, removed by the next tick)
    if (row.state === 'active') {
      await withAnnouncement(await announcement('undo', row.videoId, null, row.id), (tx) => tx.videoRedundancy.delete({ where: { id: row.id } }));
    } else {
      // a copy being written: its row goes first (the job then finds nothing to finish), then its
      // job is stopped and waited for, so that no download writes into folders being removed
      await prisma.videoRedundancy.deleteMany({ where: { id: row.id } });
      await deps.cancelMirror?.(row.id);
    }
    await deps.onCopiesChanged?.();
    await deps.mirror.remove(row.video.uuid);
    log.info({ video: row.video.uuid, reason }, 'copy evicted');
  }

  /** Our evicted copies whose files are still on disk (an input of the plan, like the copies). */
  async function graceCopies(meId: number) {
    return prisma.videoRedundancy.findMany({ where: { actorId: meId, state: 'grace' }, include: { video: { select: { uuid: true } } } });
  }

  async function execute(plan: Plan, purges: readonly GracePurge[] = []): Promise<void> {
    const me = await instanceActor();
    // grace copies that must go (over, or space needed) before anything is added
    for (const p of purges) {
      const row = await prisma.videoRedundancy.findFirst({ where: { videoId: p.videoId, actorId: me.id, state: 'grace' }, include: { video: { select: { uuid: true } } } });
      if (row) await evictRow(row, p.reason);
    }
    for (const d of plan.decisions) {
      if (d.type === 'evict') {
        const row = await prisma.videoRedundancy.findFirst({ where: { videoId: d.videoId, actorId: me.id }, include: { video: { select: { uuid: true } } } });
        if (row) await evictRow(row, d.reason, { grace: true });
      } else if (d.type === 'refresh') {
        const row = await prisma.videoRedundancy.findFirst({ where: { videoId: d.videoId, actorId: me.id, state: 'active' } });
        if (row) await deps.enqueueMirror(row.id, { refresh: true });
      } else if (d.type === 'renew') {
        const expiresOn = new Date(d.expiresAt);
        const where = { videoId_actorId: { videoId: d.videoId, actorId: me.id } };
        const renew = (tx: P.TransactionClient | Prisma) => tx.videoRedundancy.update({ where, data: { expiresOn, reason: d.reason } });
        const row = await prisma.videoRedundancy.findUniqueOrThrow({ where });
        if (row.state === 'active') await withAnnouncement(await announcement('update', d.videoId, expiresOn, row.id), renew);
        else await renew(prisma);
      } else {
        // planned again during its grace: a new copy row (its Create gets a new id), the files are
        // reused: the mirror job verifies them in place and announces without downloading
        await prisma.videoRedundancy.deleteMany({ where: { videoId: d.videoId, actorId: me.id, state: 'grace' } });
        const row = await prisma.videoRedundancy.create({
          data: {
            videoId: d.videoId,
            actorId: me.id,
            url: activityIds.hlsCacheFile(urls.base, d.uuid),
            fileUrl: copyBase(d.uuid),
            strategy: d.budget,
            state: 'planned',
            sizeBytes: BigInt(d.sizeBytes),
            expiresOn: new Date(d.expiresAt),
            reason: d.reason,
            createdAt: deps.clock.now(),
          },
        });
        await deps.enqueueMirror(row.id);
      }
    }
    for (const u of plan.usage) deps.metrics?.usage(u.budget, u.afterPlan, u.limit);
    deps.metrics?.usageComplete?.(plan.usage.map((u) => ({ budget: u.budget, used: u.afterPlan, limit: u.limit })));
  }

  async function reportCopies(): Promise<void> {
    if (!deps.metrics) return;
    const me = await instanceActor();
    const rows = await prisma.videoRedundancy.groupBy({ by: ['state'], where: { actorId: me.id }, _count: { _all: true } });
    deps.metrics.copies(Object.fromEntries(rows.map((r) => [r.state, r._count._all])));
  }

  /** Failed copies older than retryFailedAfterMs are forgotten: their videos may be planned again. */
  async function removeStaleFailures(): Promise<void> {
    const me = await instanceActor();
    const before = new Date(deps.clock.now().getTime() - deps.retryFailedAfterMs);
    await prisma.videoRedundancy.deleteMany({ where: { actorId: me.id, state: 'failed', updatedAt: { lt: before } } });
  }

  /** Copies on disk the database no longer knows (their video was deleted at its origin) go. */
  async function removeOrphans(): Promise<void> {
    const me = await instanceActor();
    const rows = await prisma.videoRedundancy.findMany({ where: { actorId: me.id, state: { not: 'failed' } }, include: { video: { select: { uuid: true } } } });
    await deps.mirror.cleanup(
      new Set(rows.filter((r) => r.state === 'active').map((r) => r.video.uuid)),
      new Set(rows.filter((r) => r.state !== 'active').map((r) => r.video.uuid)),
    );
  }

  const loadVideo = async (videoId: number) => {
    const v = await prisma.video.findUnique({ where: { id: videoId }, include: { streamingPlaylists: { include: { files: true } } } });
    return v ? { uuid: v.uuid, url: v.url, hls: v.streamingPlaylists[0] ?? null } : null;
  };
  const attemptPorts = {
    loadVideo,
    copy: (input: Parameters<MirrorPort['copy']>[0]) => deps.mirror.copy(input),
    ...(deps.refetchVideo ? { refetchVideo: deps.refetchVideo } : {}),
  };

  const mirrorJob: JobHandler<{ redundancyId: number; refresh?: boolean }> = {
    concurrency: 2,
    maxAttempts: 5,
    parse: (raw) => payloadSchema.parse(raw),
    async run(payload, ctx) {
      const row = await prisma.videoRedundancy.findUnique({ where: { id: payload.redundancyId } });
      if (!row) return { skipped: 'copy no longer planned' };
      const refresh = payload.refresh === true;
      if (refresh && row.state !== 'active') return { skipped: 'not an active copy: nothing to refresh' };
      if (!refresh && row.state === 'active') return { skipped: 'already mirrored' };
      const stored = await loadVideo(row.videoId);
      if (!stored?.hls?.playlistUrl || !stored.hls.segmentsSha256Url) throw new PermanentJobError('the video has no HLS playlist to mirror');
      // complete in place already (moved there just before a crash): verified, it is announced as is
      if (!refresh && (await deps.mirror.verify(stored.uuid)).ok) {
        await withAnnouncement(await announcement('create', row.videoId, row.expiresOn, row.id), (tx) =>
          tx.videoRedundancy.update({ where: { id: row.id }, data: { state: 'active', lastVerifiedAt: deps.clock.now(), sourceFileSet: hlsFileSetDigest(stored.hls!) } }),
        );
        await deps.onCopiesChanged?.();
        return { skipped: 'the copy was already complete in place: verified and announced' };
      }
      if (!refresh) await prisma.videoRedundancy.update({ where: { id: row.id }, data: { state: 'downloading' } });
      const attempt = await attemptMirror(attemptPorts, row.videoId, { signal: ctx.signal, reuse: refresh });
      if (attempt.type === 'gone') return { skipped: 'the video is gone at its origin' };
      if (attempt.type !== 'copied' && (await prisma.videoRedundancy.count({ where: { id: row.id } })) === 0) {
        // evicted while being written (the eviction cancelled us and removes the files)
        return { skipped: 'copy evicted while it was being written' };
      }
      if (attempt.type !== 'copied') {
        const message = attempt.type === 'no-hls' ? 'the video has no HLS playlist to mirror' : describeMirrorFailure(attempt.reason);
        const permanent = attempt.type === 'no-hls' || isPermanentMirrorFailure(attempt.reason);
        deps.metrics?.failure(attempt.type === 'no-hls' ? 'download' : mirrorFailureStage(attempt.reason));
        // a refresh that fails leaves the current copy served (it still matches what it was made from)
        const failedState = refresh ? 'active' : 'failed';
        const retryState = refresh ? 'active' : 'planned';
        if (permanent || ctx.job.attempts >= ctx.job.maxAttempts) {
          // updatedAt from our clock: the failure's time, after which removeStaleFailures lets the video be planned again
          await prisma.videoRedundancy.update({ where: { id: row.id }, data: { state: failedState, reason: message, failures: { increment: 1 }, updatedAt: deps.clock.now() } });
          throw new PermanentJobError(message);
        }
        await prisma.videoRedundancy.update({ where: { id: row.id }, data: { state: retryState, reason: message, failures: { increment: 1 } } });
        throw new Error(message);
      }
      const now = deps.clock.now();
      const video = await videoWithOrigin(row.videoId);
      const data = { state: 'active', sizeBytes: BigInt(attempt.totalBytes), lastVerifiedAt: now, reason: row.reason, sourceFileSet: attempt.fileSet };
      // active (or brought up to date) and announced together (the delivery is a durable job)
      await withAnnouncement(await announcement(refresh ? 'update' : 'create', row.videoId, row.expiresOn, row.id), (tx) => tx.videoRedundancy.update({ where: { id: row.id }, data }));
      deps.metrics?.downloaded({ videoUuid: video.uuid, originHost: new URL(video.url).host }, attempt.totalBytes);
      await deps.onCopiesChanged?.();
      await reportCopies();
      log.info({ video: video.uuid, bytes: attempt.totalBytes, refetched: attempt.refetched }, refresh ? 'copy refreshed and announced' : 'copy complete and announced');
      return { bytes: attempt.totalBytes, ...(refresh ? { refreshed: true } : {}), ...(attempt.refetched ? { refetched: true } : {}) };
    },
    // Failure path (issue 10), also when crashes used the attempts up: the copy is failed, never left
    // "downloading"; the next tick's removeOrphans deletes its work folder.
    async onFailed({ payload, error }) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) return;
      await prisma.videoRedundancy.updateMany({
        where: { id: parsed.data.redundancyId, state: { in: ['planned', 'downloading'] } },
        data: { state: 'failed', reason: error.split('\n')[0]!.slice(0, 2000), failures: { increment: 1 }, updatedAt: deps.clock.now() },
      });
    },
  };

  // one planning round at a time (the scheduler's tick, the policy endpoint, an unfollow): two
  // rounds at once would both carry out the same eviction
  let rounds: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const result = rounds.then(task, task);
    rounds = result.catch(() => undefined);
    return result;
  }

  return {
    mirrorJob,
    snapshot,

    /** One planning round: snapshot → plan → decisions carried out. */
    tick: (): Promise<Plan> => oneAtATime(async () => {
      await removeStaleFailures();
      const snap = await snapshot();
      const plan = deps.plan(snap);
      const grace = await graceCopies((await instanceActor()).id);
      const purges = planGracePurges({
        now: snap.now,
        grace: grace.map((g) => ({ videoId: g.videoId, sizeBytes: Number(g.sizeBytes), graceUntil: g.graceUntil?.getTime() ?? 0 })),
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

    /** Re-verifies our stored copies; a copy that fails is withdrawn and deleted. */
    async verifyCopies(): Promise<{ verified: number; failed: number }> {
      const me = await instanceActor();
      const rows = await prisma.videoRedundancy.findMany({ where: { actorId: me.id, state: 'active' }, include: { video: { select: { uuid: true } } } });
      let failed = 0;
      for (const row of rows) {
        const verdict = await deps.mirror.verify(row.video.uuid);
        if (verdict.ok) {
          await prisma.videoRedundancy.update({ where: { id: row.id }, data: { lastVerifiedAt: deps.clock.now() } });
          continue;
        }
        failed++;
        deps.metrics?.failure('verify');
        await evictRow(row, `stored copy failed verification: ${verdict.message}`);
      }
      await reportCopies();
      return { verified: rows.length - failed, failed };
    },

    /** After a crash: work folders and unknown copies go; planned or interrupted copies resume through their jobs. */
    async cleanup(): Promise<void> {
      const me = await instanceActor();
      const rows = await prisma.videoRedundancy.findMany({ where: { actorId: me.id, state: { not: 'failed' } }, include: { video: { select: { uuid: true } } } });
      const unfinished = rows.filter((r) => r.state !== 'active' && r.state !== 'grace');
      // partial downloads of unfinished copies stay: their jobs resume them with Range; a copy
      // already moved into place (a crash before its row became active) stays too: its job checks it
      await deps.mirror.cleanup(new Set(rows.map((r) => r.video.uuid)), new Set(unfinished.map((r) => r.video.uuid)));
      for (const r of unfinished) await deps.enqueueMirror(r.id);
    },

    async addManual(videoId: number) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { streamingPlaylists: { include: { files: true } } } });
      if (!video) return { ok: false as const, status: 404 as const, message: 'Video not found' };
      if (video.isLocal) return { ok: false as const, status: 400 as const, message: 'Cannot create a redundancy of a local video' };
      if (video.isLive) return { ok: false as const, status: 400 as const, message: 'Cannot create a redundancy of a live video' };
      const me = await instanceActor();
      // a copy in its grace period is reused (verified in place by the mirror job)
      await prisma.videoRedundancy.deleteMany({ where: { videoId, actorId: me.id, state: 'grace' } });
      if (await prisma.videoRedundancy.findFirst({ where: { videoId, actorId: me.id } })) return { ok: false as const, status: 409 as const, message: 'This video is already mirrored' };
      const size = copySizeEstimate((video.streamingPlaylists[0]?.files ?? []).map((f) => ({ size: Number(f.size) })), video.duration);
      const row = await prisma.videoRedundancy.create({
        data: { videoId, actorId: me.id, url: activityIds.hlsCacheFile(urls.base, video.uuid), fileUrl: copyBase(video.uuid), strategy: 'manual', state: 'planned', sizeBytes: BigInt(size), expiresOn: null, reason: 'asked by an administrator', createdAt: deps.clock.now() },
      });
      await deps.enqueueMirror(row.id);
      return { ok: true as const, redundancyId: row.id };
    },

    async evict(redundancyId: number, reason: string): Promise<boolean> {
      const me = await instanceActor();
      const row = await prisma.videoRedundancy.findFirst({ where: { id: redundancyId, actorId: me.id }, include: { video: { select: { uuid: true } } } });
      if (!row) return false;
      await evictRow(row, reason);
      await reportCopies();
      return true;
    },

    /** Disallowing a host (or unfollowing it) removes our copies of it at once. */
    hostPolicyChanged: (): Promise<void> => oneAtATime(async () => {
      const plan = deps.plan(await snapshot());
      await execute({ ...plan, decisions: plan.decisions.filter((d) => d.type === 'evict') });
      await reportCopies();
    }),
  };
}

export type RedundancyEngine = ReturnType<typeof createRedundancyEngine>;
