import type { InstanceConfig } from '../../config/index.js';
import type { Prisma } from '../../db/index.js';
import type { ActivitySender } from '../../federation/follows/follows.js';
import type { Clock } from '../../lib/clock.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Logger } from '../../lib/logger.js';
import type { Registry } from 'prom-client';
import { defineLiveAudienceMetrics, defineLiveRelayMetrics, type PlaybackMetrics } from '../../metrics/index.js';
import type { Policy } from '../../redundancy/planner/index.js';
import { join } from 'node:path';
import type { Live } from '../create-live.js';
import { createLiveRelay } from './live-relay.js';
import { fileRelayJournal } from './relay-journal.js';
import type { RelayFetcher } from './relay-task.js';
import { createPrismaRelayStore } from './relay-store.js';

/**
 * The live relay of a mirror (see live-relay.ts): built after federation (fetcher, sender) and
 * redundancy (policy, the copy folders its orphan sweep must leave alone). Once both sides of the
 * live area exist, it defines the live audience metrics over them (our lives and relayed ones).
 */
export function createLiveRelayArea(deps: {
  config: InstanceConfig;
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  fetcher: RelayFetcher;
  sender: ActivitySender;
  redundancy: { readonly policy: Policy; liveRelayFolders: Set<string> };
  /** the instance's metrics registry (the relay metrics are defined on it) */
  registry: Registry;
  /** the live area (origin side): its memory files answer relayed playlists and hot segments too */
  live: Pick<Live, 'runtime' | 'memoryFiles'>;
  /** viewers watching now (views area) and players reporting (playback metrics), for the live audience metrics */
  audience: { viewersOf: (videoId: number) => number; playback: PlaybackMetrics };
}) {
  const { clock, live } = deps;
  const relay = deps.config.live.relay;
  const liveRelay = createLiveRelay({
    store: createPrismaRelayStore(deps.prisma),
    fetcher: deps.fetcher,
    sender: deps.sender,
    clock: deps.clock,
    logger: deps.logger,
    urls: deps.urls,
    policy: () => deps.redundancy.policy,
    redundancyDir: deps.config.storage.redundancy,
    protectedFolders: deps.redundancy.liveRelayFolders,
    discoverMs: relay.discover_interval,
    unreachableMs: relay.unreachable_timeout,
    maxFileBytes: relay.max_file_size,
    journal: fileRelayJournal(join(deps.config.storage.redundancy, 'live-relays.json')),
    observe: defineLiveRelayMetrics(deps.registry),
    hot: live.memoryFiles,
  });
  // live viewers (views and player reports) per running live, ours and relayed, and the bytes served of lives
  const { playback } = deps.audience;
  defineLiveAudienceMetrics(deps.registry, {
    lives: () => [...live.runtime.runningLives().map((l) => ({ ...l, kind: 'origin' as const })), ...liveRelay.relayedLives().map((l) => ({ ...l, kind: 'relay' as const }))],
    views: (videoId) => deps.audience.viewersOf(videoId),
    players: (videoId) => {
      const now = clock.now().getTime();
      playback.expire(now);
      return playback.players(videoId, now);
    },
    sent: () => live.memoryFiles.sentTotals(),
  });
  return liveRelay;
}
