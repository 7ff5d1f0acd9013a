/** Every public URL this instance publishes, derived from `webserver.*` (PeerTube's URL layout). */
export interface InstanceUrls {
  /** http(s)://host[:port], no trailing slash */
  base: string;
  /** host[:port] as PeerTube writes it in `host` fields */
  host: string;
  wsBase: string;
  account(name: string): string;
  channel(name: string): string;
  video(uuid: string): string;
  hlsFile(uuid: string, filename: string): string;
  /** where we serve our copies of remote videos' HLS files: `<base>/static/redundancy/hls/` (trailing slash) */
  redundancyHlsPrefix: string;
  /** base URL of our copy of a video's HLS files: `<base>/static/redundancy/hls/<uuid>` (no trailing slash) */
  redundancyHls(uuid: string): string;
  webVideo(filename: string): string;
  torrent(filename: string): string;
  torrentDownload(filename: string): string;
  webVideoDownload(uuid: string, resolution: number, extname: string): string;
  hlsFileDownload(uuid: string, resolution: number): string;
  trackerAnnounce: string;
  trackerSocket: string;
}

/** The path under which our copies of remote videos' HLS files are served (static route and URLs). */
export const REDUNDANCY_HLS_PATH = '/static/redundancy/hls/';

export function createInstanceUrls(webserver: { https: boolean; hostname: string; port: number }): InstanceUrls {
  const defaultPort = webserver.https ? 443 : 80;
  const host = webserver.port === defaultPort ? webserver.hostname : `${webserver.hostname}:${webserver.port}`;
  const base = `${webserver.https ? 'https' : 'http'}://${host}`;
  const wsBase = `${webserver.https ? 'wss' : 'ws'}://${host}`;
  return {
    base,
    host,
    wsBase,
    account: (name) => `${base}/accounts/${encodeURIComponent(name)}`,
    channel: (name) => `${base}/video-channels/${encodeURIComponent(name)}`,
    video: (uuid) => `${base}/videos/watch/${uuid}`,
    hlsFile: (uuid, filename) => `${base}/static/streaming-playlists/hls/${uuid}/${filename}`,
    redundancyHlsPrefix: `${base}${REDUNDANCY_HLS_PATH}`,
    redundancyHls: (uuid) => `${base}${REDUNDANCY_HLS_PATH}${uuid}`,
    webVideo: (filename) => `${base}/static/web-videos/${filename}`,
    torrent: (filename) => `${base}/lazy-static/torrents/${filename}`,
    torrentDownload: (filename) => `${base}/download/torrents/${filename}`,
    webVideoDownload: (uuid, resolution, extname) => `${base}/download/web-videos/${uuid}-${resolution}${extname}`,
    hlsFileDownload: (uuid, resolution) => `${base}/download/streaming-playlists/hls/videos/${uuid}-${resolution}-fragmented.mp4`,
    trackerAnnounce: `${base}/tracker/announce`,
    trackerSocket: `${wsBase}/tracker/socket`,
  };
}
