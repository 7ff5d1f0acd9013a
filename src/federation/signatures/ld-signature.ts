import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SECURITY_V1_CONTEXT_URL } from '../contexts/index.js';
import { canonicalizeJsonLd, sha256Hex, type CanonicalizationFailure } from './ld-canonical-form.js';
import { hasLegacyEscapeDifference, toLegacyNQuads } from './legacy-nquads.js';

/** A Linked Data signature block as Mastodon and PeerTube attach it to activities. */
export interface RsaSignature2017 {
  readonly type: 'RsaSignature2017';
  /** Mastodon: the key id (`…#main-key`); PeerTube: the actor URL. */
  readonly creator: string;
  /** ISO 8601 instant. */
  readonly created: string;
  readonly signatureValue: string;
  readonly [extra: string]: unknown;
}

export type LdSignatureFailure =
  | { readonly type: 'missing-ld-signature' }
  | { readonly type: 'ld-unsupported-signature-type'; readonly signatureType: string }
  | { readonly type: 'ld-signature-invalid'; readonly detail: string }
  | { readonly type: 'ld-unsigned-terms'; readonly terms: readonly string[] }
  | CanonicalizationFailure;

export type ReadLdSignatureResult =
  | { readonly ok: true; readonly signature: RsaSignature2017 }
  | { readonly ok: false; readonly reason: LdSignatureFailure };

export type VerifyJsonLdResult =
  | {
      readonly ok: true;
      readonly creator: string;
      readonly created: string;
      /** Terms of the document the signature does not cover (undefined in its @context). */
      readonly unsignedTerms: readonly string[];
    }
  | { readonly ok: false; readonly reason: LdSignatureFailure };

// The context PeerTube hashes the signature options with. Mastodon and fedify name
// https://w3id.org/identity/v1 instead; for creator, created, nonce and domain both contexts map
// to the same IRIs (dc:creator as @id, dc:created as xsd:dateTime, sec:nonce, sec:domain), so
// the canonical N-Quads and therefore the hashes are identical.
const OPTIONS_CONTEXT = [SECURITY_V1_CONTEXT_URL, { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' }];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and shape-checks the `signature` block of a document (pure). */
export function readLdSignature(document: unknown): ReadLdSignatureResult {
  if (!isRecord(document) || document.signature === undefined) return { ok: false, reason: { type: 'missing-ld-signature' } };
  const signature = document.signature;
  if (!isRecord(signature)) return { ok: false, reason: { type: 'ld-signature-invalid', detail: 'signature is not an object' } };
  if (signature.type !== 'RsaSignature2017') {
    return { ok: false, reason: { type: 'ld-unsupported-signature-type', signatureType: String(signature.type) } };
  }
  for (const field of ['creator', 'created', 'signatureValue'] as const) {
    if (typeof signature[field] !== 'string' || signature[field] === '') {
      return { ok: false, reason: { type: 'ld-signature-invalid', detail: `signature.${field} is missing` } };
    }
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature.signatureValue as string)) {
    return { ok: false, reason: { type: 'ld-signature-invalid', detail: 'signatureValue is not base64' } };
  }
  return { ok: true, signature: signature as RsaSignature2017 };
}

/** The signature options as hashed: the block minus type, id, signatureValue and any JSON-LD keyword. */
function optionsDocument(signature: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(signature)) {
    if (key === 'type' || key === 'id' || key === 'signatureValue' || key.startsWith('@')) continue;
    options[key] = value;
  }
  return { '@context': OPTIONS_CONTEXT, ...options };
}

function withoutSignature(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  delete copy.signature;
  return copy;
}

/** Signs a JSON-LD document (which must carry its @context) with an RsaSignature2017 block. */
export async function signJsonLd<T extends Readonly<Record<string, unknown>>>(
  document: T,
  options: { readonly creator: string; readonly privateKeyPem: string | KeyObject; readonly now: Date },
): Promise<Omit<T, 'signature'> & { signature: RsaSignature2017 }> {
  const unsigned = withoutSignature(document) as Omit<T, 'signature'>;
  const block = { creator: options.creator, created: options.now.toISOString() };
  const [optionsForm, documentForm] = await Promise.all([
    canonicalizeJsonLd(optionsDocument(block)),
    canonicalizeJsonLd(unsigned),
  ]);
  if (!documentForm.ok) throw new TypeError(`cannot sign this document: ${JSON.stringify(documentForm.reason)}`);
  if (!optionsForm.ok) throw new TypeError(`cannot sign these options: ${JSON.stringify(optionsForm.reason)}`);
  const message = sha256Hex(optionsForm.value.nquads) + sha256Hex(documentForm.value.nquads);
  const privateKey = typeof options.privateKeyPem === 'string' ? createPrivateKey(options.privateKeyPem) : options.privateKeyPem;
  const signatureValue = sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64');
  return { ...unsigned, signature: { type: 'RsaSignature2017', ...block, signatureValue } };
}

/**
 * Verifies the RsaSignature2017 of a document against the creator's public key (PEM or parsed
 * KeyObject; fetching that key
 * from `signature.creator` is the caller's job; read it with `readLdSignature`). Canonicalisation
 * is offline, refuses smuggling keywords and unknown contexts. With `rejectUnsignedTerms`, a
 * document holding terms the signature cannot cover is refused as well.
 */
export async function verifyJsonLd(
  document: unknown,
  publicKey: string | KeyObject,
  options: { readonly rejectUnsignedTerms?: boolean } = {},
): Promise<VerifyJsonLdResult> {
  const read = readLdSignature(document);
  if (!read.ok) return read;
  const signature = read.signature;

  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  } catch {
    return { ok: false, reason: { type: 'ld-signature-invalid', detail: 'unusable public key' } };
  }
  if (key.type !== 'public') return { ok: false, reason: { type: 'ld-signature-invalid', detail: 'unusable public key' } };

  const [documentForm, optionsForm] = await Promise.all([
    canonicalizeJsonLd(withoutSignature(document as Record<string, unknown>)),
    canonicalizeJsonLd(optionsDocument(signature)),
  ]);
  if (!documentForm.ok) return documentForm;
  if (!optionsForm.ok) return optionsForm;

  const signatureBytes = Buffer.from(signature.signatureValue, 'base64');
  const check = (optionsNQuads: string, documentNQuads: string): boolean => {
    const message = sha256Hex(optionsNQuads) + sha256Hex(documentNQuads);
    try {
      return verify('sha256', Buffer.from(message, 'utf8'), key, signatureBytes);
    } catch {
      return false;
    }
  };

  let valid = check(optionsForm.value.nquads, documentForm.value.nquads);
  if (!valid && hasLegacyEscapeDifference(documentForm.value.nquads + optionsForm.value.nquads)) {
    valid = check(toLegacyNQuads(optionsForm.value.nquads), toLegacyNQuads(documentForm.value.nquads));
  }
  if (!valid) return { ok: false, reason: { type: 'ld-signature-invalid', detail: 'the signature does not match the document' } };

  const unsignedTerms = documentForm.value.unsignedTerms;
  if (options.rejectUnsignedTerms === true && unsignedTerms.length > 0) {
    return { ok: false, reason: { type: 'ld-unsigned-terms', terms: unsignedTerms } };
  }
  return { ok: true, creator: signature.creator, created: signature.created, unsignedTerms };
}
