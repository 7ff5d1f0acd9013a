import { join } from 'node:path';
import type { Prisma } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { createTorrentFile } from './create-torrent-file.js';
import type { SeedableFileSource } from './seedable-files.js';
import { createPrismaSeedableFileStore } from './seedable-file-store.js';
import { createSeedingService, type SeedingSettings } from './seeding-service.js';
import type { SeederOptions, SeederStats } from './seeder.js';
import type { SharedFileBlocks } from './shared-file-blocks.js';
import { trackerAdmission } from './tracker-admission.js';
import { createTrackerInfohashStore } from './tracker-infohash-store.js';
import { buildAnnounceList, buildTrackerUrls } from './tracker-urls.js';
import { createTracker, type Tracker, type TrackerOptions, type TrackerStats } from './tracker.js';

/** Where the tracker and the seeder report (the instance's p2p metrics). */
export interface P2pObserver {
  setSeederSource(source: () => SeederStats): void;
  setTrackerSource(source: () => TrackerStats): void;
  announce: NonNullable<TrackerOptions['onAnnounce']>;
  refused(): void;
}

/**
 * The p2p area: the torrents our files get (announcing our tracker), the server-side seeder of our
 * files and of the other areas' sources (mirrored copies), and the tracker (tracker.enabled).
 */
export function createP2p(deps: {
  /** the instance's `seeding` and `tracker` settings */
  config: { seeding: SeedingSettings; tracker: { enabled: boolean; private: boolean } };
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  /** where our files are (the videos area's storage layout) */
  layout: { webVideo(filename: string): string; hlsDir(uuid: string): string; torrent(filename: string): string };
  /** the static server's cache of hot file blocks, which the seeder reads too */
  sharedBlocks: SharedFileBlocks;
  /** other sources of files to seed (the redundancy area's mirrored copies) */
  extraSources: SeedableFileSource[];
  /** bytes the seeder sent (transfer accounting) */
  onUpload: SeederOptions['onUpload'];
  observe: P2pObserver;
}) {
  const { config, prisma, clock, logger, urls, layout, observe } = deps;
  const trackerUrls = buildTrackerUrls(urls.base);
  const torrents = {
    create: ({ filePath, name, urlList }: { filePath: string; name: string; urlList: string[] }) =>
      createTorrentFile({ filePath, name, urlList, announceList: buildAnnounceList(trackerUrls) }),
  };
  const seeding = createSeedingService({
    settings: config.seeding,
    sharedBlocks: deps.sharedBlocks,
    files: createPrismaSeedableFileStore(prisma),
    paths: { webVideo: layout.webVideo, hlsFile: (uuid, filename) => join(layout.hlsDir(uuid), filename), torrent: layout.torrent },
    ownHost: urls.host,
    clock,
    logger,
    onUpload: deps.onUpload,
    extraSources: deps.extraSources,
  });
  if (seeding.seeder) observe.setSeederSource(() => seeding.seeder!.stats());
  const tracker: Tracker | null = config.tracker.enabled
    ? createTracker({
        private: config.tracker.private,
        isAllowedInfoHash: trackerAdmission({ store: createTrackerInfohashStore(prisma), isSeeding: (infoHash) => seeding.isSeeding(infoHash) }),
        logger: logger.child({ component: 'tracker' }),
        onAnnounce: (protocol, event) => observe.announce(protocol, event),
        onRefused: () => observe.refused(),
      })
    : null;
  if (tracker) observe.setTrackerSource(() => tracker.stats());
  return { torrents, seeding, tracker };
}
