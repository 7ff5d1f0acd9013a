import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeAll } from './files.js';
import type { StorageLayout } from './storage-layout.js';
import type { ReferencedFiles } from './transcode-store.js';

/**
 * Removes what a cut-off upload or transcode of one video left: its transcoding work folders, and
 * every file named after its uuid that its rows do not reference (web videos, torrents, the HLS
 * folder when it has no playlist). Returns the paths removed.
 */
export async function removeVideoLeftovers(layout: StorageLayout, refs: ReferencedFiles): Promise<string[]> {
  const prefix = `${refs.uuid}-`;
  const keepWeb = new Set(refs.webVideos);
  const keepTorrents = new Set(refs.torrents);
  const names = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
  const paths = [
    ...(await names(layout.transcodeTmp)).map((n) => join(layout.transcodeTmp, n)),
    ...(await names(layout.storage.web_videos)).filter((n) => !keepWeb.has(n)).map((n) => layout.webVideo(n)),
    ...(await names(layout.storage.torrents)).filter((n) => !keepTorrents.has(n)).map((n) => layout.torrent(n)),
  ];
  if (!refs.hasHls) {
    const hls = await readdir(layout.hlsRoot).catch(() => [] as string[]);
    if (hls.includes(refs.uuid)) paths.push(layout.hlsDir(refs.uuid));
  }
  await removeAll(paths);
  return paths;
}

/** Everything named after a video that never got its row (an upload cut off before its transaction). */
export async function removeUnbornVideoFiles(layout: StorageLayout, uuid: string): Promise<string[]> {
  const removed = await removeVideoLeftovers(layout, { uuid, webVideos: [], torrents: [], hasHls: false });
  const images = [layout.thumbnail(`${uuid}.jpg`), layout.preview(`${uuid}.jpg`)];
  await removeAll(images);
  return [...removed, ...images];
}
