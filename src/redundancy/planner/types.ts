/**
 * Plain data the redundancy planner reads and returns. Every instant is epoch milliseconds
 * (the caller converts Dates once), every size is bytes, every video duration is seconds.
 */

/** PeerTube's three automatic strategies. */
export type StrategyName = 'most-views' | 'trending' | 'recently-added';
export const STRATEGY_NAMES: readonly StrategyName[] = ['most-views', 'trending', 'recently-added'];

/** How a candidate was ranked: one of PeerTube's strategies, or a host rule's "mirror everything". */
export type RankingName = StrategyName | 'mirror-all';

/** PeerTube's video privacy values (only PUBLIC videos are mirrored). */
export const PRIVACY_PUBLIC = 1;

/**
 * A remote video the planner may mirror: one row of the remote catalogue, with what the
 * strategies rank on and the rules filter on.
 */
export interface Candidate {
  readonly videoId: number;
  readonly uuid: string;
  /** ActivityPub id of the video. */
  readonly url: string;
  /** The origin instance's host (`tube.example`, or `tube.example:9000`). */
  readonly host: string;
  /** ActivityPub id of the channel (`https://tube.example/video-channels/films`). */
  readonly channelUrl: string;
  /** The channel's preferredUsername (`films`): lets rules say `films@tube.example`. */
  readonly channelName?: string;
  /** ActivityPub id of the owner account (`https://tube.example/accounts/alice`). */
  readonly accountUrl: string;
  /** The account's preferredUsername (`alice`). */
  readonly accountName?: string;
  readonly tags: readonly string[];
  /** Language code (`en`, `fr`), or null when the uploader set none. */
  readonly language: string | null;
  /** PeerTube licence id (1 = CC BY, ...), or null. */
  readonly licence: number | null;
  /** PeerTube category id, or null. */
  readonly category?: number | null;
  /** Total size of the HLS playlist's files: what a copy takes on disk (PeerTube counts the same). */
  readonly sizeBytes: number;
  readonly durationSeconds: number;
  /** epoch ms */
  readonly publishedAt: number;
  /** All-time views (most-views ranks on it; recently-added's min_views compares with it). */
  readonly views: number;
  /** Views over `trending.videos.interval_days`, computed by the caller from daily views. */
  readonly viewsInInterval: number;
  readonly isLive: boolean;
  /** PeerTube privacy: 1 public, 2 unlisted, 3 private, 4 internal, 5 password protected. */
  readonly privacy: number;
  /** Whether the origin publishes an HLS playlist (only HLS is mirrored, as in PeerTube). */
  readonly hasHls: boolean;
  /** Healthy copies other instances announce for this video (ours is not counted). */
  readonly knownHealthyMirrors: number;
  /**
   * The origin reports the video published (PeerTube state 1): a video still "to transcode",
   * "to import"... is not planned yet (its file set is not final); a kept copy stays.
   */
  readonly published: boolean;
  /** A digest of the origin's HLS file set (master URL, hashes URL, files); undefined: unknown. */
  readonly fileSet?: string;
}

/** `pending`: planned and downloading, not announced yet; `ready`: complete, announced, served. */
export type CopyState = 'pending' | 'ready';

/** One of our copies, as the database knows it. At most one copy per video. */
export interface CurrentCopy {
  readonly videoId: number;
  readonly host: string;
  /**
   * The budget the copy is charged to, as stored in the `strategy` column: `most-views`,
   * `trending`, `recently-added` (PeerTube's values), or `host:<host>` for a host rule.
   * Ignored for manual copies.
   */
  readonly budget: string;
  readonly sizeBytes: number;
  /** epoch ms */
  readonly createdAt: number;
  /** epoch ms; null for manual copies (they never expire). */
  readonly expiresAt: number | null;
  /** Created by an admin through the API: never expires, never evicted, never renewed. */
  readonly manual: boolean;
  readonly state: CopyState;
  /** `Candidate.fileSet` of the origin when the copy was made; null/undefined: unknown (never refreshed). */
  readonly fileSet?: string | null;
}

/** Filters a host rule applies: `null` lists mean "no constraint". */
export interface IncludeFilter {
  /** Channel URLs, or handles `name@host` (lower-cased). */
  readonly channels: readonly string[] | null;
  /** Account URLs, or handles `name@host` (lower-cased). */
  readonly accounts: readonly string[] | null;
  /** lower-cased */
  readonly tags: readonly string[] | null;
  /** lower-cased */
  readonly languages: readonly string[] | null;
  readonly licences: readonly number[] | null;
  readonly categories: readonly number[] | null;
  readonly maxSizeBytes: number | null;
  readonly minDurationSeconds: number | null;
  readonly maxDurationSeconds: number | null;
}

export interface ExcludeFilter {
  readonly channels: readonly string[];
  readonly accounts: readonly string[];
  readonly tags: readonly string[];
  readonly languages: readonly string[];
  readonly licences: readonly number[];
  readonly categories: readonly number[];
}

/** One of PeerTube's `redundancy.videos.strategies[]`: a budget of its own, named after the strategy. */
export interface GlobalStrategy {
  readonly strategy: StrategyName;
  readonly sizeBytes: number;
  readonly minLifetimeMs: number;
  /** recently-added only (0 elsewhere). */
  readonly minViews: number;
  /** Ours: order of budgets when a total cap makes them compete (higher first). */
  readonly priority: number;
}

export interface RuleStrategy {
  readonly strategy: StrategyName;
  /** recently-added only (0 elsewhere). */
  readonly minViews: number;
}

/** Ours: what to mirror from one followed host, in a budget of its own. */
export interface HostRule {
  /** lower-cased host, unique among rules */
  readonly host: string;
  readonly priority: number;
  readonly sizeBytes: number;
  readonly minLifetimeMs: number;
  /** true: rank every video of the host (newest first) instead of using `strategies`. */
  readonly mirrorAll: boolean;
  /** Ours: relay the host's lives (live/relay/); absent means false. */
  readonly live?: boolean;
  /**
   * Ours: bytes per second the rule's live relays may pull together (each live counted at the sum
   * of its master playlist's BANDWIDTH attributes); absent: no limit. A relay that would exceed it
   * is not started.
   */
  readonly liveBandwidthBytes?: number;
  /** Rankings sharing the rule's budget (empty when mirrorAll). */
  readonly strategies: readonly RuleStrategy[];
  readonly include: IncludeFilter;
  readonly exclude: ExcludeFilter;
}

/** The normalized `redundancy.videos` section: what `validatePolicy` returns. */
export interface Policy {
  readonly checkIntervalMs: number;
  /** Ours: videos with at least this many healthy known mirrors rank after the others. */
  readonly targetReplicas: number | null;
  /** Ours: a cap on the disk used by every copy together, manual ones included. */
  readonly totalSizeBytes: number | null;
  readonly strategies: readonly GlobalStrategy[];
  readonly hosts: readonly HostRule[];
}

/** Everything the planner looks at. */
export interface PlanSnapshot {
  /** epoch ms: the planner never reads the clock */
  readonly now: number;
  readonly policy: Policy;
  /** Remote videos (ours are not candidates). */
  readonly candidates: readonly Candidate[];
  readonly copies: readonly CurrentCopy[];
  /** Hosts whose `redundancyAllowed` is true (PeerTube's per-server switch). */
  readonly allowedHosts: readonly string[];
  /** `trending.videos.interval_days`, only used to word reasons. */
  readonly trendingIntervalDays?: number;
}

/**
 * A budget's id, stored in the copy's `strategy` column: `most-views`, `trending`, `recently-added`
 * for PeerTube's global strategies (PeerTube's own values), `host:<host>` for a host rule.
 */
export type BudgetId = string;

export type EvictCause =
  | 'not-in-catalogue'
  | 'not-public'
  | 'live'
  | 'no-hls'
  | 'host-disallowed'
  | 'host-has-rule'
  | 'filtered'
  | 'min-views'
  | 'budget-removed'
  | 'over-budget'
  | 'over-total'
  | 'replaced';

export type Decision =
  | {
      readonly type: 'add';
      readonly videoId: number;
      readonly uuid: string;
      readonly host: string;
      readonly budget: BudgetId;
      readonly strategy: RankingName;
      readonly sizeBytes: number;
      /** epoch ms: now + the budget's min_lifetime */
      readonly expiresAt: number;
      readonly reason: string;
    }
  | {
      readonly type: 'renew';
      readonly videoId: number;
      readonly budget: BudgetId;
      /** epoch ms: now + the budget's min_lifetime */
      readonly expiresAt: number;
      readonly reason: string;
    }
  | {
      /** the origin's files changed since the copy was made: bring it up to date (then Update CacheFile) */
      readonly type: 'refresh';
      readonly videoId: number;
      /** the copy's budget, or `manual` */
      readonly budget: BudgetId;
      readonly reason: string;
    }
  | {
      readonly type: 'evict';
      readonly videoId: number;
      readonly budget: BudgetId;
      readonly sizeBytes: number;
      readonly cause: EvictCause;
      readonly reason: string;
    };

export interface BudgetUsage {
  readonly budget: BudgetId;
  /** `strategy` for PeerTube's global strategies, `host` for host rules. */
  readonly kind: 'strategy' | 'host';
  /** bytes charged to the budget before the plan */
  readonly used: number;
  readonly limit: number;
  /** used − evicted + added: never above limit */
  readonly afterPlan: number;
}

export interface TotalUsage {
  /** every copy, manual and orphaned ones included */
  readonly used: number;
  readonly limit: number | null;
  readonly afterPlan: number;
  /** manual copies: counted here only */
  readonly manual: number;
}

export interface Plan {
  /** Evictions first, then renewals, refreshes, then additions best first (the order to execute them). */
  readonly decisions: readonly Decision[];
  /** One entry per budget of the policy, in planning order. */
  readonly usage: readonly BudgetUsage[];
  readonly total: TotalUsage;
  /** Things an admin should know (a rule for a host that does not allow redundancy, ...). */
  readonly notes: readonly string[];
}
