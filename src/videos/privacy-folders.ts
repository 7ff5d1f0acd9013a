import { join } from 'node:path';
import type { InstanceUrls } from '../lib/instance-urls.js';
import { VideoPrivacy } from './constants.js';
import type { StorageLayout } from './storage-layout.js';

/**
 * PeerTube's rule: files of private, internal and password-protected videos live in the private
 * folders (`<web_videos>/private/`, `<streaming_playlists>/hls/private/<uuid>/`) and are served
 * only under the private URLs, after an access check; public and unlisted files are public.
 */
export function isInPrivateFolder(privacy: number): boolean {
  return privacy === VideoPrivacy.PRIVATE || privacy === VideoPrivacy.INTERNAL || privacy === VideoPrivacy.PASSWORD_PROTECTED;
}

export const PRIVATE_HLS_PREFIX = '/static/streaming-playlists/hls/private/';
export const PRIVATE_WEB_VIDEOS_PREFIX = '/static/web-videos/private/';

/** The private folders below the storage layout's public ones. */
export function privateFolders(layout: Pick<StorageLayout, 'hlsRoot' | 'storage'>) {
  return {
    hlsRoot: join(layout.hlsRoot, 'private'),
    webVideos: join(layout.storage.web_videos, 'private'),
  };
}

/** The storage layout where a video of this privacy keeps its HLS folder and web videos. */
export function layoutForPrivacy(layout: StorageLayout, privacy: number): StorageLayout {
  if (!isInPrivateFolder(privacy)) return layout;
  const folders = privateFolders(layout);
  return {
    ...layout,
    hlsDir: (uuid: string) => join(folders.hlsRoot, uuid),
    webVideo: (filename: string) => join(folders.webVideos, filename),
  };
}

/** The URLs a video of this privacy publishes for its files (the private paths when private). */
export function urlsForPrivacy(urls: InstanceUrls, privacy: number): InstanceUrls {
  if (!isInPrivateFolder(privacy)) return urls;
  return {
    ...urls,
    hlsFile: (uuid: string, filename: string) => `${urls.base}${PRIVATE_HLS_PREFIX}${uuid}/${filename}`,
    webVideo: (filename: string) => `${urls.base}${PRIVATE_WEB_VIDEOS_PREFIX}${filename}`,
  };
}

/** Both, for code that places files and names their URLs (uploads, transcoding). */
export function placementForPrivacy(deps: { layout: StorageLayout; urls: InstanceUrls }, privacy: number) {
  return { layout: layoutForPrivacy(deps.layout, privacy), urls: urlsForPrivacy(deps.urls, privacy) };
}
