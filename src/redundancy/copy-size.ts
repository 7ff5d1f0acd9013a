/**
 * What a copy of an HLS playlist takes on disk, at most: its media files, plus an allowance for
 * what sits beside them — the master and variant playlists, segments-sha256.json and our
 * .torrent files — which grows with the number of segments and torrent pieces. The planner
 * charges a copy this much (or its real size, if larger), so a copy that completes never finds
 * its budget smaller than what it was planned with.
 */
export function copySizeEstimate(mediaFiles: readonly { size: number }[], durationSeconds: number): number {
  // segments are at least 2 s long; each costs a playlist line and a hash entry (< 200 bytes)
  const segments = Math.ceil(Math.max(durationSeconds, 0) / 2) + 1;
  const perVariant = 4096 + segments * 200;
  // 20 bytes per piece, pieces of at least 16 KiB, plus the torrent's other fields
  const torrent = (size: number) => 2048 + Math.ceil(size / 16_384) * 20;
  return mediaFiles.reduce((n, f) => n + f.size + perVariant + torrent(f.size), 4096);
}
