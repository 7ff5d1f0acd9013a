import { join } from 'node:path';
import type { InstanceConfig } from '../config/index.js';

/** Where every stored file lives on disk (PeerTube's layout below each storage folder). */
export function createStorageLayout(storage: InstanceConfig['storage']) {
  return {
    storage,
    hlsDir: (uuid: string) => join(storage.streaming_playlists, 'hls', uuid),
    hlsRoot: join(storage.streaming_playlists, 'hls'),
    webVideo: (filename: string) => join(storage.web_videos, filename),
    torrent: (filename: string) => join(storage.torrents, filename),
    thumbnail: (filename: string) => join(storage.thumbnails, filename),
    preview: (filename: string) => join(storage.previews, filename),
    uploadsTmp: join(storage.tmp, 'uploads'),
    resumableTmp: join(storage.tmp, 'resumable'),
    transcodeTmp: join(storage.tmp, 'transcode'),
    /** folders created at start-up */
    all: () => [
      storage.tmp,
      join(storage.tmp, 'uploads'),
      join(storage.tmp, 'resumable'),
      join(storage.tmp, 'transcode'),
      storage.web_videos,
      join(storage.streaming_playlists, 'hls'),
      join(storage.streaming_playlists, 'hls', 'private'),
      join(storage.web_videos, 'private'),
      storage.redundancy,
      join(storage.redundancy, 'hls'),
      storage.torrents,
      storage.thumbnails,
      storage.previews,
    ],
  };
}

export type StorageLayout = ReturnType<typeof createStorageLayout>;
