import { copyDir } from './copy-layout.js';
import type { CopyTorrent } from './copy-torrents.js';
import type { DownloadedFile } from './download-files.js';
import type { FetchedPlaylists } from './fetch-playlists.js';
import { folderBytes, moveIntoPlace } from './work-folder.js';

export interface MirroredFile {
  readonly filename: string;
  readonly size: number;
  readonly resolution?: number;
  /** the origin's URL of the file */
  readonly url: string;
  /** every verified range: `<first>-<last>` → sha256 hex */
  readonly sha256Ranges: Readonly<Record<string, string>>;
  /** where the download started (bytes already in a resumed work folder) */
  readonly resumedFrom: number;
  readonly torrent?: CopyTorrent;
}

export interface MirroredCopy {
  /** `<redundancyDir>/hls/<uuid>` */
  readonly dir: string;
  readonly files: readonly MirroredFile[];
  /** every variant playlist, by its origin file name */
  readonly playlists: readonly { readonly filename: string; readonly resolution?: number }[];
  /** bytes of everything in the copy (playlists, hashes, media, torrents) */
  readonly totalBytes: number;
  /** the master playlist's file name (the origin's) */
  readonly playlistFilename: string;
  readonly segmentsSha256Filename: string;
}

/** Phase 5: one rename makes the verified work folder the copy at `<redundancyDir>/hls/<uuid>`; what it holds. */
export async function commitCopy(params: {
  readonly workDir: string;
  readonly redundancyDir: string;
  readonly uuid: string;
  readonly fetched: FetchedPlaylists;
  readonly downloads: readonly DownloadedFile[];
  readonly torrents: ReadonlyMap<string, CopyTorrent>;
}): Promise<MirroredCopy> {
  const { fetched, downloads, torrents } = params;
  const totalBytes = await folderBytes(params.workDir);
  await moveIntoPlace(params.workDir, params.redundancyDir, params.uuid);
  const files: MirroredFile[] = fetched.plan.files.map((file, i) => {
    const download = downloads[i]!;
    const torrent = torrents.get(file.filename);
    return {
      filename: file.filename,
      size: download.size,
      ...(file.resolution === undefined ? {} : { resolution: file.resolution }),
      url: file.url.href,
      sha256Ranges: Object.fromEntries(file.ranges.map((r) => [r.key, r.sha256])),
      resumedFrom: download.resumedFrom,
      ...(torrent === undefined ? {} : { torrent }),
    };
  });
  return {
    dir: copyDir(params.redundancyDir, params.uuid),
    files,
    playlists: fetched.variants.map((v) => {
      const resolution = v.reference.resolution;
      return { filename: v.filename, ...(resolution === undefined ? {} : { resolution }) };
    }),
    totalBytes,
    playlistFilename: fetched.masterFilename,
    segmentsSha256Filename: fetched.segmentsSha256Filename,
  };
}
