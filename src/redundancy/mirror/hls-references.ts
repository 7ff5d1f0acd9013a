/**
 * What an origin's master playlist points at, and the rule for every URL a playlist names: it must
 * be on the playlist's own origin (scheme, host, port) and in the playlist's own folder, and its
 * last path segment must be a plain file name. The copy keeps the origin's file names in one flat
 * folder, so the copied playlists work unchanged; a URL elsewhere is refused, never fetched
 * (a playlist must not make us request another host).
 */

export interface ResolvedReference {
  readonly url: URL;
  /** the last path segment, decoded: the name the file keeps in the copy */
  readonly filename: string;
}

export type ReferenceRefusal = {
  readonly type: 'bad-playlist';
  readonly message: string;
  /** the URL refused, when there is one */
  readonly url?: string;
};

export type ResolveReferenceResult = ({ readonly ok: true } & ResolvedReference) | { readonly ok: false; readonly reason: ReferenceRefusal };

/** A name a copied file may have: no separators, no leading dot, nothing a shell or URL mangles. */
const SAFE_FILENAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

export function isSafeFilename(name: string): boolean {
  return SAFE_FILENAME.test(name) && !name.includes('..');
}

function folderOf(url: URL): string {
  return url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
}

/** The file name a URL is saved under (its last path segment), or undefined when it is not safe. */
export function filenameOfUrl(url: URL): string | undefined {
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let decoded: string;
  try {
    decoded = decodeURIComponent(last);
  } catch {
    return undefined;
  }
  return isSafeFilename(decoded) ? decoded : undefined;
}

/**
 * Resolves `reference` (as written in a playlist fetched from `base`) and applies the same-origin,
 * same-folder and file-name rules against `playlistUrl` (the master playlist's URL).
 */
export function resolveReference(reference: string, base: URL, playlistUrl: URL): ResolveReferenceResult {
  let url: URL;
  try {
    url = new URL(reference, base);
  } catch {
    return { ok: false, reason: { type: 'bad-playlist', message: `not a URL: ${JSON.stringify(reference.slice(0, 200))}` } };
  }
  if (url.origin !== playlistUrl.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return {
      ok: false,
      reason: { type: 'bad-playlist', message: `${url.href} is not on the playlist's origin ${playlistUrl.origin}: refused`, url: url.href },
    };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: { type: 'bad-playlist', message: `${url.href} carries credentials: refused`, url: url.href } };
  }
  if (folderOf(url) !== folderOf(playlistUrl)) {
    return {
      ok: false,
      reason: { type: 'bad-playlist', message: `${url.href} is outside the playlist's folder ${folderOf(playlistUrl)}`, url: url.href },
    };
  }
  const filename = filenameOfUrl(url);
  if (filename === undefined) {
    return { ok: false, reason: { type: 'bad-playlist', message: `${url.href} does not end in a plain file name`, url: url.href } };
  }
  url.hash = '';
  return { ok: true, url, filename };
}

/** One playlist the master playlist names. */
export interface VariantReference {
  /** the URI as written */
  readonly uri: string;
  readonly kind: 'stream' | 'media' | 'i-frame';
  /** `TYPE` of an `#EXT-X-MEDIA` (AUDIO, VIDEO, SUBTITLES, CLOSED-CAPTIONS) */
  readonly mediaType?: string;
  /** the smaller side of `RESOLUTION=WxH`, as PeerTube numbers resolutions */
  readonly resolution?: number;
}

export type ParseMasterResult =
  | { readonly ok: true; readonly variants: readonly VariantReference[] }
  | { readonly ok: false; readonly reason: ReferenceRefusal };

/** `KEY=value,KEY="quoted, value"` */
export function parseAttributeList(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const raw = match[2] ?? '';
    attributes.set(match[1]!, raw.startsWith('"') ? raw.slice(1, -1) : raw);
  }
  return attributes;
}

function resolutionOf(attributes: Map<string, string>): number | undefined {
  const match = /^(\d+)x(\d+)$/.exec(attributes.get('RESOLUTION') ?? '');
  if (!match) return undefined;
  return Math.min(Number(match[1]), Number(match[2]));
}

/**
 * Lists the playlists of an HLS master playlist: `#EXT-X-STREAM-INF` variants, `#EXT-X-MEDIA`
 * renditions with a URI (separate audio), `#EXT-X-I-FRAME-STREAM-INF`. A media playlist given as
 * the master, or a master without any variant, is refused.
 */
export function parseMasterPlaylist(text: string): ParseMasterResult {
  const lines = text.split(/\r?\n/);
  const bad = (message: string): ParseMasterResult => ({ ok: false, reason: { type: 'bad-playlist', message: `master playlist: ${message}` } });
  if (lines[0]?.replace(/^\uFEFF/, '').trim() !== '#EXTM3U') return bad('missing #EXTM3U header');
  const variants: VariantReference[] = [];
  let pendingStream: Map<string, string> | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const colon = line.indexOf(':');
      const tag = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1);
      if (tag === '#EXTINF' || tag === '#EXT-X-BYTERANGE' || tag === '#EXT-X-MAP') {
        return bad(`line ${i + 1}: ${tag} belongs in a media playlist, not a master playlist`);
      }
      if (tag === '#EXT-X-STREAM-INF') pendingStream = parseAttributeList(value);
      else if (tag === '#EXT-X-MEDIA' || tag === '#EXT-X-I-FRAME-STREAM-INF') {
        const attributes = parseAttributeList(value);
        const uri = attributes.get('URI');
        if (uri === undefined) {
          if (tag === '#EXT-X-I-FRAME-STREAM-INF') return bad(`line ${i + 1}: ${tag} without URI`);
          continue; // an EXT-X-MEDIA without URI is carried inside the variant streams
        }
        const resolution = resolutionOf(attributes);
        variants.push({
          uri,
          kind: tag === '#EXT-X-MEDIA' ? 'media' : 'i-frame',
          ...(tag === '#EXT-X-MEDIA' ? { mediaType: attributes.get('TYPE') ?? '' } : {}),
          ...(resolution === undefined ? {} : { resolution }),
        });
      }
      continue;
    }
    if (pendingStream === undefined) return bad(`line ${i + 1}: URI ${JSON.stringify(line.slice(0, 200))} without #EXT-X-STREAM-INF`);
    const resolution = resolutionOf(pendingStream);
    variants.push({ uri: line, kind: 'stream', ...(resolution === undefined ? {} : { resolution }) });
    pendingStream = undefined;
  }
  if (variants.length === 0) return bad('no variant playlist');
  return { ok: true, variants };
}

/** PeerTube's resolution in a file name: `…-<res>-fragmented.mp4` or `…-<res>.m3u8`. */
export function resolutionFromFilename(filename: string): number | undefined {
  const match = /-(\d{1,5})(?:-fragmented\.mp4|\.m3u8)$/.exec(filename);
  return match ? Number(match[1]) : undefined;
}
