import type { KeyObject } from 'node:crypto';
import { checkDigest, type RequestBody } from './digest.js';
import { parseHttpDate } from './http-date.js';
import { getHeader, type HeaderMap } from './request-headers.js';
import { isSupportedAlgorithm, verifyWithPublicKey } from './signature-algorithm.js';
import { parseSignatureHeader, type SignatureParams } from './signature-header.js';
import { buildSigningString } from './signing-string.js';

/** A public key as published in an actor's `publicKey`. */
export interface PublicKeyRecord {
  readonly id: string;
  readonly owner: string;
  readonly publicKeyPem: string;
  /**
   * The same key already parsed (`crypto.createPublicKey(publicKeyPem)`). A key cache should fill
   * it once: parsing the PEM on every request costs about ten RSA verifications.
   */
  readonly keyObject?: KeyObject;
}

export type FetchPublicKeyResult =
  | { readonly ok: true; readonly key: PublicKeyRecord; /** true when served from a cache */ readonly cached?: boolean }
  | { readonly ok: false; readonly reason: { readonly type: string; readonly detail?: string } };

/**
 * The port through which the verifier obtains a key (SSRF-safe fetch, cache, `acct:` resolution
 * are the implementer's business). `refresh: true` asks to bypass the cache: it is used once, when
 * a cached key fails to verify (the sender may have rotated its key).
 */
export type FetchPublicKey = (keyId: string, options: { readonly refresh: boolean }) => Promise<FetchPublicKeyResult>;

/** An incoming request as plain data; no Node `IncomingMessage` needed. */
export interface IncomingRequestDescription {
  readonly method: string;
  /** Path with query string as on the request line. */
  readonly path: string;
  readonly headers: HeaderMap;
  /** The raw body bytes as received (the Digest is over these, not over re-serialised JSON). */
  readonly body?: RequestBody;
}

export type SignedHeaderRequirement = '(request-target)' | 'host' | 'date' | 'digest';

export type RequestSignatureFailure =
  | { readonly type: 'missing-signature' }
  | { readonly type: 'malformed-signature'; readonly detail: string }
  | { readonly type: 'unsupported-algorithm'; readonly algorithm: string }
  | { readonly type: 'missing-signed-header'; readonly header: SignedHeaderRequirement }
  | { readonly type: 'host-mismatch'; readonly expected: string; readonly received: string | undefined }
  | { readonly type: 'date-out-of-window'; readonly detail: string }
  | { readonly type: 'digest-missing'; readonly detail: string }
  | { readonly type: 'digest-mismatch'; readonly algorithm: string }
  | {
      readonly type: 'key-unavailable';
      readonly keyId: string;
      readonly cause: { readonly type: string; readonly detail?: string };
    }
  | { readonly type: 'bad-signature'; readonly keyId: string; readonly detail?: string };

export type VerifyRequestResult =
  | {
      readonly ok: true;
      readonly keyId: string;
      /** The actor that owns the key: compare it with `activity.actor` (see checkActivityOrigin). */
      readonly owner: string;
      readonly key: PublicKeyRecord;
      readonly signedHeaders: readonly string[];
      /** false when the sender signed (request-target) without the query string (PeerTube does). */
      readonly querySigned: boolean;
    }
  | { readonly ok: false; readonly reason: RequestSignatureFailure };

export interface VerifyRequestSignatureInput {
  readonly request: IncomingRequestDescription;
  readonly now: Date;
  readonly fetchPublicKey: FetchPublicKey;
  /** How far `Date`/`(created)` may be from our clock, either way. Default 3600 s. */
  readonly maxSkewSeconds?: number;
  /** How old `Date`/`(created)` may be at most. Default 43200 s (12 h). */
  readonly maxAgeSeconds?: number;
  /**
   * Our own public host (`videos.example`, with the port if not the default one). When given, a
   * request signed for another host is refused: that stops a signed request to another instance
   * being replayed against us.
   */
  readonly expectedHost?: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function fail(reason: RequestSignatureFailure): { ok: false; reason: RequestSignatureFailure } {
  return { ok: false, reason };
}

function findSignatureHeader(headers: HeaderMap): string | undefined {
  const signature = getHeader(headers, 'signature');
  if (signature !== undefined) return signature;
  const authorization = getHeader(headers, 'authorization');
  return authorization !== undefined && /^signature\s/i.test(authorization) ? authorization : undefined;
}

function missingRequirement(params: SignatureParams, needsDigest: boolean): SignedHeaderRequirement | undefined {
  const signed = params.headers;
  if (!signed.includes('(request-target)')) return '(request-target)';
  if (!signed.includes('host')) return 'host';
  if (!signed.includes('date') && !signed.includes('(created)')) return 'date';
  if (needsDigest && !signed.includes('digest')) return 'digest';
  return undefined;
}

function checkWindow(what: string, atMs: number, nowMs: number, skewMs: number, maxAgeMs: number): string | undefined {
  if (atMs > nowMs + skewMs) return `${what} is ${Math.round((atMs - nowMs) / 1000)} s in the future`;
  if (atMs < nowMs - skewMs || nowMs - atMs > maxAgeMs) return `${what} is ${Math.round((nowMs - atMs) / 1000)} s old`;
  return undefined;
}

function checkFreshness(
  params: SignatureParams,
  headers: HeaderMap,
  now: Date,
  skewMs: number,
  maxAgeMs: number,
): RequestSignatureFailure | undefined {
  const nowMs = now.getTime();
  if (params.headers.includes('date')) {
    const header = getHeader(headers, 'date');
    if (header === undefined) return { type: 'malformed-signature', detail: 'date is signed but the request has no Date header' };
    const at = parseHttpDate(header);
    if (at === undefined) return { type: 'malformed-signature', detail: `unparseable Date header: ${header.slice(0, 64)}` };
    const problem = checkWindow('Date', at, nowMs, skewMs, maxAgeMs);
    if (problem !== undefined) return { type: 'date-out-of-window', detail: problem };
  }
  if (params.headers.includes('(created)')) {
    if (params.created === undefined) return { type: 'malformed-signature', detail: '(created) is signed but has no created parameter' };
    const problem = checkWindow('(created)', params.created * 1000, nowMs, skewMs, maxAgeMs);
    if (problem !== undefined) return { type: 'date-out-of-window', detail: problem };
  }
  if (params.expires !== undefined && nowMs > params.expires * 1000) {
    return { type: 'date-out-of-window', detail: 'the signature has expired' };
  }
  return undefined;
}

/**
 * Verifies a draft-cavage HTTP signature on an incoming request. Every cheap check runs before
 * the key is asked for: header shape, algorithm, the signed-header set ((request-target), host,
 * date or (created), and digest when there is a body), freshness, and the body's Digest. Only
 * then is `fetchPublicKey` called — at most twice, the second time bypassing its cache when a
 * cached key does not verify. A signature whose (request-target) leaves out the query string, as
 * PeerTube 6 sends on paged GETs, is accepted with `querySigned: false`.
 */
export async function verifyRequestSignature(input: VerifyRequestSignatureInput): Promise<VerifyRequestResult> {
  const { request, now } = input;
  const skewMs = (input.maxSkewSeconds ?? 3600) * 1000;
  const maxAgeMs = (input.maxAgeSeconds ?? 43200) * 1000;

  if (getHeader(request.headers, 'signature-input') !== undefined) {
    return fail({ type: 'malformed-signature', detail: 'RFC 9421 signatures (Signature-Input) are not supported' });
  }
  const header = findSignatureHeader(request.headers);
  if (header === undefined) return fail({ type: 'missing-signature' });
  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) return fail(parsed.reason);
  const params = parsed.params;

  if (!isSupportedAlgorithm(params.algorithm)) {
    return fail({ type: 'unsupported-algorithm', algorithm: params.algorithm ?? '' });
  }

  const method = request.method.toUpperCase();
  const body = request.body ?? '';
  const needsDigest = body.length > 0 || BODY_METHODS.has(method);
  const missing = missingRequirement(params, needsDigest);
  if (missing !== undefined) return fail({ type: 'missing-signed-header', header: missing });

  if (input.expectedHost !== undefined) {
    const host = getHeader(request.headers, 'host');
    if (host?.toLowerCase() !== input.expectedHost.toLowerCase()) {
      return fail({ type: 'host-mismatch', expected: input.expectedHost, received: host });
    }
  }

  const stale = checkFreshness(params, request.headers, now, skewMs, maxAgeMs);
  if (stale !== undefined) return fail(stale);

  const digestHeader = getHeader(request.headers, 'digest');
  if (needsDigest || digestHeader !== undefined) {
    const digest = checkDigest(digestHeader, body);
    if (!digest.ok) return fail(digest.reason);
  }

  const signingString = buildSigningString({
    method,
    path: request.path,
    headers: request.headers,
    signedHeaders: params.headers,
    created: params.created,
    expires: params.expires,
  });
  if (!signingString.ok) {
    return fail({ type: 'malformed-signature', detail: `${signingString.absent} is signed but absent from the request` });
  }

  // PeerTube (6.x at least) and older Mastodon sign (request-target) without the query string.
  // Like Mastodon, accept that form too, and say so in the result.
  const queryAt = request.path.indexOf('?');
  const withoutQuery =
    queryAt >= 0 && params.headers.includes('(request-target)')
      ? buildSigningString({
          method,
          path: request.path.slice(0, queryAt),
          headers: request.headers,
          signedHeaders: params.headers,
          created: params.created,
          expires: params.expires,
        })
      : undefined;

  let refresh = false;
  while (true) {
    const fetched = await input.fetchPublicKey(params.keyId, { refresh });
    if (!fetched.ok) return fail({ type: 'key-unavailable', keyId: params.keyId, cause: fetched.reason });
    const attempt = (data: string) =>
      verifyWithPublicKey({
        algorithm: params.algorithm,
        publicKey: fetched.key.keyObject ?? fetched.key.publicKeyPem,
        data,
        signature: params.signature,
      });
    let verified = attempt(signingString.value);
    let querySigned = true;
    if (!verified.ok && verified.reason === 'bad-signature' && withoutQuery?.ok === true) {
      verified = attempt(withoutQuery.value);
      querySigned = !verified.ok;
    }
    if (verified.ok) {
      return { ok: true, keyId: params.keyId, owner: fetched.key.owner, key: fetched.key, signedHeaders: params.headers, querySigned };
    }
    if (verified.reason === 'unusable-key') {
      return fail({ type: 'key-unavailable', keyId: params.keyId, cause: { type: 'unusable-key', detail: 'the published public key is not usable' } });
    }
    if (fetched.cached === true && !refresh) {
      refresh = true;
      continue;
    }
    return fail({
      type: 'bad-signature',
      keyId: params.keyId,
      ...(verified.reason === 'key-type-mismatch' ? { detail: 'the algorithm does not match the key type' } : {}),
    });
  }
}
