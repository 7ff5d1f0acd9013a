import type { InstanceUrls } from '../../../lib/instance-urls.js';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES, VIDEO_PRIVACIES, VIDEO_STATES, resolutionLabel } from '../../../videos/constants.js';
import { toShortUuid } from '../../../videos/short-uuid.js';
import { torrentFilenameFor } from '../../../redundancy/mirror/index.js';
import { urlsForPrivacy } from '../../../videos/privacy-folders.js';
import type { VideoDetails, VideoFileView, VideoSummary } from '../../../videos/video-queries.js';
import { formatAccount, formatAccountSummary, formatChannel, formatChannelSummary } from './account.js';

export type VideoForList = VideoSummary;
export type VideoForDetails = VideoDetails;
type VideoFile = VideoFileView;
type Video = Pick<VideoSummary, 'uuid' | 'name'>;

/** Builds a magnet URI (the p2p module's, injected so formatting stays pure). */
export type MagnetBuilder = (input: { infoHash: string; name: string; torrentUrl: string; trackers: string[]; webseeds: string[] }) => string;

const idLabel = <K extends string | number>(table: Record<K, string>, id: K | null) => ({
  id,
  label: id === null ? 'Unknown' : (table[id] ?? 'Unknown'),
});

function truncate(text: string | null, max = 250): string | null {
  if (text === null) return null;
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** PeerTube's Video object, as listed by GET /api/v1/videos. */
export function formatVideo(video: VideoForList, urls: InstanceUrls) {
  return {
    id: video.id,
    uuid: video.uuid,
    shortUUID: toShortUuid(video.uuid),
    url: video.url,
    name: video.name,
    category: idLabel(VIDEO_CATEGORIES, video.category),
    licence: idLabel(VIDEO_LICENCES, video.licence),
    language: idLabel(VIDEO_LANGUAGES, video.language),
    privacy: idLabel(VIDEO_PRIVACIES, video.privacy),
    nsfw: video.nsfw,
    truncatedDescription: truncate(video.description),
    description: truncate(video.description),
    isLocal: video.isLocal,
    duration: video.duration,
    aspectRatio: video.aspectRatio,
    views: video.views,
    viewers: 0,
    likes: video.likes,
    dislikes: video.dislikes,
    thumbnailPath: video.thumbnailFilename ? `/lazy-static/thumbnails/${video.thumbnailFilename}` : null,
    previewPath: video.previewFilename ? `/lazy-static/previews/${video.previewFilename}` : null,
    embedPath: `/videos/embed/${video.uuid}`,
    createdAt: video.createdAt.toISOString(),
    updatedAt: video.updatedAt.toISOString(),
    publishedAt: video.publishedAt.toISOString(),
    originallyPublishedAt: video.originallyPublishedAt?.toISOString() ?? null,
    isLive: video.isLive,
    account: formatAccountSummary(video.channel.account, urls),
    channel: formatChannelSummary(video.channel, urls),
    state: idLabel(VIDEO_STATES, video.state),
  };
}

interface FileUrls {
  fileUrl: string;
  fileDownloadUrl: string;
  torrentUrl: string | null;
  torrentDownloadUrl: string | null;
}

function formatFile(video: Video, file: VideoFile, links: FileUrls, urls: InstanceUrls, magnet: MagnetBuilder, mirrors: string[] = []) {
  const trackers = [urls.trackerAnnounce, urls.trackerSocket];
  return {
    id: file.id,
    resolution: { id: file.resolution, label: resolutionLabel(file.resolution) },
    width: file.width,
    height: file.height,
    magnetUri:
      file.infoHash && links.torrentUrl
        ? magnet({ infoHash: file.infoHash, name: video.name, torrentUrl: links.torrentUrl, trackers, webseeds: [links.fileUrl, ...mirrors] })
        : null,
    size: Number(file.size),
    fps: file.fps,
    torrentUrl: links.torrentUrl,
    torrentDownloadUrl: links.torrentDownloadUrl,
    fileUrl: links.fileUrl,
    fileDownloadUrl: links.fileDownloadUrl,
    metadataUrl: `${urls.base}/api/v1/videos/${video.uuid}/metadata/${file.id}`,
    hasAudio: true,
    hasVideo: file.resolution !== 0,
    storage: 0,
  };
}

/**
 * PeerTube's VideoDetails object (GET /api/v1/videos/:id). `playFrom`: the base URL of our own
 * copy of the HLS playlist, given while the video's origin is down: the playlist, hashes, files
 * and torrents then point at the copy (same file names, same info hashes), so a player that knows
 * only us still plays; the shape is unchanged.
 */
export function formatVideoDetails(video: VideoForDetails, publicUrls: InstanceUrls, magnet: MagnetBuilder, playFrom?: string) {
  // a private or internal video's files are under the private paths
  const urls = video.isLocal ? urlsForPrivacy(publicUrls, video.privacy) : publicUrls;
  const torrentLinks = (file: VideoFile) => ({
    torrentUrl: file.torrentUrl ?? (file.torrentFilename ? urls.torrent(file.torrentFilename) : null),
    torrentDownloadUrl: file.torrentFilename ? urls.torrentDownload(file.torrentFilename) : file.torrentUrl,
  });
  const byResolutionDesc = (a: VideoFile, b: VideoFile) => b.resolution - a.resolution;
  return {
    ...formatVideo(video, urls),
    description: video.description,
    account: formatAccount(video.channel.account, urls),
    channel: formatChannel(video.channel, urls),
    blacklisted: false,
    blacklistedReason: null,
    streamingPlaylists: video.streamingPlaylists.map((p) => ({
      id: p.id,
      type: p.type,
      playlistUrl: playFrom ? `${playFrom}/${p.playlistFilename}` : (p.playlistUrl ?? urls.hlsFile(video.uuid, p.playlistFilename)),
      segmentsSha256Url: playFrom ? `${playFrom}/${p.segmentsSha256Filename}` : (p.segmentsSha256Url ?? urls.hlsFile(video.uuid, p.segmentsSha256Filename)),
      redundancies: video.redundancies.map((r) => ({ baseUrl: r.fileUrl })),
      files: [...p.files].sort(byResolutionDesc).map((f) =>
        formatFile(
          video,
          f,
          playFrom
            ? { fileUrl: `${playFrom}/${f.filename}`, fileDownloadUrl: `${playFrom}/${f.filename}`, torrentUrl: `${playFrom}/${torrentFilenameFor(f.filename)}`, torrentDownloadUrl: `${playFrom}/${torrentFilenameFor(f.filename)}` }
            : {
                fileUrl: f.fileUrl ?? urls.hlsFile(video.uuid, f.filename),
                fileDownloadUrl: f.fileUrl ?? urls.hlsFileDownload(video.uuid, f.resolution),
                ...torrentLinks(f),
              },
          urls,
          magnet,
          // healthy mirrors are webseeds too
          video.redundancies.filter((r) => r.fileUrl !== playFrom).map((r) => `${r.fileUrl}/${f.filename}`),
        ),
      ),
    })),
    files: [...video.files].sort(byResolutionDesc).map((f) =>
      formatFile(
        video,
        f,
        {
          fileUrl: f.fileUrl ?? urls.webVideo(f.filename),
          fileDownloadUrl: f.fileUrl ?? urls.webVideoDownload(video.uuid, f.resolution, f.extname),
          ...torrentLinks(f),
        },
        urls,
        magnet,
        (f.redundancies ?? []).map((r) => r.fileUrl),
      ),
    ),
    support: video.support,
    descriptionPath: `/api/v1/videos/${video.uuid}/description`,
    tags: video.tags,
    commentsEnabled: video.commentsEnabled,
    commentsPolicy: video.commentsEnabled ? { id: 1, label: 'Enabled' } : { id: 2, label: 'Disabled' },
    downloadEnabled: video.downloadEnabled,
    waitTranscoding: video.waitTranscoding,
    inputFileUpdatedAt: null,
    // PeerTube's: ours for our videos, the origin's (from its Video object) for remote ones, so viewers join the origin's swarm
    trackerUrls: video.isLocal ? [urls.trackerAnnounce, urls.trackerSocket] : video.trackerUrls,
  };
}
