/**
 * `info.name` of a video file's torrent, as PeerTube builds it: `<video name> <resolution>p<ext>`,
 * with characters that are unsafe in file names replaced by `-` (clients save the file under it).
 */
export function buildTorrentInfoName(videoName: string, resolution: number, extname: string): string {
  return `${videoName.replace(/[/\\?%*:|"<>]/g, '-')} ${resolution}p${extname}`;
}
