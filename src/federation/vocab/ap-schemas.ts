import { z } from 'zod';
import { AP_PUBLIC, MAX_URL_LENGTH, PARSE_LIMITS } from './constants.js';

/** True for an absolute http(s) URL of at most MAX_URL_LENGTH characters (isActivityPubUrlValid). */
export function isApUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** An ActivityPub id / link: absolute http(s) URL. */
export const apUrl = z.string().refine(isApUrl, 'must be an absolute http(s) URL of at most 2000 characters');

/** `"https://…"` or `{ "id": "https://…", … }`, read as the id. */
export const idReference = z.union([apUrl, z.looseObject({ id: apUrl }).transform((o) => o.id)]);

const PUBLIC_ALIASES = new Set(['as:Public', 'Public']);

/** `to`/`cc`: absent, one address or a bounded list; the Public aliases are normalised. */
export const addressList = z
  .preprocess((v) => (typeof v === 'string' ? [v] : (v ?? [])), z.array(z.string().max(MAX_URL_LENGTH)).max(PARSE_LIMITS.addresses))
  .transform((list) => list.map((a) => (PUBLIC_ALIASES.has(a) ? AP_PUBLIC : a)));

/** A date string JavaScript can read, normalised to ISO 8601 (UTC, milliseconds). */
export const isoDate = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date')
  .transform((s) => new Date(s).toISOString());

/** One value or an array of them, as an array (ActivityStreams allows both). */
export function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess((v) => (v === undefined || v === null || Array.isArray(v) ? v : [v]), z.array(item).max(max));
}

/** A non-negative integer, also when sent as a numeric string. */
export const nonNegativeInt = z.union([z.number(), z.string().regex(/^\d{1,15}$/).transform(Number)]).pipe(z.number().int().min(0));

/** The id of a string-or-object value, when there is one. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return null;
}

/** Text cut to `max` characters (PeerTube truncates long remote descriptions rather than refusing them). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
