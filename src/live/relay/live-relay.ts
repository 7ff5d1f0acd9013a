import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivitySender } from '../../federation/follows/follows.js';
import { activityIds, buildCreate, buildHlsCacheFile, buildUndo, directAudience, withContext } from '../../federation/vocab/index.js';
import type { Clock } from '../../lib/clock.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Logger } from '../../lib/logger.js';
import type { VideoFilterFields } from '../../redundancy/engine-ports.js';
import { compileFilter, type Candidate, type HostRule, type Policy } from '../../redundancy/planner/index.js';
import type { HotFiles } from '../live-ports.js';
import { bandwidthRefusal, masterBandwidthBytes } from './relay-budget.js';
import type { RelayJournal } from './relay-journal.js';
import { usableAlternates } from './relay-sources.js';
import { createRelayTask, type RelayEnd, type RelayFetcher, type RelayTask } from './relay-task.js';

/** A remote live being published at a followed, redundancy-allowed origin (with what a host rule's include/exclude filters look at). */
export interface RelayableLive extends VideoFilterFields {
  videoId: number;
  uuid: string;
  /** the video's object id */
  url: string;
  host: string;
  playlistUrl: string;
  segmentsSha256Url: string;
  /** the video's account (the CacheFile is addressed to it) */
  accountUrl: string;
  /** where the announcements go */
  originInbox: string;
  /**
   * other instances' relays of this live (base URLs) the origin listed (their CacheFile forwarded
   * by the origin): where segments come from when the origin fails to serve one, and everything
   * when the origin stays unreachable
   */
  otherRelays: string[];
}

export interface RelayStore {
  ourActor(): Promise<{ id: number; url: string }>;
  /** remote lives in state 1 (published), public, of hosts we follow (accepted) and allow redundancy from */
  runningRemoteLives(): Promise<RelayableLive[]>;
}

/** What the relays report (metrics). */
export interface LiveRelayObserver {
  segment(bytes: number, lagMs: number): void;
  mismatch(): void;
  relays(count: number): void;
  /** how many relays pull from the origin, and from another relay, now */
  sources?(counts: { origin: number; relay: number }): void;
}

interface Running {
  live: RelayableLive;
  task: RelayTask;
  startedAt: Date;
  /** the Create we sent (null until the relay serves something) */
  create: Record<string, unknown> | null;
  announcing: Promise<void> | null;
  stopping: Promise<void> | null;
  /** bytes per second it pulls (its master's BANDWIDTH), known when its rule has a budget */
  bandwidth: number;
  /** where it pulls from now */
  source: 'origin' | 'relay';
}

/** A live the policy relays but a budget does not let start (the console shows them). */
export interface RefusedRelay {
  uuid: string;
  host: string;
  reason: string;
  since: Date;
}

/** Does the policy relay this host's lives? (a host rule with `live: true`) */
export const relaysLivesOf = (policy: Policy, host: string): boolean => policy.hosts.some((r) => r.host === host.toLowerCase() && r.live === true);

/**
 * Does the policy relay this live? Its host's rule has `live: true` and its include/exclude
 * filters pass (channels, accounts, tags, languages, licences, categories; the size and duration
 * bounds say nothing of a running live and are left out).
 */
export function relaysLive(policy: Policy, live: RelayableLive): boolean {
  const rule = policy.hosts.find((r) => r.host === live.host.toLowerCase() && r.live === true);
  if (!rule) return false;
  const forLives: HostRule = { ...rule, include: { ...rule.include, maxSizeBytes: null, minDurationSeconds: null, maxDurationSeconds: null } };
  const candidate = {
    ...live,
    sizeBytes: 0,
    durationSeconds: 0,
    publishedAt: 0,
    views: 0,
    viewsInInterval: 0,
    isLive: true,
    privacy: 1,
    hasHls: true,
    knownHealthyMirrors: 0,
    published: true,
  } satisfies Candidate;
  return compileFilter(forLives, `hosts (${rule.host})`).passes(candidate);
}

/**
 * Live relay by a mirror: every remote live of a followed origin whose host rule has `live: true`
 * is pulled segment by segment (relay-task.ts) into `<redundancy>/hls/<uuid>/`, announced to its
 * origin with `Create CacheFile` (marked `isLiveRelay`) once it serves something, and withdrawn
 * (`Undo`, files deleted) when the live ends: the origin's Update leaves state 1, the playlists end,
 * the origin stops answering, or the rule no longer allows it.
 */
export function createLiveRelay(deps: {
  store: RelayStore;
  fetcher: RelayFetcher;
  sender: ActivitySender;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  policy(): Policy;
  /** `<storage.redundancy>` */
  redundancyDir: string;
  /** the redundancy engine's orphan sweep leaves these copy folders alone */
  protectedFolders: Set<string>;
  /** how often the running remote lives are looked up */
  discoverMs: number;
  unreachableMs: number;
  maxFileBytes: number;
  /** relays announced and not yet withdrawn (a run that crashed withdraws them at the next start) */
  journal: RelayJournal;
  observe?: LiveRelayObserver;
  /** viewers of relayed lives are answered from memory (playlists, hot segments) */
  hot?: HotFiles;
}) {
  const log = deps.logger.child({ component: 'live-relay' });
  const running = new Map<string, Running>();
  /** lives whose relay ended on its own while the origin still lists them as live: not restarted until they leave state 1 */
  const finished = new Set<string>();
  /** lives a budget keeps from starting, by uuid */
  const refused = new Map<string, RefusedRelay>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let stopped = false;

  const dirOf = (uuid: string) => join(deps.redundancyDir, 'hls', uuid);
  const reportSources = () => {
    const all = [...running.values()];
    deps.observe?.sources?.({ origin: all.filter((e) => e.source === 'origin').length, relay: all.filter((e) => e.source === 'relay').length });
  };

  // the journal is written one change at a time, from the relays announced now
  let journalWrites: Promise<void> = Promise.resolve();
  function saveJournal(): Promise<void> {
    const entries = [...running.values()].flatMap((e) => (e.create ? [{ uuid: e.live.uuid, originInbox: e.live.originInbox, create: e.create }] : []));
    journalWrites = journalWrites.then(() => deps.journal.save(entries)).catch((err: unknown) => log.warn({ err }, 'cannot write the live relay journal'));
    return journalWrites;
  }

  async function sendUndo(create: Record<string, unknown>, originInbox: string): Promise<void> {
    const me = await deps.store.ourActor();
    const { to, cc } = create as { to: string[]; cc: string[] };
    const undo = buildUndo({ actor: me.url, object: create, audience: { to, cc } });
    await deps.sender.send(withContext(undo, 'CacheFile'), { signerActorId: me.id, inboxes: [originInbox] });
  }

  async function announce(entry: Running): Promise<void> {
    const me = await deps.store.ourActor();
    const { live } = entry;
    const cacheFile = buildHlsCacheFile({
      id: activityIds.hlsCacheFile(deps.urls.base, live.uuid),
      videoUrl: live.url,
      expires: null,
      baseUrl: deps.urls.redundancyHls(live.uuid),
      audience: directAudience(live.accountUrl),
      liveRelay: true,
    });
    const { to, cc, ...object } = cacheFile;
    // an id per relay session: a live relayed again (a permanent live's next session) is announced anew
    const create = buildCreate({ id: `${activityIds.create(cacheFile.id)}/live-${entry.startedAt.getTime()}`, actor: me.url, object: { ...object, to, cc }, audience: { to, cc } });
    entry.create = create;
    // remembered before it is sent: a crash between the two sends an Undo of a Create the origin never saw, which is harmless
    await saveJournal();
    await deps.sender.send(withContext(create, 'CacheFile'), { signerActorId: me.id, inboxes: [live.originInbox] });
    log.info({ video: live.uuid, origin: live.host }, 'live relay announced');
  }

  function stopRelay(uuid: string, why: string): Promise<void> {
    const entry = running.get(uuid);
    if (!entry) return Promise.resolve();
    entry.stopping ??= (async () => {
      await entry.task.stop();
      await entry.announcing;
      let withdrawn = true;
      if (entry.create) {
        withdrawn = await sendUndo(entry.create, entry.live.originInbox).then(
          () => true,
          (err: unknown) => {
            log.warn({ err, video: uuid }, 'cannot withdraw the live relay (retried at the next start)');
            return false;
          },
        );
      }
      await rm(dirOf(uuid), { recursive: true, force: true });
      deps.protectedFolders.delete(uuid);
      running.delete(uuid);
      if (withdrawn) await saveJournal();
      deps.observe?.relays(running.size);
      reportSources();
      log.info({ video: uuid, why }, 'live relay stopped');
    })();
    return entry.stopping;
  }

  function startRelay(live: RelayableLive, bandwidth: number): void {
    refused.delete(live.uuid);
    deps.protectedFolders.add(live.uuid);
    const entry: Running = { live, startedAt: deps.clock.now(), create: null, announcing: null, stopping: null, bandwidth, source: 'origin', task: null as unknown as RelayTask };
    entry.task = createRelayTask({
      uuid: live.uuid,
      masterUrl: live.playlistUrl,
      segmentsSha256Url: live.segmentsSha256Url,
      dir: dirOf(live.uuid),
      fetcher: deps.fetcher,
      clock: deps.clock,
      logger: deps.logger,
      unreachableMs: deps.unreachableMs,
      maxFileBytes: deps.maxFileBytes,
      ...(deps.hot ? { hot: deps.hot } : {}),
      // never itself: its own copy is not a source (and its own URL may be listed by the origin)
      alternates: () => usableAlternates(entry.live.otherRelays, [deps.urls.redundancyHlsPrefix]),
      observe: {
        ready: () => {
          entry.announcing = announce(entry).catch((err: unknown) => log.warn({ err, video: live.uuid }, 'cannot announce the live relay'));
        },
        segment: (bytes, lagMs) => deps.observe?.segment(bytes, lagMs),
        mismatch: () => deps.observe?.mismatch(),
        source: (from) => {
          entry.source = from;
          reportSources();
        },
        end: (reason: RelayEnd, message: string) => {
          finished.add(live.uuid);
          log.info({ video: live.uuid, reason, message }, 'live relay ends');
          void stopRelay(live.uuid, reason);
        },
      },
    });
    running.set(live.uuid, entry);
    deps.observe?.relays(running.size);
    reportSources();
    log.info({ video: live.uuid, origin: live.host }, 'live relay starts');
    entry.task.start();
  }

  async function tickOnce(): Promise<void> {
    const policy = deps.policy();
    const lives = (await deps.store.runningRemoteLives()).filter((l) => relaysLive(policy, l));
    const wanted = new Map(lives.map((l) => [l.uuid, l]));
    for (const uuid of [...finished]) if (!wanted.has(uuid)) finished.delete(uuid);
    for (const uuid of running.keys()) if (!wanted.has(uuid)) void stopRelay(uuid, 'the origin no longer lists it as live (or the policy no longer allows it)');
    for (const uuid of [...refused.keys()]) if (!wanted.has(uuid)) refused.delete(uuid);
    for (const live of lives) {
      const entry = running.get(live.uuid);
      if (entry) entry.live = live; // the other relays known now
      else if (!finished.has(live.uuid) && !stopped) {
        const bandwidth = await withinBudget(policy, live);
        if (bandwidth !== null && !stopped && !running.has(live.uuid)) startRelay(live, bandwidth);
      }
    }
  }

  /**
   * The bandwidth a live would take when its rule's `live_bandwidth` budget lets it start (0 when
   * the rule has none); null when it does not (the reason logged once and kept for the console),
   * or when its master playlist cannot be read now (next round).
   */
  async function withinBudget(policy: Policy, live: RelayableLive): Promise<number | null> {
    const rule = policy.hosts.find((r) => r.host === live.host.toLowerCase() && r.live === true);
    if (rule?.liveBandwidthBytes === undefined) return 0;
    const master = await deps.fetcher.fetch(live.playlistUrl, { maxBytes: 1024 * 1024, timeoutMs: 10_000, bypassNegativeCache: true, maxRedirects: 0 });
    if (!master.ok || master.status !== 200) return null;
    const need = masterBandwidthBytes(master.body.toString('utf8'));
    const used = [...running.values()].filter((e) => e.live.host.toLowerCase() === rule.host).reduce((sum, e) => sum + e.bandwidth, 0);
    const reason = bandwidthRefusal(rule, need, used);
    if (reason === null) return need ?? 0;
    if (refused.get(live.uuid)?.reason !== reason) {
      log.info({ video: live.uuid, origin: live.host, reason }, 'live relay not started: over the bandwidth budget');
      refused.set(live.uuid, { uuid: live.uuid, host: live.host, reason, since: refused.get(live.uuid)?.since ?? deps.clock.now() });
    }
    return null;
  }

  /** One discovery round (the timer's, or a caller's: an Update of a remote live came in). */
  function tick(): Promise<void> {
    ticking ??= tickOnce()
      .catch((err: unknown) => log.warn({ err }, 'live relay discovery failed'))
      .finally(() => {
        ticking = null;
      });
    return ticking;
  }

  return {
    tick,
    /** uuids relayed now */
    relayed: (): string[] => [...running.keys()],
    /** the remote lives relayed now (their local video id) */
    relayedLives: (): Array<{ videoId: number; uuid: string }> => [...running.values()].map((r) => ({ videoId: r.live.videoId, uuid: r.live.uuid })),
    /** the lives relayed now with their bandwidth, and those a budget keeps from starting (the console) */
    budgets: () => ({
      relayed: [...running.values()].map((e) => ({ uuid: e.live.uuid, host: e.live.host, bandwidthBytes: e.bandwidth, since: e.startedAt, source: e.source })),
      refused: [...refused.values()],
    }),
    /** the segments of a relayed live answered from memory now (tests) */
    hotSegments: (uuid: string): string[] => running.get(uuid)?.task.hot() ?? [],
    /** Withdraws the relays a previous run announced and did not withdraw (it crashed), then starts discovering. */
    async start(): Promise<void> {
      stopped = false;
      const left = await deps.journal.load();
      for (const relay of left) {
        await sendUndo(relay.create, relay.originInbox);
        await rm(dirOf(relay.uuid), { recursive: true, force: true });
        log.info({ video: relay.uuid }, 'live relay of a previous run withdrawn');
      }
      if (left.length > 0) await deps.journal.save([]);
      timer = setInterval(() => void tick(), deps.discoverMs);
      timer.unref();
    },
    /** Stops every relay: withdrawn (Undo queued durably) and deleted, as when its live ends. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
      await Promise.all([...running.keys()].map((uuid) => stopRelay(uuid, 'the instance stops')));
    },
  };
}

export type LiveRelay = ReturnType<typeof createLiveRelay>;
