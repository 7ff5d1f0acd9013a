import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceUrls } from '../lib/instance-urls.js';
import { replaceTorrentUrlList } from '../p2p/index.js';

/** A torrent written to the work folder, for a file whose URL depends on the video's privacy. */
export interface WorkTorrent {
  torrentFilename: string;
  /** the file's URL under a given placement (public or private paths) */
  webseed(urls: InstanceUrls): string;
}

/**
 * The torrents of a transcode were built with the webseeds of the privacy the job started with.
 * When the privacy changed while ffmpeg ran, their `url-list` is rewritten to the URLs of the
 * privacy now in force (the infohash does not change: the info dictionary is kept byte for byte).
 * Returns how many were rewritten.
 */
export async function retargetWorkTorrents(input: { work: string; torrents: readonly WorkTorrent[]; from: InstanceUrls; to: InstanceUrls }): Promise<number> {
  let rewritten = 0;
  for (const t of input.torrents) {
    const webseed = t.webseed(input.to);
    if (webseed === t.webseed(input.from)) continue;
    const path = join(input.work, 'torrents', t.torrentFilename);
    const bytes = replaceTorrentUrlList(await readFile(path), [webseed]);
    if (!bytes) throw new Error(`not a torrent: ${t.torrentFilename}`);
    await writeFile(path, bytes);
    rewritten++;
  }
  return rewritten;
}
