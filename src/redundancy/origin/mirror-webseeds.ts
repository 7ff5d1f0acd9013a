import type { Prisma } from '../../db/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';

/** Our torrents are named after their video: `<uuid>-<resolution>[-hls].torrent`. */
const LEADING_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The origin side of redundancy, for torrents: the webseeds of the HLS file a torrent of one of
 * our local videos describes — our URL of the file, then each healthy mirror's (copies of remote
 * actors in state `active`, oldest first, as the REST API lists them). null when the torrent is
 * not one of a local video's HLS files. One indexed query (by the video's uuid, which starts the
 * torrent's name), so that every .torrent request can ask it.
 */
export function createMirrorWebseeds(deps: { prisma: Prisma; urls: InstanceUrls }) {
  return {
    async webseedsOf(torrentFilename: string): Promise<{ fileUrl: string; mirrorUrls: string[] } | null> {
      const uuid = LEADING_UUID.exec(torrentFilename)?.[0].toLowerCase();
      if (!uuid) return null;
      const video = await deps.prisma.video.findUnique({
        where: { uuid },
        select: {
          isLocal: true,
          streamingPlaylists: { select: { files: { where: { torrentFilename }, select: { filename: true } } } },
          redundancies: { where: { state: 'active', actor: { host: { not: null } } }, orderBy: { id: 'asc' }, select: { fileUrl: true } },
        },
      });
      const file = video?.streamingPlaylists.flatMap((p) => p.files)[0];
      if (!video?.isLocal || !file) return null;
      return {
        fileUrl: deps.urls.hlsFile(uuid, file.filename),
        mirrorUrls: video.redundancies.map((r) => `${r.fileUrl}/${file.filename}`),
      };
    },
  };
}
