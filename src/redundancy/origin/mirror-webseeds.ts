import type { InstanceUrls } from '../../lib/instance-urls.js';

/** Our torrents are named after their video: `<uuid>-<resolution>[-hls].torrent`. */
const LEADING_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** What the webseeds of our torrents need: the video of a torrent, its HLS file, its healthy mirrors. */
export interface MirrorWebseedStore {
  /**
   * null for an unknown video; `filename`: its HLS file described by that torrent (null if none);
   * `mirrorBaseUrls`: base URLs of remote actors' active copies, oldest first
   */
  webseedSource(uuid: string, torrentFilename: string): Promise<{ isLocal: boolean; filename: string | null; mirrorBaseUrls: string[] } | null>;
}

/**
 * The origin side of redundancy, for torrents: the webseeds of the HLS file a torrent of one of
 * our local videos describes — our URL of the file, then each healthy mirror's (copies of remote
 * actors in state `active`, oldest first, as the REST API lists them). null when the torrent is
 * not one of a local video's HLS files. One indexed query (by the video's uuid, which starts the
 * torrent's name), so that every .torrent request can ask it.
 */
export function createMirrorWebseeds(deps: { store: MirrorWebseedStore; urls: InstanceUrls }) {
  return {
    async webseedsOf(torrentFilename: string): Promise<{ fileUrl: string; mirrorUrls: string[] } | null> {
      const uuid = LEADING_UUID.exec(torrentFilename)?.[0].toLowerCase();
      if (!uuid) return null;
      const video = await deps.store.webseedSource(uuid, torrentFilename);
      const filename = video?.filename;
      if (!video?.isLocal || !filename) return null;
      return {
        fileUrl: deps.urls.hlsFile(uuid, filename),
        mirrorUrls: video.mirrorBaseUrls.map((base) => `${base}/${filename}`),
      };
    },
  };
}
