import { readFile, rename, writeFile } from 'node:fs/promises';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { replaceTorrentUrlList } from '../p2p/index.js';
import { p2pMediaLoaderInfohashes } from '../transcoding/index.js';
import { VideoPrivacy } from './constants.js';
import { moveFile } from './files.js';
import type { SeedingPort, VideoEvents } from './ports.js';
import { isInPrivateFolder, layoutForPrivacy, urlsForPrivacy } from './privacy-folders.js';
import type { PrivacyStore } from './privacy-store.js';
import type { StorageLayout } from './storage-layout.js';

/** A privacy change that crosses PeerTube's line (public/unlisted ↔ private/internal). */
export interface PrivacyMove {
  videoId: number;
  uuid: string;
  toPrivate: boolean;
}

/** What the video service calls around the row update of a privacy change. */
export interface PrivacyChangePort {
  /** Before the row changes: null when nothing moves; going private, followers are sent a Delete (PeerTube's unfederation). */
  prepare(videoId: number, newPrivacy: number): Promise<PrivacyMove | null>;
  /** After the row changed: files move to the folders of the privacy now in the database, torrents and seeding follow, and a video made public again is federated (Create). */
  apply(move: PrivacyMove): Promise<void>;
}

/**
 * Moves a video's files between the public and the private folders when its privacy crosses
 * PeerTube's line, as PeerTube does. `apply` reconciles with the privacy read from the database,
 * moving whatever is in the wrong folder, so two changes racing end with the files where the last
 * one put the row; a file already moved is skipped.
 */
export function createPrivacyChange(deps: {
  store: PrivacyStore;
  layout: StorageLayout;
  urls: InstanceUrls;
  events: VideoEvents;
  seeding?: SeedingPort;
  logger: Logger;
  /** object storage: moves the video's objects to the keys and ACL of its privacy (absent: files are local) */
  objects?: { relocate(videoId: number): Promise<void> };
}): PrivacyChangePort {
  const log = deps.logger.child({ component: 'video-privacy' });

  async function moveIfPresent(from: string, to: string): Promise<boolean> {
    if (from === to) return false;
    try {
      await moveFile(from, to);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      throw err;
    }
  }

  async function rewriteTorrent(path: string, webseed: string): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return;
    }
    const rewritten = replaceTorrentUrlList(bytes, [webseed]);
    if (!rewritten) return;
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, rewritten);
    await rename(tmp, path);
  }

  return {
    async prepare(videoId, newPrivacy) {
      const video = await deps.store.video(videoId);
      if (!video?.isLocal || isInPrivateFolder(video.privacy) === isInPrivateFolder(newPrivacy)) return null;
      const toPrivate = isInPrivateFolder(newPrivacy);
      if (toPrivate) {
        // PeerTube unfederates a video that stops being public or unlisted
        await deps.events.deleting(videoId);
        await deps.seeding?.unseedVideo(video.uuid);
        // the mirrors' copies are no longer listed (they drop them on the Delete)
        await deps.store.dropMirrors(video.id);
      }
      return { videoId, uuid: video.uuid, toPrivate };
    },

    async apply(move) {
      const video = await deps.store.video(move.videoId);
      if (!video) return;
      const isPrivate = isInPrivateFolder(video.privacy);
      const target = layoutForPrivacy(deps.layout, video.privacy);
      const other = layoutForPrivacy(deps.layout, isPrivate ? VideoPrivacy.PUBLIC : VideoPrivacy.PRIVATE);
      const links = urlsForPrivacy(deps.urls, video.privacy);
      const files = await deps.store.files(video.id);

      const movedHls = await moveIfPresent(other.hlsDir(video.uuid), target.hlsDir(video.uuid));
      let movedWeb = 0;
      for (const f of files.webVideos) if (await moveIfPresent(other.webVideo(f.filename), target.webVideo(f.filename))) movedWeb++;
      for (const f of files.webVideos) if (f.torrentFilename) await rewriteTorrent(deps.layout.torrent(f.torrentFilename), links.webVideo(f.filename));
      for (const f of files.hlsFiles) if (f.torrentFilename) await rewriteTorrent(deps.layout.torrent(f.torrentFilename), links.hlsFile(video.uuid, f.filename));
      // the swarm ids are derived from the master playlist's URL, which the move changed (players
      // compute them from the URL they load; the tracker knows only the stored ones)
      await deps.store.setSwarmIds(video.id, (master, variants) => p2pMediaLoaderInfohashes(links.hlsFile(video.uuid, master), variants));
      log.info({ video: video.uuid, privacy: video.privacy, movedHls, movedWeb }, isPrivate ? 'files moved to the private folders' : 'files moved to the public folders');
      await deps.objects?.relocate(video.id);

      if (!isPrivate) {
        await deps.seeding?.syncVideo(video.uuid);
        if (!move.toPrivate) {
          // federated again: PeerTube sends a Create; instances that saw its first Create drop a
          // repeated activity id, so an Update (its id is new) follows and brings the video back there
          await deps.events.published(video.id, { again: true });
          await deps.events.updated(video.id);
        }
      }
    },
  };
}
