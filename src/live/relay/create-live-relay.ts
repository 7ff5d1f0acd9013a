import type { InstanceConfig } from '../../config/index.js';
import type { Prisma } from '../../db/index.js';
import type { ActivitySender } from '../../federation/follows/follows.js';
import type { Clock } from '../../lib/clock.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Logger } from '../../lib/logger.js';
import type { Registry } from 'prom-client';
import { defineLiveRelayMetrics } from '../../metrics/index.js';
import type { Policy } from '../../redundancy/planner/index.js';
import { join } from 'node:path';
import type { HotFiles } from '../live-ports.js';
import { createLiveRelay } from './live-relay.js';
import { fileRelayJournal } from './relay-journal.js';
import type { RelayFetcher } from './relay-task.js';
import { createPrismaRelayStore } from './relay-store.js';

/**
 * The live relay of a mirror (see live-relay.ts): built after federation (fetcher, sender) and
 * redundancy (policy, the copy folders its orphan sweep must leave alone).
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
  /** the live area's memory files (relayed playlists and hot segments are answered from them) */
  hot?: HotFiles;
}) {
  const relay = deps.config.live.relay;
  return createLiveRelay({
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
    ...(deps.hot ? { hot: deps.hot } : {}),
  });
}
