import type { Tx } from '../lib/tx.js';

/** An actor (ours or remote) as federation code reads it: the stored columns, plain data. */
export interface ActorRecord {
  id: number;
  /** Person | Group | Application */
  type: string;
  preferredUsername: string;
  /** null for our own actors */
  host: string | null;
  url: string;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  outboxUrl: string | null;
  followersUrl: string | null;
  followingUrl: string | null;
  publicKeyPem: string | null;
  privateKeyPem: string | null;
  keyId: string | null;
  name: string | null;
  summary: string | null;
  lastFetchedAt: Date | null;
  avatarFilename: string | null;
  avatarWidth: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The actor lookups federation code shares: the instance actor (`peertube`, host null) above all,
 * which every sender, signer and follow list starts from (one query, written once).
 */
export interface ActorLookup {
  /** our instance actor; throws when the instance has not created it (a broken start-up) */
  instanceActor(tx?: Tx): Promise<ActorRecord>;
  /** our instance actor, or null before the instance created it */
  findInstanceActor(): Promise<ActorRecord | null>;
  /** any stored actor by its URL (id) */
  findByUrl(url: string): Promise<ActorRecord | null>;
  /** one of our actors by its URL */
  findLocalByUrl(url: string): Promise<ActorRecord | null>;
  /** one of our actors by its preferredUsername */
  findLocalByName(preferredUsername: string): Promise<ActorRecord | null>;
}
