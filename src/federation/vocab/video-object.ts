import { toIso } from './activity-ids.js';
import { audiencify, type Audience } from './audience.js';
import { toActivityStreamDuration } from './duration.js';
import { buildVideoFileLinks, byResolutionDesc, type VideoFileInput } from './video-file-links.js';

/** A labelled enumeration value (category, licence, language), as PeerTube publishes them. */
export interface Labelled<T> {
  id: T;
  label: string;
}

export interface VideoImageInput {
  url: string;
  width: number;
  height: number;
  /** default image/jpeg */
  mediaType?: string;
}

/** A video's HLS playlist and its files. */
export interface HlsPlaylistInput {
  /** the master playlist */
  playlistUrl: string;
  segmentsSha256Url: string;
  /** the playlist's `p2pMediaLoaderInfohashes` */
  infohashes: string[];
  files: VideoFileInput[];
  /**
   * Copies of this playlist on mirrors (`/static/redundancy/hls/<uuid>` there). PeerTube 6.3 does
   * not publish them in the Video object; when there are some we add one `redundancy` link each at
   * the end of the HLS link's `tag` list, which PeerTube's parser ignores. Empty: PeerTube's bytes.
   */
  redundancies: { baseUrl: string }[];
}

/** What a local video's ActivityPub object is built from (plain data: no database rows). */
export interface VideoObjectInput {
  /** the object id: `<base>/videos/watch/<uuid>` */
  url: string;
  uuid: string;
  name: string;
  durationSeconds: number;
  category: Labelled<number> | null;
  licence: Labelled<number> | null;
  language: Labelled<string> | null;
  views: number;
  nsfw: boolean;
  waitTranscoding: boolean;
  /** PeerTube video state (1 published) */
  state: number;
  commentsEnabled: boolean;
  downloadEnabled: boolean;
  published: Date | string;
  originallyPublishedAt: Date | string | null;
  updated: Date | string;
  tags: string[];
  /** markdown */
  description: string | null;
  support: string | null;
  /** the thumbnail, then the preview */
  icons: VideoImageInput[];
  storyboard: { url: string; width: number; height: number; tileWidth: number; tileHeight: number; tileDurationSeconds: number } | null;
  aspectRatio: number | null;
  webVideoFiles: VideoFileInput[];
  hls: HlsPlaylistInput | null;
  /** `[http announce, websocket]` */
  trackerUrls: string[];
  accountUrl: string;
  channelUrl: string;
  live: { saveReplay: boolean; permanentLive: boolean; latencyMode: number } | null;
  /** `to`/`cc` of the object (see videoAudience) */
  audience: Audience;
}

const COMMENTS_ENABLED = 1;
const COMMENTS_DISABLED = 2;

/** Drops keys whose value is undefined, keeping the others in order (PeerTube's JSON does so). */
function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

function buildHlsLink(hls: HlsPlaylistInput) {
  const tag: Record<string, unknown>[] = [
    ...hls.infohashes.map((name) => ({ type: 'Infohash', name })),
    { type: 'Link', name: 'sha256', mediaType: 'application/json', href: hls.segmentsSha256Url },
    ...[...hls.files].sort(byResolutionDesc).flatMap((f) => buildVideoFileLinks(f, 'fragmented')),
    ...hls.redundancies.map((r) => ({ type: 'Link', name: 'redundancy', rel: ['redundancy'], mediaType: 'application/x-mpegURL', href: r.baseUrl })),
  ];
  return { type: 'Link', mediaType: 'application/x-mpegURL', href: hls.playlistUrl, tag };
}

/**
 * A local video as PeerTube 6.3 publishes it (ap-video-9000.json): same keys in the same order,
 * `url[]` = HTML page, web video files (file, metadata, torrent, magnet each), the HLS link with
 * its Infohash/sha256/file tags, then the trackers. Without `@context` (see withContext).
 */
export function buildVideoObject(input: VideoObjectInput) {
  const url: Record<string, unknown>[] = [
    { type: 'Link', mediaType: 'text/html', href: input.url },
    ...[...input.webVideoFiles].sort(byResolutionDesc).flatMap((f) => buildVideoFileLinks(f, 'web-video')),
    ...(input.hls ? [buildHlsLink(input.hls)] : []),
    ...input.trackerUrls.map((href) => {
      const kind = href.startsWith('http') ? 'http' : 'websocket';
      return { type: 'Link', name: `tracker-${kind}`, rel: ['tracker', kind], href };
    }),
  ];

  const object = compact({
    type: 'Video' as const,
    id: input.url,
    name: input.name,
    duration: toActivityStreamDuration(input.durationSeconds),
    uuid: input.uuid,
    category: input.category ? { identifier: String(input.category.id), name: input.category.label } : undefined,
    licence: input.licence ? { identifier: String(input.licence.id), name: input.licence.label } : undefined,
    language: input.language ? { identifier: input.language.id, name: input.language.label } : undefined,
    views: input.views,
    sensitive: input.nsfw,
    waitTranscoding: input.waitTranscoding,
    state: input.state,
    commentsEnabled: input.commentsEnabled,
    canReply: null as string | null,
    commentsPolicy: input.commentsEnabled ? COMMENTS_ENABLED : COMMENTS_DISABLED,
    downloadEnabled: input.downloadEnabled,
    published: toIso(input.published),
    originallyPublishedAt: input.originallyPublishedAt === null ? null : toIso(input.originallyPublishedAt),
    updated: toIso(input.updated),
    tag: input.tags.map((name) => ({ type: 'Hashtag' as const, name })),
    mediaType: 'text/markdown' as const,
    content: input.description,
    support: input.support,
    subtitleLanguage: [] as unknown[],
    icon: input.icons.map((i) => ({ type: 'Image' as const, url: i.url, mediaType: i.mediaType ?? 'image/jpeg', width: i.width, height: i.height })),
    preview: input.storyboard
      ? [
          {
            type: 'Image' as const,
            rel: ['storyboard'],
            url: [
              {
                mediaType: 'image/jpeg',
                href: input.storyboard.url,
                width: input.storyboard.width,
                height: input.storyboard.height,
                tileWidth: input.storyboard.tileWidth,
                tileHeight: input.storyboard.tileHeight,
                tileDuration: toActivityStreamDuration(input.storyboard.tileDurationSeconds),
              },
            ],
          },
        ]
      : undefined,
    aspectRatio: input.aspectRatio,
    url,
    likes: `${input.url}/likes`,
    dislikes: `${input.url}/dislikes`,
    shares: `${input.url}/announces`,
    comments: `${input.url}/comments`,
    hasParts: `${input.url}/chapters`,
    attributedTo: [
      { type: 'Person' as const, id: input.accountUrl },
      { type: 'Group' as const, id: input.channelUrl },
    ],
    isLiveBroadcast: input.live !== null,
    liveSaveReplay: input.live?.saveReplay ?? null,
    permanentLive: input.live?.permanentLive ?? null,
    latencyMode: input.live?.latencyMode ?? null,
  });
  return audiencify(object, input.audience);
}

export type VideoObject = ReturnType<typeof buildVideoObject>;

