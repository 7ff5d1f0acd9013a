import { createHash, timingSafeEqual } from 'node:crypto';

export type RequestBody = Buffer | Uint8Array | string;

/** The `Digest` header value for a body: `SHA-256=<base64>` (RFC 3230, as Mastodon and PeerTube send it). */
export function computeDigest(body: RequestBody): string {
  return `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}

export type DigestFailure =
  | { readonly type: 'digest-missing'; readonly detail: string }
  | { readonly type: 'digest-mismatch'; readonly algorithm: string };

export type DigestCheckResult =
  | { readonly ok: true; readonly algorithms: readonly string[] }
  | { readonly ok: false; readonly reason: DigestFailure };

const SUPPORTED: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/**
 * Checks a `Digest` header against the body. Algorithm names are case-insensitive; a header may
 * list several digests (`SHA-256=…, SHA-512=…`): every supported one must match, and at least one
 * must be supported. Unknown algorithms (MD5, …) are ignored.
 */
export function checkDigest(header: string | undefined, body: RequestBody): DigestCheckResult {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: { type: 'digest-missing', detail: 'no Digest header' } };
  }
  const checked: string[] = [];
  for (const entry of header.split(',')) {
    const separator = entry.indexOf('=');
    if (separator < 0) continue;
    const name = entry.slice(0, separator).trim().toLowerCase();
    const hash = SUPPORTED[name];
    if (hash === undefined) continue;
    const claimed = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
    const actual = createHash(hash).update(body).digest();
    if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) {
      return { ok: false, reason: { type: 'digest-mismatch', algorithm: name.toUpperCase() } };
    }
    checked.push(name.toUpperCase());
  }
  if (checked.length === 0) {
    return { ok: false, reason: { type: 'digest-missing', detail: 'no SHA-256 or SHA-512 digest in the Digest header' } };
  }
  return { ok: true, algorithms: checked };
}
