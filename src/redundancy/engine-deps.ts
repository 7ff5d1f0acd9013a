import type { ActivitySender } from '../federation/follows/follows.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { Transactor } from '../lib/tx.js';
import type { CopyStore, MirrorCatalogue } from './engine-ports.js';
import type { CopyOutcome } from './mirror-attempt.js';
import type { Plan, PlanSnapshot, Policy } from './planner/index.js';

export const MIRROR_JOB = 'videos-redundancy-mirror';
/** `refresh`: bring an active copy up to date with its origin's files (then Update CacheFile) */
export type MirrorJobKinds = { [MIRROR_JOB]: { redundancyId: number; refresh?: boolean } };

/** What the engine needs from the mirror module (download, verify, remove copies on disk). */
export interface MirrorPort {
  /** `reuse`: media files of the current copy that still verify are not downloaded again; `notFound`: the origin answered 404 */
  copy(input: { uuid: string; playlistUrl: string; segmentsSha256Url: string; torrentUrls: Record<string, string>; signal: AbortSignal; reuse?: boolean; onProgress?(percent: number): void }): Promise<CopyOutcome>;
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

export interface RedundancyEngineDeps {
  /** our copies */
  copies: CopyStore;
  /** the remote catalogue, the hosts we may mirror, our actor */
  catalogue: MirrorCatalogue;
  /** a copy's state change and its announcement commit together */
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  /** read at each round (a getter: the admin API may replace it) */
  readonly policy: Policy;
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
}

/** What the engine's phases share: its dependencies and its logger. */
export interface EngineContext {
  deps: RedundancyEngineDeps;
  log: Logger;
}
