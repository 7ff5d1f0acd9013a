import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeAll } from './files.js';
import { privateFolders } from './privacy-folders.js';
import type { StorageLayout } from './storage-layout.js';
import type { ReferencedFiles } from './transcode-store.js';

/**
 * Removes what a cut-off upload or transcode of one video left: its transcoding work folders, and
 * every file named after its uuid that its rows do not reference (web videos, torrents, the HLS
 * folder when it has no playlist), in the public and the private folders alike (the video's privacy
 * may have changed since). Returns the paths removed.
 */
export async function removeVideoLeftovers(layout: StorageLayout, refs: ReferencedFiles): Promise<string[]> {
  const prefix = `${refs.uuid}-`;
  const keepWeb = new Set(refs.webVideos);
  const keepTorrents = new Set(refs.torrents);
  const names = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
  const within = async (dir: string, keep: Set<string>) => (await names(dir)).filter((n) => !keep.has(n)).map((n) => join(dir, n));
  const hidden = privateFolders(layout);
  const paths = [
    ...(await within(layout.transcodeTmp, new Set())),
    ...(await within(layout.storage.web_videos, keepWeb)),
    ...(await within(hidden.webVideos, keepWeb)),
    ...(await within(layout.storage.torrents, keepTorrents)),
  ];
  if (!refs.hasHls) {
    for (const root of [layout.hlsRoot, hidden.hlsRoot]) {
      const hls = await readdir(root).catch(() => [] as string[]);
      if (hls.includes(refs.uuid)) paths.push(join(root, refs.uuid));
    }
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
