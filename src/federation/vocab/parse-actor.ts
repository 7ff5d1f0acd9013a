import { z } from 'zod';
import { fail, ok, type Result } from '../../lib/result.js';
import { apUrl, idOf, isApUrl, isoDate, truncate } from './ap-schemas.js';
import { PARSE_LIMITS } from './constants.js';
import { refusalFromZod, type VocabRefusal } from './refusal.js';

export const ACTOR_TYPES = ['Person', 'Group', 'Application', 'Service', 'Organization'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** A remote actor, normalised. */
export interface RemoteActor {
  type: ActorType;
  id: string;
  preferredUsername: string;
  name: string | null;
  summary: string | null;
  inbox: string;
  sharedInbox: string | null;
  outbox: string | null;
  followers: string | null;
  following: string | null;
  /** the actor's HTML page, when it has one */
  url: string | null;
  publicKey: { id: string; owner: string; publicKeyPem: string };
  published: string | null;
  /** a Group's owners (PeerTube: the channel's account) */
  attributedTo: string[];
  /** a PeerTube channel's support text */
  support: string | null;
  /** the largest image of `icon` (PeerTube's avatars), when it publishes one */
  avatar: { url: string; width: number | null } | null;
}

/** PeerTube's actor name alphabet (actorNameAlphabet). */
const PREFERRED_USERNAME = /^[A-Za-z0-9\-_.:]{1,255}$/;

const publicKeySchema = z.looseObject({
  id: apUrl,
  owner: apUrl,
  publicKeyPem: z
    .string()
    .min(10)
    .max(5000)
    .refine((pem) => pem.startsWith('-----BEGIN PUBLIC KEY-----') && pem.includes('-----END PUBLIC KEY-----'), 'must be a PEM public key'),
});

const optionalUrl = z.unknown().optional().transform((v) => (isApUrl(v) ? v : null));

const actorSchema = z.looseObject({
  id: apUrl,
  preferredUsername: z.string().regex(PREFERRED_USERNAME, 'must be 1-255 characters of A-Z a-z 0-9 - _ . :'),
  inbox: apUrl,
  outbox: optionalUrl,
  followers: optionalUrl,
  following: optionalUrl,
  endpoints: z.unknown().optional(),
  publicKey: publicKeySchema,
  name: z.unknown().optional(),
  summary: z.unknown().optional(),
  support: z.unknown().optional(),
  published: z.unknown().optional(),
  url: z.unknown().optional(),
  attributedTo: z.unknown().optional(),
  icon: z.unknown().optional(),
});

const AVATAR_MEDIA_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'image/gif']);

/** The largest Image of an actor's `icon` (one object, or PeerTube's list of sizes); null when none is usable. */
function largestIcon(icon: unknown): { url: string; width: number | null } | null {
  const list = (Array.isArray(icon) ? icon : [icon]).slice(0, PARSE_LIMITS.icons);
  let best: { url: string; width: number | null } | null = null;
  for (const i of list) {
    if (typeof i !== 'object' || i === null) continue;
    const { type, url, mediaType, width } = i as { type?: unknown; url?: unknown; mediaType?: unknown; width?: unknown };
    if (type !== 'Image' || !isApUrl(url) || (mediaType !== undefined && !AVATAR_MEDIA_TYPES.has(String(mediaType)))) continue;
    const w = typeof width === 'number' && Number.isInteger(width) && width > 0 ? width : null;
    if (best === null || (w ?? 0) > (best.width ?? 0)) best = { url, width: w };
  }
  return best;
}

/** The actor's HTML page: a URL string, or the first text/html Link of an array (PeerTube's setValidUrls). */
function pageUrl(url: unknown): string | null {
  if (isApUrl(url)) return url;
  const list = Array.isArray(url) ? url.slice(0, 20) : [url];
  for (const u of list) {
    if (isApUrl(u)) return u;
    if (typeof u === 'object' && u !== null && (u as { mediaType?: unknown }).mediaType === 'text/html' && isApUrl((u as { href?: unknown }).href)) {
      return (u as { href: string }).href;
    }
  }
  return null;
}

const text = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 ? truncate(value, max) : null);

/**
 * Reads a remote actor document (Person, Group, Application, Service, Organization). Refused when
 * the id, inbox, preferredUsername or public key is missing or malformed, when the key is not owned
 * by the actor itself, or when a Group has no owner (PeerTube attaches every channel to an account).
 */
export function parseActor(input: unknown): Result<RemoteActor, VocabRefusal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail({ type: 'not-an-object' });
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !(ACTOR_TYPES as readonly string[]).includes(type)) {
    return fail({ type: 'wrong-type', expected: ACTOR_TYPES, received: typeof type === 'string' ? type.slice(0, 100) : null });
  }
  const parsed = actorSchema.safeParse(input);
  if (!parsed.success) return fail(refusalFromZod(parsed.error, input));
  const a = parsed.data;
  if (a.publicKey.owner !== a.id) return fail({ type: 'invalid-field', field: 'publicKey.owner', message: 'the key must be owned by the actor itself' });

  const rawAttributed = a.attributedTo === undefined ? [] : Array.isArray(a.attributedTo) ? a.attributedTo : [a.attributedTo];
  if (rawAttributed.length > PARSE_LIMITS.attributedTo) return fail({ type: 'too-large', field: 'attributedTo', max: PARSE_LIMITS.attributedTo });
  const attributedTo = rawAttributed.map(idOf).filter(isApUrl);
  if (type === 'Group' && attributedTo.length === 0) return fail({ type: 'missing-field', field: 'attributedTo' });

  const endpoints = typeof a.endpoints === 'object' && a.endpoints !== null ? (a.endpoints as { sharedInbox?: unknown }) : {};
  const published = isoDate.safeParse(a.published);
  return ok({
    type: type as ActorType,
    id: a.id,
    preferredUsername: a.preferredUsername,
    name: text(a.name, 120),
    summary: text(a.summary, 1000),
    inbox: a.inbox,
    sharedInbox: isApUrl(endpoints.sharedInbox) ? endpoints.sharedInbox : null,
    outbox: a.outbox,
    followers: a.followers,
    following: a.following,
    url: pageUrl(a.url),
    publicKey: { id: a.publicKey.id, owner: a.publicKey.owner, publicKeyPem: a.publicKey.publicKeyPem },
    published: published.success ? published.data : null,
    attributedTo,
    support: text(a.support, 1000),
    avatar: largestIcon(a.icon),
  });
}
