import { html, raw, type SafeHtml } from '../shell/html.js';

/** PeerTube's embed size (EMBED_SIZE), used by its OpenGraph, Twitter and oEmbed answers. */
export const EMBED_SIZE = { width: 560, height: 315 } as const;
/** PeerTube's preview size (PREVIEWS_SIZE), the oEmbed thumbnail's announced size. */
export const PREVIEW_SIZE = { width: 850, height: 480 } as const;

export interface VideoTagInput {
  /** the instance's public base URL (no trailing slash) */
  base: string;
  siteName: string;
  name: string;
  description: string | null;
  /** `/w/<shortUUID>` */
  watchPath: string;
  /** `/videos/embed/<uuid>` */
  embedPath: string;
  /** `/lazy-static/previews/…` or null */
  previewPath: string | null;
  createdAt: Date;
  /** seconds */
  duration: number;
  views: number;
  /** remote or not public: PeerTube asks robots not to index it */
  noIndex: boolean;
}

/** PeerTube's truncated plain-text description (200 characters, lodash's `...`). */
export function truncatedDescription(text: string | null, length = 200): string {
  const plain = (text ?? '')
    .replace(/[*_`#>]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length <= length ? plain : `${plain.slice(0, length - 3)}...`;
}

/** ActivityStreams' duration (`PT123S`), as PeerTube's JSON-LD `duration`. */
export function activityDuration(seconds: number): string {
  return `PT${Math.round(seconds)}S`;
}

/**
 * The tags PeerTube's server adds to a watch page (TagsHtml.addTags): OpenGraph, the standard
 * ones, the Twitter card (`summary_large_image`: PeerTube's default when Twitter has not
 * whitelisted the instance), the oEmbed discovery link, schema.org JSON-LD, robots or canonical.
 */
export function videoTags(v: VideoTagInput, options: { og: boolean; twitter: boolean }): SafeHtml {
  const url = v.base + v.watchPath;
  const embedUrl = v.base + v.embedPath;
  const image = v.previewPath ? v.base + v.previewPath : undefined;
  const description = truncatedDescription(v.description);
  const meta: [string, string | number | undefined][] = [];
  if (options.og) {
    meta.push(['og:type', 'video'], ['og:site_name', v.siteName], ['og:title', v.name], ['og:image:url', image], ['og:url', url], ['og:description', description]);
    meta.push(['og:video:url', embedUrl], ['og:video:secure_url', embedUrl], ['og:video:type', 'text/html'], ['og:video:width', EMBED_SIZE.width], ['og:video:height', EMBED_SIZE.height]);
  }
  meta.push(['name', v.name], ['description', description], ['image', image]);
  if (options.twitter) {
    meta.push(['twitter:card', 'summary_large_image'], ['twitter:title', v.name], ['twitter:description', description], ['twitter:image:url', image]);
  }
  const jsonLd = {
    '@context': 'http://schema.org',
    '@type': 'VideoObject',
    name: v.name,
    description,
    image,
    url,
    embedUrl,
    uploadDate: v.createdAt.toISOString(),
    duration: activityDuration(v.duration),
    thumbnailUrl: image,
  };
  const oembed = `${v.base}/services/oembed?url=${encodeURIComponent(url)}`;
  return html`<meta name="description" content="${description}">
${meta.filter(([, value]) => value !== undefined && value !== '').map(([property, value]) => html`<meta property="${property}" content="${String(value)}">\n`)}<link rel="alternate" type="application/json+oembed" href="${oembed}" title="${v.name}">
<script type="application/ld+json">${jsonForScript(jsonLd)}</script>
${v.noIndex ? html`<meta name="robots" content="noindex">` : html`<link rel="canonical" href="${url}">`}`;
}

/** JSON inside a <script>: `<`, `>` and `&` escaped so no text can close the element. */
export function jsonForScript(value: unknown): SafeHtml {
  return raw(JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'));
}
