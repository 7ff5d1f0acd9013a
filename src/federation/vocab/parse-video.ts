import { z } from 'zod';
import { fail, ok, type Result } from '../../lib/result.js';
import { addressList, apUrl, idOf, isApUrl, isoDate, nonNegativeInt, oneOrMany, truncate } from './ap-schemas.js';
import { includesPublic } from './audience.js';
import { PARSE_LIMITS } from './constants.js';
import { parseActivityStreamDuration } from './duration.js';
import { readMagnetUri } from './magnet.js';
import { refusalFromZod, type VocabRefusal } from './refusal.js';

/** A media file of a remote video (web video, or HLS fragmented mp4). */
export interface RemoteVideoFile {
  /** the smaller side (PeerTube's resolution), 0 for audio only */
  resolution: number;
  width: number | null;
  height: number | null;
  size: number;
  /** -1 when unknown */
  fps: number;
  mediaType: string;
  fileUrl: string;
  torrentUrl: string | null;
  magnetUri: string | null;
  infoHash: string | null;
  metadataUrl: string | null;
}

export interface RemoteHlsPlaylist {
  /** the master playlist */
  playlistUrl: string;
  /** null when the origin did not publish one (then segments cannot be verified) */
  segmentsSha256Url: string | null;
  /** the `Infohash` tags (p2p-media-loader swarm ids) */
  infohashes: string[];
  files: RemoteVideoFile[];
  /** mirrors of this playlist that the origin lists (our `redundancy` links; PeerTube sends none) */
  redundancyBaseUrls: string[];
}

/** A remote Video object, normalised. */
export interface RemoteVideo {
  uuid: string;
  /** the object id */
  url: string;
  name: string;
  /** from `content` (markdown), cut to 10000 characters */
  description: string | null;
  durationSeconds: number;
  views: number;
  /** collections: their `totalItems` are the like/dislike counts (the object carries no count) */
  likesUrl: string | null;
  dislikesUrl: string | null;
  sharesUrl: string | null;
  commentsUrl: string | null;
  category: number | null;
  licence: number | null;
  language: string | null;
  tags: string[];
  nsfw: boolean;
  state: number;
  commentsEnabled: boolean;
  downloadEnabled: boolean;
  waitTranscoding: boolean;
  support: string | null;
  published: string;
  updated: string;
  originallyPublishedAt: string | null;
  /** the smallest icon */
  thumbnailUrl: string;
  /** the largest icon, when there are several */
  previewUrl: string | null;
  /** from `attributedTo`: the Person and the Group (null when the entries are untyped and ambiguous) */
  accountUrl: string | null;
  channelUrl: string | null;
  /** every `attributedTo` id */
  attributedTo: string[];
  isLive: boolean;
  aspectRatio: number | null;
  /** `to` contains Public: public, else unlisted (PeerTube's rule) */
  privacy: 'public' | 'unlisted';
  to: string[];
  cc: string[];
  hls: RemoteHlsPlaylist | null;
  webVideoFiles: RemoteVideoFile[];
  trackerUrls: string[];
}

const VIDEO_MEDIA_TYPES = new Set(['video/mp4', 'video/webm', 'video/ogg', 'audio/mp4']);
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'image/gif']);
const TORRENT = 'application/x-bittorrent';
const MAGNET = 'application/x-bittorrent;x-scheme-handler/magnet';
const HLS = 'application/x-mpegURL';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const identifier = z.looseObject({ identifier: z.union([z.string().max(100), z.number()]).transform(String) });

const videoSchema = z.looseObject({
  id: apUrl,
  uuid: z.string().regex(UUID, 'must be a UUID'),
  name: z.string().min(3).max(120),
  duration: z.string().refine((d) => parseActivityStreamDuration(d) !== null, 'must be an ActivityStreams duration (PT<n>S)'),
  views: nonNegativeInt,
  published: isoDate,
  updated: isoDate,
  originallyPublishedAt: isoDate.nullish(),
  url: z.array(z.unknown()).max(PARSE_LIMITS.videoUrls),
  tag: z.array(z.unknown()).max(PARSE_LIMITS.tags).nullish(),
  icon: oneOrMany(z.unknown(), PARSE_LIMITS.icons),
  attributedTo: oneOrMany(z.unknown(), PARSE_LIMITS.attributedTo),
  mediaType: z.string().max(100).nullish(),
  content: z.string().nullish(),
  support: z.string().nullish(),
  category: identifier.nullish(),
  licence: identifier.nullish(),
  language: identifier.nullish(),
  to: addressList,
  cc: addressList,
});

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const intAtLeast = (v: unknown, min: number): number | null => {
  const n = typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min ? n : null;
};
const relOf = (link: Json): unknown[] => (Array.isArray(link.rel) ? link.rel : []);

/**
 * The trackers viewers of a remote video announce to (PeerTube's rule): the Video object's links whose
 * rel has `tracker`, in order, when one of them is a WebSocket tracker; otherwise the origin's own
 * `/tracker/socket` and `/tracker/announce` (ws/wss after the video URL's scheme).
 */
function trackersOf(urls: Json[], videoUrl: string): string[] {
  const trackers = urls.filter((u) => relOf(u).includes('tracker') && typeof u.href === 'string' && /^(https?|wss?):\/\/[^\s]{1,2000}$/.test(u.href));
  if (trackers.some((u) => relOf(u).includes('websocket'))) return [...new Set(trackers.map((u) => u.href as string))];
  const origin = new URL(videoUrl);
  const ws = origin.protocol === 'http:' ? 'ws:' : 'wss:';
  return [`${ws}//${origin.host}/tracker/socket`, `${origin.protocol}//${origin.host}/tracker/announce`];
}
const mediaTypeOf = (link: Json): unknown => link.mediaType ?? link.mimeType;

/** The file links of a `url[]` or an HLS `tag[]` list, with their torrent, magnet and metadata links. */
function readFiles(links: Json[]): RemoteVideoFile[] {
  const files: RemoteVideoFile[] = [];
  for (const link of links) {
    const mediaType = mediaTypeOf(link);
    if (link.type !== 'Link' || typeof mediaType !== 'string' || !VIDEO_MEDIA_TYPES.has(mediaType) || !isApUrl(link.href)) continue;
    const height = intAtLeast(link.height, 0);
    const size = intAtLeast(link.size, 0);
    if (height === null || size === null) continue;
    const width = intAtLeast(link.width, 0);
    const fps = intAtLeast(link.fps, -1) ?? -1;
    const sameFile = (l: Json) => l.height === link.height && (l.fps === undefined || link.fps === undefined || l.fps === link.fps);
    const torrent = links.find((l) => mediaTypeOf(l) === TORRENT && sameFile(l) && isApUrl(l.href));
    const magnet = links.find((l) => mediaTypeOf(l) === MAGNET && sameFile(l) && typeof l.href === 'string');
    const magnetInfo = magnet ? readMagnetUri(magnet.href as string) : null;
    const metadata = links.find((l) => mediaTypeOf(l) === 'application/json' && relOf(l).includes('metadata') && relOf(l).includes(mediaType) && sameFile(l) && isApUrl(l.href));
    files.push({
      resolution: Math.min(height, width ?? Infinity),
      width,
      height,
      size,
      fps,
      mediaType,
      fileUrl: link.href,
      torrentUrl: torrent ? (torrent.href as string) : magnetInfo?.torrentUrl && isApUrl(magnetInfo.torrentUrl) ? magnetInfo.torrentUrl : null,
      magnetUri: magnetInfo ? (magnet!.href as string) : null,
      infoHash: magnetInfo?.infoHash ?? null,
      metadataUrl: metadata ? (metadata.href as string) : null,
    });
  }
  return files;
}

function readHls(urls: Json[]): Result<RemoteHlsPlaylist | null, VocabRefusal> {
  const index = urls.findIndex((u) => mediaTypeOf(u) === HLS && isApUrl(u.href) && Array.isArray(u.tag));
  if (index === -1) return ok(null);
  const link = urls[index]!;
  const rawTags = link.tag as unknown[];
  if (rawTags.length > PARSE_LIMITS.tags) return fail({ type: 'too-large', field: `url.${index}.tag`, max: PARSE_LIMITS.tags });
  const tags = rawTags.map(asObject).filter((t): t is Json => t !== null);
  const sha256 = tags.find((t) => t.type === 'Link' && t.name === 'sha256' && t.mediaType === 'application/json' && isApUrl(t.href));
  return ok({
    playlistUrl: link.href as string,
    segmentsSha256Url: sha256 ? (sha256.href as string) : null,
    infohashes: tags.filter((t) => t.type === 'Infohash' && typeof t.name === 'string' && /^[0-9a-f]{40}$/i.test(t.name)).map((t) => (t.name as string).toLowerCase()),
    files: readFiles(tags),
    redundancyBaseUrls: tags.filter((t) => t.type === 'Link' && (t.name === 'redundancy' || relOf(t).includes('redundancy')) && isApUrl(t.href)).map((t) => t.href as string),
  });
}

function readIcons(icons: unknown[]): { url: string; width: number }[] {
  return icons
    .map(asObject)
    .filter((i): i is Json => i !== null && i.type === 'Image' && isApUrl(i.url) && IMAGE_MEDIA_TYPES.has(String(i.mediaType)) && intAtLeast(i.width, 0) !== null && intAtLeast(i.height, 0) !== null)
    .map((i) => ({ url: i.url as string, width: intAtLeast(i.width, 0)! }))
    .sort((a, b) => a.width - b.width);
}

/** Person and Group of `attributedTo`: typed entries first; PeerTube's untyped order is [account, channel]. */
function readOwners(entries: unknown[]): { accountUrl: string | null; channelUrl: string | null; all: string[] } {
  const typed = entries.map(asObject).filter((e): e is Json => e !== null && isApUrl(e.id));
  const untyped = entries.filter(isApUrl);
  const all = entries.map(idOf).filter(isApUrl);
  const person = typed.find((e) => e.type === 'Person')?.id as string | undefined;
  const group = typed.find((e) => e.type === 'Group')?.id as string | undefined;
  return {
    accountUrl: person ?? (untyped.length >= 2 ? untyped[0]! : null),
    channelUrl: group ?? (untyped.length >= 2 ? untyped[1]! : null),
    all: [...new Set(all)],
  };
}

const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);

/**
 * Reads a remote Video object (as PeerTube publishes it; see ap-video-9000.json). Refused like
 * PeerTube refuses one: id, uuid, name (3-120 characters), duration, views, published, updated,
 * `url[]`, at least one valid icon and one `attributedTo` are required; malformed file, torrent and
 * tag entries are dropped rather than refused; arrays beyond PARSE_LIMITS are refused.
 */
export function parseVideoObject(input: unknown): Result<RemoteVideo, VocabRefusal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail({ type: 'not-an-object' });
  const type = (input as { type?: unknown }).type;
  if (type !== 'Video') return fail({ type: 'wrong-type', expected: ['Video'], received: typeof type === 'string' ? type.slice(0, 100) : null });
  const parsed = videoSchema.safeParse(input);
  if (!parsed.success) return fail(refusalFromZod(parsed.error, input));
  const v = parsed.data;
  const raw = input as Json;

  if (v.content && v.mediaType !== 'text/markdown' && v.mediaType !== 'text/html') {
    return fail({ type: 'invalid-field', field: 'mediaType', message: 'content must be text/markdown or text/html' });
  }
  const category = v.category && /^\d{1,9}$/.test(v.category.identifier) ? Number(v.category.identifier) : null;
  if (v.category && category === null) return fail({ type: 'invalid-field', field: 'category.identifier', message: 'must be a number' });

  const icons = readIcons(v.icon);
  if (icons.length === 0) return fail({ type: 'missing-field', field: 'icon' });
  const owners = readOwners(v.attributedTo);
  if (owners.all.length === 0) return fail({ type: 'missing-field', field: 'attributedTo' });

  const urls = v.url.map(asObject).filter((u): u is Json => u !== null);
  const hls = readHls(urls);
  if (!hls.ok) return hls;

  const commentsEnabled = typeof raw.commentsEnabled === 'boolean' ? raw.commentsEnabled : raw.commentsPolicy === 1 || raw.commentsPolicy === 3;
  const state = intAtLeast(raw.state, 1);
  const aspectRatio = typeof raw.aspectRatio === 'number' && Number.isFinite(raw.aspectRatio) && raw.aspectRatio > 0 ? raw.aspectRatio : null;
  const link = (value: unknown) => (isApUrl(value) ? value : null);

  return ok({
    uuid: v.uuid.toLowerCase(),
    url: v.id,
    name: v.name,
    description: v.content ? truncate(v.content, 10_000) : null,
    durationSeconds: parseActivityStreamDuration(v.duration)!,
    views: v.views,
    likesUrl: link(raw.likes),
    dislikesUrl: link(raw.dislikes),
    sharesUrl: link(raw.shares),
    commentsUrl: link(raw.comments),
    category,
    licence: v.licence && /^\d{1,9}$/.test(v.licence.identifier) ? Number(v.licence.identifier) : null,
    language: v.language ? v.language.identifier.slice(0, 20) : null,
    tags: (v.tag ?? [])
      .map(asObject)
      .filter((t): t is Json => t !== null && t.type === 'Hashtag' && typeof t.name === 'string' && t.name.length >= 2 && t.name.length <= 30)
      .map((t) => t.name as string),
    nsfw: bool(raw.sensitive, false),
    state: state !== null && state <= 9 ? state : 1,
    commentsEnabled,
    downloadEnabled: bool(raw.downloadEnabled, true),
    waitTranscoding: bool(raw.waitTranscoding, false),
    support: v.support ? truncate(v.support, 1000) : null,
    published: v.published,
    updated: v.updated,
    originallyPublishedAt: v.originallyPublishedAt ?? null,
    thumbnailUrl: icons[0]!.url,
    previewUrl: icons.length > 1 ? icons[icons.length - 1]!.url : null,
    accountUrl: owners.accountUrl,
    channelUrl: owners.channelUrl,
    attributedTo: owners.all,
    isLive: bool(raw.isLiveBroadcast, false),
    aspectRatio,
    privacy: includesPublic(v.to) ? 'public' : 'unlisted',
    to: v.to,
    cc: v.cc,
    hls: hls.value,
    webVideoFiles: readFiles(urls),
    trackerUrls: trackersOf(urls, v.id),
  });
}
