import type { TransferKind } from './ratio.js';

/** The static folders whose bytes are a video's (thumbnails, torrents… are not counted). */
export type VideoMount = 'streaming-playlists' | 'web-videos' | 'redundancy';

export interface ServedVideo {
  videoUuid: string;
  kind: TransferKind;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<uuid>/<anything>`: HLS folders (ours and mirrored copies). */
const IN_UUID_FOLDER = new RegExp(`^(${UUID})/[^/]`, 'i');
/** `<uuid>-<resolution>.<ext>`: web video files (PeerTube names them so). */
const WEB_VIDEO_FILE = new RegExp(`^(${UUID})-\\d+\\.[a-z0-9]+$`, 'i');

/**
 * Which video a file served by the static router belongs to, from its path below the mount's
 * folder (forward slashes; the router hands it over already checked):
 * - `/static/streaming-playlists/hls/<uuid>/…` → our video, kind `local`;
 * - `/static/web-videos/<uuid>-<res>.mp4` → our video, kind `local`;
 * - `/static/redundancy/hls/<uuid>/…` → our copy of a remote video, kind `mirror`.
 * Anything else (no uuid where PeerTube's layout puts one) → null: not counted.
 */
export function servedVideoOf(mount: VideoMount, relativePath: string): ServedVideo | null {
  const path = relativePath.replace(/\\/g, '/');
  const match = mount === 'web-videos' ? WEB_VIDEO_FILE.exec(path) : IN_UUID_FOLDER.exec(path);
  if (!match?.[1]) return null;
  return { videoUuid: match[1].toLowerCase(), kind: mount === 'redundancy' ? 'mirror' : 'local' };
}

export function isVideoUuid(value: string): boolean {
  return new RegExp(`^${UUID}$`, 'i').test(value);
}
