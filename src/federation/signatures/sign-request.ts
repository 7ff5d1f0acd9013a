import type { KeyObject } from 'node:crypto';
import { computeDigest, type RequestBody } from './digest.js';
import { formatHttpDate } from './http-date.js';
import type { HeaderMap } from './request-headers.js';
import { formatSignatureHeader } from './signature-header.js';
import { signWithPrivateKey } from './signature-algorithm.js';
import { buildSigningString } from './signing-string.js';

export interface SignRequestInput {
  readonly method: string;
  readonly url: string | URL;
  /** The request's other headers; only read for `extraSignedHeaders`. */
  readonly headers?: HeaderMap;
  readonly body?: RequestBody;
  /** Usually the actor's `publicKey.id` (`…#main-key`); PeerTube sends the bare actor URL. */
  readonly keyId: string;
  /** PEM (PKCS#8 or PKCS#1), or the same key parsed once with `crypto.createPrivateKey`. */
  readonly privateKeyPem: string | KeyObject;
  readonly now: Date;
  /** `rsa-sha256` (default, what PeerTube and Mastodon send) or `hs2019`. */
  readonly algorithm?: 'rsa-sha256' | 'hs2019';
  /** More headers of `headers` to cover, e.g. `content-type` as Mastodon does. */
  readonly extraSignedHeaders?: readonly string[];
}

/** Headers to set on the outgoing request; they replace any header of the same name. */
export type SignedRequestHeaders = {
  readonly Host: string;
  readonly Date: string;
  readonly Digest?: string;
  readonly Signature: string;
};

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function withoutNames(headers: HeaderMap, names: readonly string[]): HeaderMap {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

/**
 * Signs an outgoing request (draft-cavage, as PeerTube does): `(request-target) host date` on
 * requests without a body, plus `digest` on requests with one (POST always has one).
 */
export function signRequest(input: SignRequestInput): SignedRequestHeaders {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const method = input.method.toUpperCase();
  const withBody = input.body !== undefined || BODY_METHODS.has(method);
  const own: Record<string, string> = {
    host: url.host,
    date: formatHttpDate(input.now),
  };
  if (withBody) own.digest = computeDigest(input.body ?? '');

  const signedHeaders = ['(request-target)', 'host', 'date'];
  if (withBody) signedHeaders.push('digest');
  const extra = (input.extraSignedHeaders ?? []).map((h) => h.toLowerCase()).filter((h) => !signedHeaders.includes(h));
  signedHeaders.push(...extra);

  const signingString = buildSigningString({
    method,
    path: `${url.pathname}${url.search}`,
    headers: { ...withoutNames(input.headers ?? {}, Object.keys(own)), ...own },
    signedHeaders,
  });
  if (!signingString.ok) throw new TypeError(`cannot sign header "${signingString.absent}": the request does not carry it`);

  const algorithm = input.algorithm ?? 'rsa-sha256';
  const signature = signWithPrivateKey({ algorithm, privateKey: input.privateKeyPem, data: signingString.value });
  return {
    Host: own.host as string,
    Date: own.date as string,
    ...(own.digest === undefined ? {} : { Digest: own.digest }),
    Signature: formatSignatureHeader({ keyId: input.keyId, algorithm, headers: signedHeaders, signature }),
  };
}
