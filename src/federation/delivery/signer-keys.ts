import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Tx } from '../../lib/tx.js';

/** What signing needs of an actor. */
export interface Signer {
  readonly actorId: number;
  readonly actorUrl: string;
  /** `publicKey.id` (`<actor>#main-key`). */
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

export type SignerLookup =
  | { readonly ok: true; readonly signer: Signer }
  | { readonly ok: false; readonly reason: { readonly type: 'signer-not-found' | 'signer-without-key'; readonly actorId: number } };

export interface SignerKeys {
  load(actorId: number, tx?: Tx): Promise<SignerLookup>;
}

/** Where an actor's signing key is kept (signer-key-store.ts over the database). */
export interface SignerKeyStore {
  /** the actor's URL, published key id and private key; null for an unknown actor */
  find(actorId: number, tx?: Tx): Promise<{ url: string; keyId: string | null; privateKeyPem: string | null } | null>;
}

/**
 * Loads a local actor's signing key from its store on every call (a rotated key is used at
 * once) and keeps the parsed KeyObject while the PEM is unchanged: parsing costs more than signing.
 */
export function createSignerKeys(store: SignerKeyStore, options: { maxCached?: number } = {}): SignerKeys {
  const maxCached = options.maxCached ?? 100;
  const parsed = new Map<number, { pem: string; key: KeyObject }>();

  return {
    async load(actorId, tx) {
      const actor = await store.find(actorId, tx);
      if (!actor) return { ok: false, reason: { type: 'signer-not-found', actorId } };
      if (!actor.privateKeyPem) return { ok: false, reason: { type: 'signer-without-key', actorId } };
      let entry = parsed.get(actorId);
      if (!entry || entry.pem !== actor.privateKeyPem) {
        entry = { pem: actor.privateKeyPem, key: createPrivateKey(actor.privateKeyPem) };
        parsed.delete(actorId);
        if (parsed.size >= maxCached) parsed.delete(parsed.keys().next().value as number);
        parsed.set(actorId, entry);
      }
      return { ok: true, signer: { actorId, actorUrl: actor.url, keyId: actor.keyId ?? `${actor.url}#main-key`, privateKey: entry.key } };
    },
  };
}
