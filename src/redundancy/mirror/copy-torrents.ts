import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import { mirrorFileUrl, torrentFilenameFor } from './copy-layout.js';
import type { FetchedPlaylists } from './fetch-playlists.js';
import type { Downloader } from './http-downloader.js';
import { cancelled, MirrorFailed } from './mirror-failure.js';
import { buildMirrorTorrent } from './mirror-torrent.js';

export const MAX_TORRENT_BYTES = 8 * 1024 * 1024;

export interface MirrorTorrentOptions {
  /** this instance's public base URL (`http(s)://host[:port]`): webseed of the copy */
  readonly ourBaseUrl: string;
  /** our tracker, e.g. buildAnnounceList(buildTrackerUrls(base)) */
  readonly announceList: readonly (readonly string[])[];
  /** `creation date` of the torrents */
  readonly clock: Clock;
  readonly createdBy?: string;
  /** `info.name` of a torrent we create (the origin's name is kept when its info dict is reused); default the file name */
  readonly name?: (file: { readonly filename: string; readonly resolution?: number }) => string;
}

export interface CopyTorrent {
  readonly filename: string;
  readonly infoHash: string;
  readonly source: 'origin-info' | 'created';
  readonly note?: string;
}

/**
 * Phase 4 (optional): a .torrent next to each media file of the work folder, reusing the
 * origin's info dict when its torrent can be fetched, with our copy as first webseed. Throws
 * MirrorFailed when cancelled.
 */
export async function writeTorrents(params: {
  readonly fetched: FetchedPlaylists;
  readonly workDir: string;
  readonly uuid: string;
  readonly options: MirrorTorrentOptions;
  /** file name → the origin's .torrent of that file */
  readonly torrentUrls: Readonly<Record<string, string>> | undefined;
  readonly downloader: Downloader;
  readonly signal: AbortSignal;
  readonly onBytes: (bytes: number) => void;
}): Promise<Map<string, CopyTorrent>> {
  const { fetched, workDir, options, downloader, signal } = params;
  const torrents = new Map<string, CopyTorrent>();
  const files = fetched.plan.files;
  const taken = new Set([fetched.masterFilename, fetched.segmentsSha256Filename, ...fetched.variants.map((v) => v.filename), ...files.map((f) => f.filename)]);
  for (const file of files) {
    if (signal.aborted) throw new MirrorFailed(cancelled());
    let torrentName = torrentFilenameFor(file.filename);
    if (taken.has(torrentName)) torrentName = `${file.filename}.torrent`;
    taken.add(torrentName);
    let originTorrent: Buffer | undefined;
    let note: string | undefined;
    const torrentUrl = params.torrentUrls?.[file.filename];
    if (torrentUrl !== undefined) {
      const got = await downloader.fetchDocument(torrentUrl, { maxBytes: MAX_TORRENT_BYTES, signal, onBytes: params.onBytes });
      if (got.ok) originTorrent = got.body;
      else if (got.reason.type === 'aborted') throw new MirrorFailed(cancelled());
      else note = `the origin's torrent could not be fetched: ${got.reason.message}`;
    }
    const built = await buildMirrorTorrent({
      filePath: join(workDir, file.filename),
      fileSize: (await stat(join(workDir, file.filename))).size,
      name: options.name?.(file) ?? file.filename,
      urlList: [mirrorFileUrl(options.ourBaseUrl, params.uuid, file.filename), file.url.href],
      announceList: options.announceList,
      createdBy: options.createdBy ?? 'mirrortube',
      creationDate: options.clock.now(),
      ...(originTorrent === undefined ? {} : { originTorrent }),
    });
    await writeFile(join(workDir, torrentName), built.torrent);
    const why = built.note ?? note;
    torrents.set(file.filename, { filename: torrentName, infoHash: built.infoHash, source: built.source, ...(why === undefined ? {} : { note: why }) });
  }
  return torrents;
}
