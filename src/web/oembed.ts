import { escapeHtml } from './shell/html.js';
import { EMBED_SIZE, PREVIEW_SIZE } from './pages/video-tags.js';

/** The player options PeerTube copies from the shared URL into the embed's URL. */
const PLAYER_QUERY = new Set([
  'start', 'stop', 'loop', 'autoplay', 'muted', 'controls', 'controlBar', 'title', 'api', 'warningTitle', 'peertubeLink', 'p2p',
  'subtitle', 'bigPlayBackgroundColor', 'mode', 'foregroundColor', 'playbackRate', 'waitPasswordFromEmbedAPI', 'playlistPosition',
]);

export type OEmbedRequest =
  | { ok: true; videoRef: string; playerQuery: string; maxWidth: number | undefined; maxHeight: number | undefined }
  | { ok: false; status: 400 | 501; message: string };

const WATCH_PATH = /^\/(?:videos\/watch|w)\/([^/]+)\/?$/;

/** Checks `GET /services/oembed` as PeerTube's validator does: a json format, a watch URL of this instance. */
export function parseOEmbedRequest(query: Record<string, unknown>, instanceHost: string): OEmbedRequest {
  const format = query.format;
  if (format !== undefined && format !== 'json') return { ok: false, status: 501, message: 'Requested format is not implemented on server.' };
  if (typeof query.url !== 'string' || !query.url) return { ok: false, status: 400, message: 'Should have a valid url' };
  let url: URL;
  try {
    url = new URL(query.url);
  } catch {
    return { ok: false, status: 400, message: 'Should have a valid url' };
  }
  if (url.host !== instanceHost) return { ok: false, status: 400, message: 'Invalid url.' };
  const match = WATCH_PATH.exec(url.pathname);
  if (!match) return { ok: false, status: 400, message: 'Invalid url.' };
  const number = (v: unknown) => {
    if (typeof v !== 'string' || !/^\d{1,5}$/.test(v)) return undefined;
    return Number(v);
  };
  for (const key of ['maxwidth', 'maxheight'] as const) {
    if (query[key] !== undefined && number(query[key]) === undefined) return { ok: false, status: 400, message: `Should have a valid ${key}` };
  }
  const params = new URLSearchParams();
  url.searchParams.forEach((v, k) => {
    if (PLAYER_QUERY.has(k)) params.append(k, v);
  });
  const q = params.toString();
  return { ok: true, videoRef: decodeURIComponent(match[1]!), playerQuery: q ? `?${q}` : '', maxWidth: number(query.maxwidth), maxHeight: number(query.maxheight) };
}

/** PeerTube's oEmbed answer for a video (type video, an iframe of the embed). */
export function buildVideoOEmbed(input: {
  base: string;
  title: string;
  embedPath: string;
  playerQuery: string;
  previewPath: string | null;
  channel: { name: string; url: string };
  maxWidth: number | undefined;
  maxHeight: number | undefined;
}) {
  const width = input.maxWidth !== undefined && input.maxWidth < EMBED_SIZE.width ? input.maxWidth : EMBED_SIZE.width;
  const height = input.maxHeight !== undefined && input.maxHeight < EMBED_SIZE.height ? input.maxHeight : EMBED_SIZE.height;
  const embedUrl = input.base + input.embedPath + input.playerQuery;
  const thumbnailTooBig =
    (input.maxHeight !== undefined && input.maxHeight < PREVIEW_SIZE.height) || (input.maxWidth !== undefined && input.maxWidth < PREVIEW_SIZE.width);
  const thumbnail = input.previewPath && !thumbnailTooBig ? input.base + input.previewPath : undefined;
  const iframe =
    `<iframe width="${width}" height="${height}" sandbox="allow-same-origin allow-scripts allow-popups allow-forms" ` +
    `title="${escapeHtml(input.title)}" src="${escapeHtml(embedUrl)}" frameborder="0" allowfullscreen></iframe>`;
  return {
    type: 'video',
    version: '1.0',
    html: iframe,
    width,
    height,
    title: input.title,
    author_name: input.channel.name,
    author_url: input.channel.url,
    provider_name: 'PeerTube',
    provider_url: input.base,
    ...(thumbnail ? { thumbnail_url: thumbnail, thumbnail_width: PREVIEW_SIZE.width, thumbnail_height: PREVIEW_SIZE.height } : {}),
  };
}
