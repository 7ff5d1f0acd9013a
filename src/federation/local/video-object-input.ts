import type { InstanceUrls } from '../../lib/instance-urls.js';
import { PREVIEW_SIZE, THUMBNAIL_SIZE } from '../../transcoding/index.js';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES } from '../../videos/constants.js';
import type { VideoAttributes, VideoCounters } from '../../videos/video-columns.js';
import type { ActorRecord } from '../ports.js';
import { videoAudience, type Audience, type VideoFileInput, type VideoObjectInput } from '../vocab/index.js';

/** A stored file of a local video (web video or HLS), as its object describes it. */
export interface VideoFileForActivityPub {
  id: number;
  resolution: number;
  width: number | null;
  height: number | null;
  fps: number;
  size: bigint;
  extname: string;
  filename: string;
  torrentFilename: string | null;
  infoHash: string | null;
  fileUrl: string | null;
  torrentUrl: string | null;
}

/** A local video with what its ActivityPub object needs (loaded with `videoForActivityPubInclude`). */
export interface VideoForActivityPub extends VideoAttributes, VideoCounters {
  id: number;
  uuid: string;
  url: string;
  /** a live's settings (loaded with the include below) */
  live?: { saveReplay: boolean; permanentLive: boolean; latencyMode: number } | null;
  publishedAt: Date;
  updatedAt: Date;
  channel: { id: number; actor: ActorRecord; account: { id: number; actor: ActorRecord } };
  files: VideoFileForActivityPub[];
  /** when its files are in object storage: the images' URLs there (base_url), null: our /lazy-static/ routes */
  objectStorage?: { thumbnailUrl: string | null; previewUrl: string | null } | null;
  streamingPlaylists: {
    type: number;
    playlistFilename: string;
    segmentsSha256Filename: string;
    playlistUrl: string | null;
    segmentsSha256Url: string | null;
    p2pMediaLoaderInfohashes: string[];
    files: VideoFileForActivityPub[];
  }[];
}

export const videoForActivityPubInclude = {
  channel: { include: { actor: true, account: { include: { actor: true } } } },
  files: true,
  streamingPlaylists: { include: { files: true } },
  live: true,
  objectStorage: true,
} as const;

/** Builds a magnet URI (the p2p module's buildMagnetUri, injected so this mapping stays pure). */
export type MagnetBuilder = (input: { infoHash: string; name: string; torrentUrl: string; trackers: string[]; webseeds: string[] }) => string;

const MEDIA_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.m4a': 'audio/mp4', '.webm': 'video/webm', '.ogv': 'video/ogg' };

/** The audience of a local video, null when it may not federate (private, internal, password). */
export function localVideoAudience(video: VideoForActivityPub): Audience | null {
  const followers = video.channel.account.actor.followersUrl ?? `${video.channel.account.actor.url}/followers`;
  return videoAudience(video.privacy, followers);
}

/**
 * The builder input of a local video's object: URLs from our layout (InstanceUrls), labels from
 * PeerTube's enumerations, magnets like the REST API's. Pure: the row comes loaded.
 */
export function videoObjectInput(
  video: VideoForActivityPub,
  deps: { urls: InstanceUrls; magnet: MagnetBuilder },
  options: { audience: Audience; redundancies?: { baseUrl: string }[] },
): VideoObjectInput {
  const { urls } = deps;
  const trackers = [urls.trackerAnnounce, urls.trackerSocket];
  const fileInput = (file: VideoFileForActivityPub, fileUrl: string): VideoFileInput => {
    const torrentUrl = file.torrentUrl ?? (file.torrentFilename ? urls.torrent(file.torrentFilename) : null);
    return {
      resolution: file.resolution,
      width: file.width,
      height: file.height,
      fps: file.fps,
      size: Number(file.size),
      mediaType: MEDIA_TYPES[file.extname] ?? 'video/mp4',
      fileUrl,
      metadataUrl: `${urls.base}/api/v1/videos/${video.uuid}/metadata/${file.id}`,
      torrentUrl: file.infoHash ? torrentUrl : null,
      magnetUri: file.infoHash && torrentUrl ? deps.magnet({ infoHash: file.infoHash, name: video.name, torrentUrl, trackers, webseeds: [fileUrl] }) : null,
      // like the REST API: we do not record the streams of a file; only audio-only files lack video
      hasAudio: true,
      hasVideo: file.resolution !== 0,
    };
  };
  const hls = video.streamingPlaylists.find((p) => p.type === 1) ?? null;
  const label = <K extends string | number>(table: Record<K, string>, id: K | null) => (id === null ? null : { id, label: (table[id] as string | undefined) ?? 'Unknown' });

  return {
    url: video.url,
    uuid: video.uuid,
    name: video.name,
    durationSeconds: video.duration,
    category: label(VIDEO_CATEGORIES, video.category),
    licence: label(VIDEO_LICENCES, video.licence),
    language: label(VIDEO_LANGUAGES, video.language),
    views: video.views,
    nsfw: video.nsfw,
    waitTranscoding: video.waitTranscoding,
    state: video.state,
    commentsEnabled: video.commentsEnabled,
    downloadEnabled: video.downloadEnabled,
    published: video.publishedAt,
    originallyPublishedAt: video.originallyPublishedAt,
    updated: video.updatedAt,
    tags: video.tags,
    description: video.description,
    support: video.support,
    icons: [
      ...(video.thumbnailFilename ? [{ url: video.objectStorage?.thumbnailUrl ?? `${urls.base}/lazy-static/thumbnails/${video.thumbnailFilename}`, ...THUMBNAIL_SIZE }] : []),
      ...(video.previewFilename ? [{ url: video.objectStorage?.previewUrl ?? `${urls.base}/lazy-static/previews/${video.previewFilename}`, ...PREVIEW_SIZE }] : []),
    ],
    storyboard: null,
    aspectRatio: video.aspectRatio,
    webVideoFiles: video.files.map((f) => fileInput(f, f.fileUrl ?? urls.webVideo(f.filename))),
    hls: hls
      ? {
          playlistUrl: hls.playlistUrl ?? urls.hlsFile(video.uuid, hls.playlistFilename),
          segmentsSha256Url: hls.segmentsSha256Url ?? urls.hlsFile(video.uuid, hls.segmentsSha256Filename),
          infohashes: hls.p2pMediaLoaderInfohashes,
          files: hls.files.map((f) => fileInput(f, f.fileUrl ?? urls.hlsFile(video.uuid, f.filename))),
          redundancies: options.redundancies ?? [],
        }
      : null,
    trackerUrls: trackers,
    accountUrl: video.channel.account.actor.url,
    channelUrl: video.channel.actor.url,
    live: video.isLive ? { saveReplay: video.live?.saveReplay ?? false, permanentLive: video.live?.permanentLive ?? false, latencyMode: video.live?.latencyMode ?? 1 } : null,
    audience: options.audience,
  };
}
