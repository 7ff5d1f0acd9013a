import type { Clock } from '../lib/clock.js';
import { createLocalSeedableFiles, type LocalFilePaths, type LocalSeedableFileStore, type SeedableFileSource } from './seedable-files.js';
import { createSeeder, type Seeder, type SeederConfig, type SeederLogger, type SeederOptions } from './seeder.js';
import type { SharedFileBlocks } from './shared-file-blocks.js';
import { createVideoSeeding } from './video-seeding.js';

/** `seeding.*` as the configuration file spells it. */
export interface SeedingSettings {
  enabled: boolean;
  port: number;
  utp: boolean;
  webrtc: boolean;
  ice_servers: string[];
  max_connections: number;
  max_connections_per_torrent: number;
  upload_limit: number;
}

export function seederConfigFrom(settings: SeedingSettings): SeederConfig {
  return {
    port: settings.port,
    utp: settings.utp,
    webrtc: settings.webrtc,
    iceServers: settings.ice_servers,
    maxConns: settings.max_connections,
    maxConnsPerTorrent: settings.max_connections_per_torrent,
    uploadLimit: settings.upload_limit,
  };
}

/**
 * Server-side seeding as the instance uses it: the seeder, our videos' files as its source (more
 * sources, such as mirrored copies, are passed in as `extraSources`), and the port the videos module calls after an
 * upload, a transcode or a deletion. When `seeding.enabled` is false everything is a no-op.
 */
export function createSeedingService(deps: {
  settings: SeedingSettings;
  /** our videos' files that have a torrent */
  files: LocalSeedableFileStore;
  paths: LocalFilePaths;
  ownHost: string;
  clock: Clock;
  logger: SeederLogger & { child(bindings: object): SeederLogger };
  onUpload: SeederOptions['onUpload'];
  /** the static file server's cache of hot file blocks, read by the seeder too */
  sharedBlocks?: SharedFileBlocks;
  /** other sources of files to seed: the redundancy area's mirrored copies (kind `mirror`) */
  extraSources?: SeedableFileSource[];
}) {
  const logger = deps.logger.child({ component: 'seeder' });
  const seeder: Seeder | null = deps.settings.enabled
    ? createSeeder({ config: seederConfigFrom(deps.settings), logger, clock: deps.clock, onUpload: deps.onUpload, ...(deps.sharedBlocks ? { sharedBlocks: deps.sharedBlocks } : {}) })
    : null;
  const seeding = seeder
    ? createVideoSeeding({
        seeder,
        sources: [
          createLocalSeedableFiles({ store: deps.files, paths: deps.paths, ownHost: deps.ownHost }),
          ...(deps.extraSources ?? []),
        ],
        logger,
      })
    : null;

  return {
    seeder,
    /** for the videos module (SeedingPort) */
    port: {
      syncVideo: async (videoUuid: string) => seeding?.syncVideo(videoUuid),
      unseedVideo: async (videoUuid: string) => seeding?.unseedVideo(videoUuid),
    },
    /**
     * Seeds new mirrored copies and stops seeding evicted ones (the instance runs it on a schedule;
     * the redundancy engine may also call it after a copy becomes active or before it is removed).
     */
    async syncCopies(): Promise<{ seeded: number; unseeded: number }> {
      return seeding ? seeding.syncKind('mirror') : { seeded: 0, unseeded: 0 };
    },
    /** Is this infohash one we seed? (our private tracker accepts it) */
    isSeeding(infoHash: string): boolean {
      return seeder?.isSeeding(infoHash) ?? false;
    },
    /** Adds a source of files to seed (the redundancy engine's copies: kind `mirror`, their origin host). */
    addSource(source: SeedableFileSource): void {
      seeding?.addSource(source);
    },
    /** Opens the seeder's listener and starts seeding every file in the background. Call after the HTTP server (our tracker) listens. */
    async start(): Promise<void> {
      if (!seeder || !seeding) return;
      await seeder.start();
      seeding.seedAllInBackground();
    },
    /** Resolves when the start-up seeding is done (tests). */
    async whenSeeded(): Promise<void> {
      await seeding?.whenSeeded();
    },
    async stop(): Promise<void> {
      await seeding?.stop();
      await seeder?.stop();
    },
  };
}

export type SeedingService = ReturnType<typeof createSeedingService>;
