import { createHash } from 'node:crypto';

/** The kinds of remote images we serve, by their folder under `/lazy-static/`. */
export const REMOTE_IMAGE_KINDS = ['thumbnails', 'previews', 'avatars'] as const;
export type RemoteImageKind = (typeof REMOTE_IMAGE_KINDS)[number];

const EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif']);
/** Names we give remote images: 32 hex digits and an image extension (our local images are `<uuid>.jpg`). */
export const REMOTE_IMAGE_NAME = /^[0-9a-f]{32}\.(jpg|jpeg|png|webp|gif)$/;

/** The name a remote image is served under: a digest of its kind and URL, with the URL's image extension (else `.jpg`). */
export function remoteImageName(kind: RemoteImageKind, url: string): string {
  const digest = createHash('sha256').update(`${kind}\n${url}`).digest('hex').slice(0, 32);
  let ext = '.jpg';
  try {
    const match = /\.[a-z0-9]+$/i.exec(new URL(url).pathname);
    if (match && EXTENSIONS.has(match[0].toLowerCase())) ext = match[0].toLowerCase();
  } catch {
    // a URL we could not parse keeps the default extension (the parsers refuse them earlier)
  }
  return `${digest}${ext}`;
}
