import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Draft-cavage algorithm names we accept. `hs2019` (and a missing algorithm) means "derived from
 * the key": RSA keys verify as RSASSA-PKCS1-v1_5 with SHA-256, the way Mastodon, PeerTube and
 * Misskey use it; Ed25519 keys as Ed25519.
 */
export const HTTP_SIGNATURE_ALGORITHMS = ['rsa-sha256', 'rsa-sha512', 'hs2019', 'ed25519'] as const;
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

export function isSupportedAlgorithm(name: string | undefined): boolean {
  return name === undefined || (HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(name);
}

export type RawVerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'bad-signature' | 'unusable-key' | 'key-type-mismatch' };

function digestFor(algorithm: string | undefined, key: KeyObject): string | null | 'mismatch' {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    if (algorithm === 'rsa-sha512') return 'sha512';
    return algorithm === 'ed25519' ? 'mismatch' : 'sha256';
  }
  if (type === 'ed25519') return algorithm === undefined || algorithm === 'hs2019' || algorithm === 'ed25519' ? null : 'mismatch';
  return 'mismatch';
}

/**
 * Verifies `signature` over `data` under a draft-cavage algorithm name, with a public key given as
 * PEM or, cheaper, as an already parsed KeyObject (parsing a PEM costs ~10× the RSA verification).
 */
export function verifyWithPublicKey(input: {
  algorithm: string | undefined;
  publicKey: string | KeyObject;
  data: string;
  signature: Buffer;
}): RawVerifyResult {
  let key: KeyObject;
  if (typeof input.publicKey === 'string') {
    try {
      key = createPublicKey(input.publicKey);
    } catch {
      return { ok: false, reason: 'unusable-key' };
    }
  } else {
    if (input.publicKey.type !== 'public') return { ok: false, reason: 'unusable-key' };
    key = input.publicKey;
  }
  const hash = digestFor(input.algorithm, key);
  if (hash === 'mismatch') return { ok: false, reason: 'key-type-mismatch' };
  let valid: boolean;
  try {
    valid = verify(hash, Buffer.from(input.data, 'utf8'), key, input.signature);
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** Signs `data` with a private key (PEM, PKCS#8 or PKCS#1, or a parsed KeyObject); returns base64. */
export function signWithPrivateKey(input: { algorithm: string; privateKey: string | KeyObject; data: string }): string {
  const key = typeof input.privateKey === 'string' ? createPrivateKey(input.privateKey) : input.privateKey;
  const hash = digestFor(input.algorithm, key);
  if (hash === 'mismatch') {
    throw new TypeError(`algorithm ${input.algorithm} cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key`);
  }
  return sign(hash, Buffer.from(input.data, 'utf8'), key).toString('base64');
}
