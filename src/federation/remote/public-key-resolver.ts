import { createPublicKey, type KeyObject } from 'node:crypto';
import { remoteActorRecord } from './actor-store.js';
import type { Clock } from '../../lib/clock.js';
import type { FetchPublicKey, FetchPublicKeyResult, PublicKeyRecord } from '../signatures/index.js';
import { parseActorDocument, parseKeyDocument, type ParseActor, type PublishedKey, type FetchedActor } from './actor-document.js';
import type { RemoteActorStore, StoredActorKey } from './actor-store.js';
import type { FetchJsonFailure, SignWith } from './fetch-json.js';
import type { SafeFetcher } from './safe-fetcher.js';
import type { ResolveWebfinger } from './webfinger.js';

/** Why a key could not be resolved: the `reason.type` of a failed FetchPublicKeyResult. */
export type KeyResolutionFailureType =
  | FetchJsonFailure['type']
  | 'bad-key-id'
  | 'webfinger'
  | 'bad-actor'
  | 'foreign-document'
  | 'key-not-found'
  | 'owner-mismatch'
  | 'foreign-key'
  | 'unusable-key'
  | 'local-actor';

export interface PublicKeyResolverOptions {
  readonly fetcher: Pick<SafeFetcher, 'fetchJson'>;
  readonly store: RemoteActorStore;
  readonly clock: Clock;
  /** a stored remote key older than this is fetched again (config `federation.remote_object_max_age`) */
  readonly maxAgeMs: number;
  /** default: the small zod parse of ./actor-document.ts */
  readonly parseActor?: ParseActor;
  /** resolves `acct:` key ids; without it they are refused */
  readonly webfinger?: ResolveWebfinger;
  /** sign the GETs (instances in "authorized fetch" mode require it); a function is asked each time */
  readonly signWith?: SignWith | (() => Promise<SignWith | undefined>);
  /**
   * A `refresh` within this long of the last fetch answers the stored key without fetching again:
   * a flood of badly signed requests then cannot make us refetch an actor each time. Default 0.
   */
  readonly minRefreshIntervalMs?: number;
  /** parsed keys kept in memory (parsing a PEM costs about ten verifications); default 1000 */
  readonly keyObjectCacheSize?: number;
}

type Failure = { ok: false; reason: { type: KeyResolutionFailureType; detail: string } };
const fail = (type: KeyResolutionFailureType, detail: string): Failure => ({ ok: false, reason: { type, detail } });

/** Failures after which a stale stored key is still used (the sender's host is down, not changed). */
const TRANSIENT = new Set<string>(['timeout', 'network']);

function normalize(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

function withoutFragment(url: string): string {
  const at = url.indexOf('#');
  return at < 0 ? url : url.slice(0, at);
}

/**
 * The signature layer's `FetchPublicKey` port over the safe fetcher and an actor store
 * (inbound-checks.md step 3). A key id is `<actor>#main-key`, the bare actor URL (PeerTube), a
 * URL that dereferences to the actor or to a key document, or `acct:name@host` (WebFinger). The
 * document is fetched without the fragment; its `id` must be on the origin it was served from; the
 * key must be the one named by the key id (or the actor's key, when the key id is the actor's id),
 * owned by that actor and on its origin. A stored key younger than `maxAgeMs` is answered without
 * a request (`cached: true`); `refresh: true` fetches again (key rotation). Local actors' keys are
 * answered from the store and never fetched.
 */
export function createPublicKeyResolver(options: PublicKeyResolverOptions): FetchPublicKey {
  const parseActor = options.parseActor ?? parseActorDocument;
  const keyObjectCacheSize = options.keyObjectCacheSize ?? 1000;
  const keyObjects = new Map<string, KeyObject>();
  const inFlight = new Map<string, Promise<FetchPublicKeyResult>>();

  function keyObjectFor(pem: string): KeyObject | undefined {
    const known = keyObjects.get(pem);
    if (known !== undefined) return known;
    let parsed: KeyObject;
    try {
      parsed = createPublicKey(pem);
    } catch {
      return undefined;
    }
    keyObjects.set(pem, parsed);
    for (const oldest of keyObjects.keys()) {
      if (keyObjects.size <= keyObjectCacheSize) break;
      keyObjects.delete(oldest);
    }
    return parsed;
  }

  function fromStore(stored: StoredActorKey, requested: string): FetchPublicKeyResult {
    const keyObject = keyObjectFor(stored.publicKeyPem);
    if (keyObject === undefined) return fail('unusable-key', `the stored key of ${stored.actorUrl} is not usable`);
    return { ok: true, cached: true, key: { id: stored.keyId ?? requested, owner: stored.actorUrl, publicKeyPem: stored.publicKeyPem, keyObject } };
  }

  async function signer(): Promise<SignWith | undefined> {
    return typeof options.signWith === 'function' ? options.signWith() : options.signWith;
  }

  async function fetchDocument(url: string): Promise<{ ok: true; json: unknown; url: string } | Failure> {
    const signWith = await signer();
    const fetched = await options.fetcher.fetchJson(url, signWith === undefined ? {} : { signWith });
    if (!fetched.ok) return fail(fetched.reason.type, fetched.reason.message);
    return { ok: true, json: fetched.json, url: fetched.url };
  }

  function selectKey(actor: FetchedActor, keyId: string): { ok: true; key: PublishedKey; keyObject: KeyObject } | Failure {
    const actorId = normalize(actor.url);
    let key = actor.publicKeys.find((k) => normalize(k.id) === keyId);
    if (key === undefined) {
      if (keyId !== actorId) return fail('key-not-found', `${actor.url} publishes no key ${keyId}`);
      key = actor.publicKeys.find((k) => normalize(k.owner) === actorId) ?? actor.publicKeys[0];
      if (key === undefined) return fail('key-not-found', `${actor.url} publishes no public key`);
    }
    if (normalize(key.owner) !== actorId) return fail('owner-mismatch', `key ${key.id} is owned by ${key.owner}, not by ${actor.url}`);
    if (originOf(key.id) !== originOf(actor.url)) return fail('foreign-key', `key ${key.id} is not on the origin of ${actor.url}`);
    const keyObject = keyObjectFor(key.publicKeyPem);
    if (keyObject === undefined) return fail('unusable-key', `the key ${key.id} of ${actor.url} is not a usable public key`);
    return { ok: true, key, keyObject };
  }

  async function fetchKey(keyId: string): Promise<{ ok: true; actor: FetchedActor; key: PublishedKey; keyObject: KeyObject } | Failure> {
    const document = await fetchDocument(withoutFragment(keyId));
    if (!document.ok) return document;
    let parsed = parseActor(document.json);
    let servedFrom = document.url;
    let expectedOwner: string | undefined;
    if (!parsed.ok) {
      // Not an actor: maybe a key document of its own, whose owner is then fetched.
      const keyDocument = parseKeyDocument(document.json);
      if (!keyDocument.ok) return fail('bad-actor', `${document.url}: ${parsed.message}`);
      const { id, owner } = keyDocument.key;
      if (normalize(id) !== keyId) return fail('key-not-found', `${document.url} describes key ${id}, not ${keyId}`);
      if (originOf(id) !== originOf(document.url)) return fail('foreign-document', `${document.url} serves key ${id} of another origin`);
      if (originOf(owner) !== originOf(id)) return fail('foreign-key', `key ${id} names an owner on another origin: ${owner}`);
      const ownerDocument = await fetchDocument(owner);
      if (!ownerDocument.ok) return ownerDocument;
      parsed = parseActor(ownerDocument.json);
      if (!parsed.ok) return fail('bad-actor', `${ownerDocument.url}: ${parsed.message}`);
      servedFrom = ownerDocument.url;
      expectedOwner = normalize(owner);
    }
    const actor = parsed.actor;
    if (originOf(actor.url) !== originOf(servedFrom)) return fail('foreign-document', `${servedFrom} serves an actor of another origin: ${actor.url}`);
    if (expectedOwner !== undefined && normalize(actor.url) !== expectedOwner) {
      return fail('owner-mismatch', `the key names ${expectedOwner} as owner but that document is actor ${actor.url}`);
    }
    const selected = selectKey(actor, keyId);
    if (!selected.ok) return selected;
    return { ok: true, actor, key: selected.key, keyObject: selected.keyObject };
  }

  async function resolve(rawKeyId: string, refresh: boolean): Promise<FetchPublicKeyResult> {
    let keyId: string;
    if (/^acct:/i.test(rawKeyId)) {
      if (options.webfinger === undefined) return fail('bad-key-id', `acct: key ids are not resolved here: ${rawKeyId.slice(0, 200)}`);
      const found = await options.webfinger(rawKeyId);
      if (!found.ok) return fail('webfinger', found.reason.message);
      keyId = normalize(found.actorUrl);
    } else {
      let url: URL;
      try {
        url = new URL(rawKeyId);
      } catch {
        return fail('bad-key-id', `not a URL: ${rawKeyId.slice(0, 200)}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('bad-key-id', `not an http(s) key id: ${rawKeyId.slice(0, 200)}`);
      keyId = url.href;
    }

    const stored = await options.store.findByKeyId(keyId);
    if (stored?.local === true) return fromStore(stored, keyId);
    const now = options.clock.now();
    const fresh = stored?.lastFetchedAt != null && now.getTime() - stored.lastFetchedAt.getTime() < options.maxAgeMs;
    if (stored !== undefined && fresh && !refresh) return fromStore(stored, keyId);
    const sinceFetch = stored?.lastFetchedAt == null ? Infinity : now.getTime() - stored.lastFetchedAt.getTime();
    if (stored !== undefined && refresh && sinceFetch < (options.minRefreshIntervalMs ?? 0)) {
      const again = fromStore(stored, keyId);
      return again.ok ? { ...again, cached: false } : again;
    }

    const fetched = await fetchKey(keyId);
    if (!fetched.ok) {
      if (stored !== undefined && !refresh && TRANSIENT.has(fetched.reason.type)) return fromStore(stored, keyId);
      return fetched;
    }
    const { actor, key, keyObject } = fetched;
    const saved = await options.store.saveRemoteActor(remoteActorRecord(actor, key, now));
    // A conflict (the same name@host stored for another URL) does not make the key less valid.
    if (!saved.ok && saved.reason.type === 'local-actor') return fail('local-actor', saved.reason.detail);
    const record: PublicKeyRecord = { id: key.id, owner: actor.url, publicKeyPem: key.publicKeyPem, keyObject };
    return { ok: true, key: record, cached: false };
  }

  return (keyId, { refresh }) => {
    const slot = `${refresh ? 'refresh' : 'cached'} ${keyId}`;
    const running = inFlight.get(slot);
    if (running !== undefined) return running;
    const started = resolve(keyId, refresh).finally(() => inFlight.delete(slot));
    inFlight.set(slot, started);
    return started;
  };
}
