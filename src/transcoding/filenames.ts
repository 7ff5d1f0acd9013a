/**
 * Output file names, PeerTube's layout: per resolution an HLS playlist `<uuid>-<res>.m3u8` over
 * one fragmented MP4 `<uuid>-<res>-fragmented.mp4`, and a web video `<uuid>-<res>.mp4`.
 */

const uuidPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function checked(uuid: string): string {
  // A uuid comes from our own code; anything that could escape the folder is a bug.
  if (!uuidPattern.test(uuid)) throw new Error(`unsafe file name stem: ${JSON.stringify(uuid)}`);
  return uuid;
}

export function hlsPlaylistFilename(uuid: string, resolution: number): string {
  return `${checked(uuid)}-${resolution}.m3u8`;
}

export function hlsFragmentedFilename(uuid: string, resolution: number): string {
  return `${checked(uuid)}-${resolution}-fragmented.mp4`;
}

export function webVideoFilename(uuid: string, resolution: number): string {
  return `${checked(uuid)}-${resolution}.mp4`;
}

export const DEFAULT_MASTER_FILENAME = 'master.m3u8';
export const DEFAULT_SEGMENTS_SHA256_FILENAME = 'segments-sha256.json';
