import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceConfig } from '../config/index.js';
import type { Prisma } from '../db/index.js';
import type { ActivitySender, FollowService, RemoteActorResolver } from '../federation/follows/follows.js';
import type { SafeFetcher } from '../federation/remote/index.js';
import type { InboxDispatcher } from '../federation/inbox/inbox-dispatcher.js';
import type { JobQueue } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/index.js';
import { buildAnnounceList, buildTrackerUrls } from '../p2p/index.js';
import { createPrismaActiveCopiesStore, createPrismaCopyStore } from './copy-store.js';
import { createPrismaRemoteCopyStore } from './origin/remote-copy-store.js';
import { createPrismaCatalogueStore } from './catalogue-store.js';
import { createTransactor } from '../db/index.js';
import { createRedundancyEngine, MIRROR_JOB, type MirrorJobKinds, type MirrorPort } from './engine.js';
import { cleanupOrphans, createHttpDownloader, mirrorHlsCopy, removeCopyFiles, verifyStoredCopy } from './mirror/index.js';
import { objectStorageMirror } from './object-storage-copies.js';
import type { LookupAddresses } from '../federation/remote/index.js';
import { createCacheFileHandlers } from './origin/cache-file-handlers.js';
import { createCopyProber, PROBE_JOB, type ProbeJobKinds } from './origin/probe-copy.js';
import { createOriginHealth } from './origin-health.js';

import type { BucketKind, ObjectStorage } from '../storage/index.js';
import { createFileCopyStore } from './origin/file-copy-store.js';
import { createFileCopyProber, FILE_PROBE_JOB, type FileProbeJobKinds } from './origin/probe-file-copy.js';
import { REDUNDANCY_STRATEGIES } from '../metrics/index.js';
import { planRedundancy, validatePolicy } from './planner/index.js';
import { createPolicyService } from './policy/policy-service.js';
import { validateApiPolicy } from './policy/api-policy-body.js';
import { createMirrorProgress } from './console/mirror-progress.js';
import { createPrismaConsoleStore } from './console/console-store.js';
import { dryRunPolicy } from './console/policy-dry-run.js';
import { createPrismaPolicyStore } from './policy/policy-store.js';

export type RedundancyJobKinds = MirrorJobKinds & ProbeJobKinds & FileProbeJobKinds;

const COPY_STATE_METRIC: Record<string, 'pending' | 'downloading' | 'active' | 'failed'> = { planned: 'pending', downloading: 'downloading', active: 'active', failed: 'failed' };

/**
 * Builds both sides of redundancy for one instance: the mirror side (planner → engine → mirror
 * jobs → CacheFile announcements) and the origin side (inbound CacheFiles, probes, expiry).
 * Registers its job kinds on `jobs` and its CacheFile handlers on `inbox`.
 */
export function createRedundancy(deps: {
  config: InstanceConfig;
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  metrics: Metrics;
  fetcher: Pick<SafeFetcher, 'fetch'>;
  resolver: RemoteActorResolver;
  follows: FollowService;
  sender: ActivitySender;
  /** the instance's job queue: redundancy registers its kinds (mirror, probes) */
  jobs: JobQueue<RedundancyJobKinds>;
  /** the inbox's table: redundancy registers the origin side's CacheFile handlers */
  inbox: InboxDispatcher;
  /** bytes downloaded to build a copy (seeding ratios) */
  recordDownload(input: { videoUuid: string; originHost: string; bytes: number }): void;
  /** where our own HLS files are, to probe mirrors against our hashes */
  hlsDir(uuid: string): string;
  /** where our own web video files are, to probe mirrors' web-video copies against them */
  webVideoPath(filename: string): string;
  onCopiesChanged?(): Promise<unknown>;
  /** fetches a remote video object from its origin again (the remote import path) */
  refetchVideo?(videoId: number): Promise<'refreshed' | 'deleted' | 'unchanged' | 'failed'>;
  /** tests only: how the mirror downloader resolves host names (see InstanceOptions.lookup) */
  lookup?: LookupAddresses;
  /** object storage (null: disabled): our copies are committed to its `redundancy` bucket */
  objectStorage?: ObjectStorage | null;
}) {
  const { config, prisma, clock, logger, urls, jobs } = deps;
  const validated = validatePolicy(config.redundancy.videos, { minLifetimeFloorMs: config.redundancy.min_lifetime_floor });
  if (!validated.ok) throw new Error(`invalid redundancy policy: ${validated.errors.join('; ')}`);
  // the config file's policy until the admin API sets one (stored, versioned, loaded at start)
  const policyService = createPolicyService({
    store: createPrismaPolicyStore(prisma),
    clock,
    logger,
    configPolicy: validated.policy,
    validate: (input) => validatePolicy(input, { minLifetimeFloorMs: config.redundancy.min_lifetime_floor }),
  });

  const redundancyDir = config.storage.redundancy;
  const tmpDir = join(config.storage.tmp, 'mirror');
  const downloader = createHttpDownloader({
    allowPrivateAddresses: config.federation.allow_private_addresses,
    concurrency: config.redundancy.mirror.concurrency,
    bytesPerSecond: config.redundancy.mirror.bandwidth,
    timeoutMs: config.redundancy.mirror.timeout,
    clock,
    userAgent: `mirrortube (+${urls.base})`,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  const announceList = buildAnnounceList(buildTrackerUrls(urls.base));

  /** copy folders of remote lives being relayed (registered by live/relay/): the orphan sweep leaves them */
  const liveRelayFolders = new Set<string>();

  // the console's live view of the copies being written (bytes, speed, ETA), per video uuid
  const progress = createMirrorProgress(clock);
  const localMirror: MirrorPort = {
    async copy(input) {
      let bytes = 0;
      let expected: number | undefined;
      progress.start(input.uuid);
      const result = await mirrorHlsCopy({
        source: { playlistUrl: input.playlistUrl, segmentsSha256Url: input.segmentsSha256Url, torrentUrls: input.torrentUrls },
        uuid: input.uuid,
        layout: { redundancyDir, tmpDir },
        downloader,
        signal: input.signal,
        resume: true,
        ...(input.reuse ? { reuseFrom: join(redundancyDir, 'hls', input.uuid) } : {}),
        maxBytes: config.redundancy.mirror.max_copy_size,
        torrents: { ourBaseUrl: urls.base, announceList, clock },
        onBytes: (n) => {
          bytes += n;
          progress.bytes(input.uuid, n);
          if (expected) input.onProgress?.(Math.min(99, (bytes / expected) * 100));
        },
        onProgress: (p) => {
          progress.update(input.uuid, p);
          if (p.bytesExpected !== undefined) expected = p.bytesExpected;
        },
      }).finally(() => progress.finish(input.uuid));
      if (bytes > 0) deps.recordDownload({ videoUuid: input.uuid, originHost: new URL(input.playlistUrl).host, bytes });
      return result.ok ? { ok: true, totalBytes: result.copy.totalBytes } : { ok: false, reason: result.reason };
    },
    async verify(uuid) {
      const r = await verifyStoredCopy(join(redundancyDir, 'hls', uuid));
      return r.ok ? { ok: true } : { ok: false, message: JSON.stringify(r.reason) };
    },
    // the copy and whatever of it is still being assembled (work folders, parked swaps)
    remove: (uuid) => removeCopyFiles({ redundancyDir, tmpDir, uuid }),
    async cleanup(keep, inProgress) {
      // folders of lives being relayed (live/relay/) are not copies the database knows
      await cleanupOrphans({ redundancyDir, tmpDir, keep: new Set([...keep, ...liveRelayFolders]), inProgress });
    },
  };

  // object storage: copies are made on disk, then staged, committed and served from the bucket
  const mirror = deps.objectStorage ? objectStorageMirror(localMirror, deps.objectStorage, { redundancyDir }) : localMirror;

  const engine = createRedundancyEngine({
    copies: createPrismaCopyStore(prisma),
    catalogue: createPrismaCatalogueStore(prisma),
    transactor: createTransactor(prisma),
    clock,
    logger,
    urls,
    get policy() {
      return policyService.current();
    },
    trendingIntervalDays: config.trending.videos.interval_days,
    retryFailedAfterMs: config.redundancy.mirror.retry_failed_after,
    evictionGraceMs: config.redundancy.eviction_grace,
    plan: planRedundancy,
    mirror,
    sender: deps.sender,
    enqueueMirror: async (redundancyId, options) => {
      await jobs.enqueue(MIRROR_JOB, { redundancyId, ...(options?.refresh ? { refresh: true } : {}) }, { dedupeKey: `mirror-${redundancyId}` });
      jobs.wake(MIRROR_JOB);
    },
    cancelMirror: async (redundancyId) => {
      await jobs.cancelRunning(MIRROR_JOB, `mirror-${redundancyId}`);
    },
    metrics: {
      copies: (byState) => {
        const counts: Record<string, number> = {};
        for (const [state, n] of Object.entries(byState)) {
          const key = COPY_STATE_METRIC[state];
          if (key) counts[key] = (counts[key] ?? 0) + n;
        }
        deps.metrics.redundancy.setCopies(counts);
      },
      usage: (budget, used, limit) => {
        if ((REDUNDANCY_STRATEGIES as readonly string[]).includes(budget)) deps.metrics.redundancy.setBudget(budget as (typeof REDUNDANCY_STRATEGIES)[number], used, limit);
      },
      usageComplete: (usage) => deps.metrics.redundancy.setHostBudgets(usage.filter((u) => u.budget.startsWith('host:'))),
      failure: (stage) => deps.metrics.redundancy.failure(stage),
      downloaded: () => {},
    },
    ...(deps.onCopiesChanged ? { onCopiesChanged: deps.onCopiesChanged } : {}),
    ...(deps.refetchVideo ? { refetchVideo: deps.refetchVideo } : {}),
  });

  const activeCopies = createPrismaActiveCopiesStore(prisma);
  const remoteCopies = createPrismaRemoteCopyStore(prisma);
  const originHealth = createOriginHealth({ store: activeCopies, clock, logger, fetcher: deps.fetcher });

  const prober = createCopyProber({
    store: remoteCopies,
    clock,
    logger,
    fetcher: deps.fetcher,
    readLocalSha256: async (uuid) => {
      const sha256Filename = await remoteCopies.localSegmentsSha256Filename(uuid);
      if (sha256Filename === null) return null;
      try {
        return JSON.parse(await readFile(join(deps.hlsDir(uuid), sha256Filename), 'utf8')) as Record<string, Record<string, string>>;
      } catch {
        // moved to object storage (mirrored videos are public: their keys are `<uuid>/<file>`)
        const body = deps.objectStorage ? await readObject(deps.objectStorage, 'streaming_playlists', deps.objectStorage.hlsKey(uuid, sha256Filename)) : null;
        return body ? (JSON.parse(body.toString('utf8')) as Record<string, Record<string, string>>) : null;
      }
    },
  });

  const fileCopies = createFileCopyStore(prisma);
  const fileProber = createFileCopyProber({
    store: fileCopies,
    clock,
    logger,
    fetcher: deps.fetcher,
    readLocalRange: async (filename, start, end) => {
      const handle = await open(deps.webVideoPath(filename), 'r').catch(() => null);
      if (!handle) return deps.objectStorage ? readObject(deps.objectStorage, 'web_videos', deps.objectStorage.webVideoKey(filename), { start, end }) : null;
      try {
        const buffer = Buffer.alloc(end - start + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  });

  const originHandlers = createCacheFileHandlers({
    store: remoteCopies,
    clock,
    logger,
    resolver: deps.resolver,
    acceptFrom: config.remote_redundancy.videos.accept_from,
    followedHosts: () => deps.follows.followedHosts(),
    scheduleProbe: async (redundancyId) => {
      await jobs.enqueue(PROBE_JOB, { redundancyId }, { dedupeKey: `probe-${redundancyId}` });
      jobs.wake(PROBE_JOB);
    },
    fileCopies,
    scheduleFileProbe: async (fileRedundancyId) => {
      await jobs.enqueue(FILE_PROBE_JOB, { fileRedundancyId }, { dedupeKey: `probe-file-${fileRedundancyId}` });
      jobs.wake(FILE_PROBE_JOB);
    },
  });
  // inbound CacheFile activities reach the origin side
  deps.inbox.on('Create', 'CacheFile', originHandlers['Create:CacheFile']);
  deps.inbox.on('Update', 'CacheFile', originHandlers['Update:CacheFile']);
  deps.inbox.on('Undo', 'CacheFile', originHandlers['Undo:CacheFile']);
  jobs.register(MIRROR_JOB, engine.mirrorJob);
  jobs.register(PROBE_JOB, prober.job);
  jobs.register(FILE_PROBE_JOB, fileProber.job);

  const consoleStore = createPrismaConsoleStore(prisma);
  const validateForApi = (body: unknown) => validateApiPolicy(body, (input) => validatePolicy(input, { minLifetimeFloorMs: config.redundancy.min_lifetime_floor }));

  return {
    engine,
    prober,
    liveRelayFolders,
    /** the operator console's reads: copies with live progress, mirrors of our videos, the policy dry-run */
    console: {
      progress,
      store: consoleStore,
      dryRun: (body: unknown) => dryRunPolicy({ validate: validateForApi, snapshot: engine.snapshot, plan: planRedundancy, videoNames: consoleStore.videoNames }, body),
      /** the plan the next round would make with the policy in force (budgets used vs limits) */
      currentPlan: async () => planRedundancy(await engine.snapshot()),
    },
    get policy() {
      return policyService.current();
    },
    /** GET /server/redundancy/policy: the policy in force and where it comes from (config or api, version) */
    serializedPolicy: () => policyService.describe(),
    /** at start-up, before the first tick: the newest policy set through the API, if any */
    loadPolicy: () => policyService.load(),
    /** after the jobs stopped: closes the mirror downloader's idle kept-alive connections */
    close: () => downloader.close(),
    originHealth,
    /** failover: our copy's base URL when we hold one and the video's origin is down */
    playFrom(video: { url: string; isLocal: boolean; redundancies: { fileUrl: string }[] }): string | undefined {
      if (video.isLocal || !originHealth.isDown(new URL(video.url).host)) return undefined;
      return video.redundancies.find((r) => r.fileUrl.startsWith(urls.redundancyHlsPrefix))?.fileUrl;
    },
    /** PeerTube's `videosRedundancy` of GET /api/v1/server/stats: one entry per strategy, plus manual. */
    async stats() {
      const rows = await activeCopies.activeCopies();
      const policy = policyService.current();
      const budgets = [...policy.strategies.map((s) => ({ strategy: s.strategy as string, size: s.sizeBytes })), ...policy.hosts.map((h) => ({ strategy: `host:${h.host}`, size: h.sizeBytes })), { strategy: 'manual', size: 0 }];
      return budgets.map((b) => {
        const mine = rows.filter((r) => (r.strategy ?? 'manual') === b.strategy);
        return {
          strategy: b.strategy,
          totalSize: b.size,
          totalUsed: mine.reduce((n, r) => n + r.sizeBytes, 0),
          totalVideoFiles: mine.reduce((n, r) => n + r.fileCount, 0),
          totalVideos: mine.length,
        };
      });
    },
    /** Replaces the policy (admin endpoint): stored as a new version; refused with messages that name the field. */
    setPolicy: (input: unknown, setBy: string | null = null) => policyService.set(input, setBy),
    /** periodic ticks: plan, verify our copies, probe mirrors of our videos, drop expired remote copies */
    ticks: {
      plan: () => engine.tick(),
      originHealth: async () => {
        const counts = await originHealth.check();
        deps.metrics.redundancy.setOrigins(counts.up, counts.down);
        return counts;
      },
      verify: () => engine.verifyCopies(),
      probe: async () => {
        const olderThan = new Date(clock.now().getTime() - config.remote_redundancy.videos.probe_interval);
        const due = await prober.dueForProbe(olderThan);
        for (const id of due) await prober.probe(id);
        const expiredFiles = await fileProber.tick(olderThan);
        return (await prober.removeExpired()) + expiredFiles;
      },
    },
  };
}

export type Redundancy = ReturnType<typeof createRedundancy>;

/** An object's bytes (a range of them), null when absent. */
async function readObject(objects: ObjectStorage, kind: BucketKind, key: string, range?: { start: number; end: number }): Promise<Buffer | null> {
  const body = await objects.store.read(kind, key, range).catch(() => null);
  if (!body) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
