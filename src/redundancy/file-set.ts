import { createHash } from 'node:crypto';

/**
 * Pure: a digest of an origin's HLS file set as the video object describes it (master playlist
 * URL, hashes URL, each file's name and size). A copy remembers the digest it was made from; when
 * the origin's differs (a resolution added, the master renamed, files replaced), the copy is
 * refreshed.
 */
export function hlsFileSetDigest(hls: {
  playlistUrl: string | null;
  segmentsSha256Url: string | null;
  files: readonly { filename: string; size: bigint | number }[];
}): string {
  const files = hls.files.map((f) => [f.filename, String(f.size)]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([hls.playlistUrl, hls.segmentsSha256Url, files]))
    .digest('hex');
}
