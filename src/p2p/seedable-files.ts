import type { SeedKind } from './seeder.js';

/** A file that can be seeded: where it is, where its .torrent is, and whose bytes it carries. */
export interface SeedCandidate {
  path: string;
  torrentPath: string;
  infoHash: string;
  kind: SeedKind;
  originHost: string;
  videoUuid: string;
}

/** Where seedable files come from: our videos, our mirrored copies. */
export interface SeedableFileSource {
  /** what this source's files are */
  kind: SeedKind;
  /** Every file to seed at start-up, page by page. */
  all(): AsyncIterable<SeedCandidate>;
  /** The files one video has now (after an upload or a transcode). */
  ofVideo(videoUuid: string): Promise<SeedCandidate[]>;
}

/** Paths of stored files (the videos module's storage layout fits). */
export interface LocalFilePaths {
  webVideo(filename: string): string;
  hlsFile(videoUuid: string, filename: string): string;
  torrent(filename: string): string;
}

const PAGE = 200;

/** A file of one of our public or unlisted videos that has a torrent. */
export interface LocalSeedableFile {
  id: number;
  /** null when the file belongs to no video (never seeded) */
  videoUuid: string | null;
  filename: string;
  /** an HLS fragmented MP4 (else a web video) */
  isHls: boolean;
  infoHash: string | null;
  torrentFilename: string | null;
}

/** What the seeder's source of our videos' files reads. */
export interface LocalSeedableFileStore {
  /** up to `take` files with an id above `afterId`, by id */
  page(afterId: number | undefined, take: number): Promise<LocalSeedableFile[]>;
  ofVideo(videoUuid: string): Promise<LocalSeedableFile[]>;
}

/**
 * Our own videos' files that have a torrent: web videos and HLS fragmented MP4s, kind `local`,
 * origin = our host.
 */
export function createLocalSeedableFiles(deps: { store: LocalSeedableFileStore; paths: LocalFilePaths; ownHost: string }): SeedableFileSource {
  const { store, paths } = deps;

  function toCandidate(file: LocalSeedableFile): SeedCandidate | null {
    const uuid = file.videoUuid;
    if (!uuid || !file.infoHash || !file.torrentFilename) return null;
    return {
      path: file.isHls ? paths.hlsFile(uuid, file.filename) : paths.webVideo(file.filename),
      torrentPath: paths.torrent(file.torrentFilename),
      infoHash: file.infoHash,
      kind: 'local',
      originHost: deps.ownHost,
      videoUuid: uuid,
    };
  }

  return {
    kind: 'local',
    async *all() {
      let cursor: number | undefined;
      for (;;) {
        const files = await store.page(cursor, PAGE);
        for (const file of files) {
          const candidate = toCandidate(file);
          if (candidate) yield candidate;
        }
        if (files.length < PAGE) return;
        cursor = files[files.length - 1]!.id;
      }
    },
    async ofVideo(videoUuid) {
      return (await store.ofVideo(videoUuid)).map(toCandidate).filter((c): c is SeedCandidate => c !== null);
    },
  };
}
