export const TRACKER_ANNOUNCE_PATH = '/tracker/announce';
export const TRACKER_SCRAPE_PATH = '/tracker/scrape';
export const TRACKER_SOCKET_PATH = '/tracker/socket';

export interface TrackerUrls {
  /** `http(s)://host/tracker/announce` */
  announceUrl: string;
  /** `ws(s)://host/tracker/socket` */
  socketUrl: string;
}

/** Our tracker's public URLs from the instance's public base URL (`https://host[:port]`). */
export function buildTrackerUrls(publicUrl: string): TrackerUrls {
  const base = new URL(publicUrl);
  const origin = `${base.protocol}//${base.host}`;
  const wsProtocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    announceUrl: `${origin}${TRACKER_ANNOUNCE_PATH}`,
    socketUrl: `${wsProtocol}//${base.host}${TRACKER_SOCKET_PATH}`,
  };
}

/** `announce-list` of our .torrent files, PeerTube order: WebSocket tier first, then HTTP. */
export function buildAnnounceList(urls: TrackerUrls): string[][] {
  return [[urls.socketUrl], [urls.announceUrl]];
}

/** `tr` params of our magnet links, PeerTube order: HTTP first, then WebSocket. */
export function buildMagnetTrackers(urls: TrackerUrls): string[] {
  return [urls.announceUrl, urls.socketUrl];
}
