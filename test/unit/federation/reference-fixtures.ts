// Loads the PeerTube / Mastodon reference fixtures used by the signature tests.
import { readFileSync } from 'node:fs';
import type { FetchPublicKey, PublicKeyRecord } from '../../../src/federation/signatures/index.js';
import { REFERENCE_DIR } from '../../support/reference.js';

const REFERENCE = `${REFERENCE_DIR}/peertube`;

export function readReference<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(`${REFERENCE}/${relativePath}`, 'utf8')) as T;
}

export interface CapturedRequest {
  readonly toPort: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The raw requests between two PeerTube 6.3 instances (http-requests-captured-phase1.json). */
export function capturedRequests(): CapturedRequest[] {
  const raw = readReference<Array<{ to_port: number; head: string[]; body: string }>>('real/http-requests-captured-phase1.json');
  return raw.map((entry) => {
    const [requestLine = '', ...headerLines] = entry.head;
    const [method = '', path = ''] = requestLine.split(' ');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { toPort: entry.to_port, method, path, headers, body: entry.body };
  });
}

interface ActorDocument {
  id: string;
  publicKey: { id: string; owner: string; publicKeyPem: string };
}

/** The public keys of the real PeerTube actors, by actor URL and by key id. */
export function realActorKeys(): Map<string, PublicKeyRecord> {
  const keys = new Map<string, PublicKeyRecord>();
  for (const file of [
    'actor-instance-peertube-9000.json',
    'actor-instance-peertube-9001.json',
    'actor-account-root-9000.json',
    'actor-channel-root_channel-9000.json',
  ]) {
    const actor = readReference<ActorDocument>(`real/${file}`);
    keys.set(actor.id, actor.publicKey);
    keys.set(actor.publicKey.id, actor.publicKey);
  }
  return keys;
}

/** A key port over a fixed table that records every key id it was asked for. */
export function tableKeyFetcher(keys: ReadonlyMap<string, PublicKeyRecord>): FetchPublicKey & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = (keyId: string) => {
    calls.push(keyId);
    const key = keys.get(keyId);
    return Promise.resolve(key ? { ok: true as const, key } : { ok: false as const, reason: { type: 'not-found' } });
  };
  return Object.assign(fetcher, { calls });
}

/** Mastodon (Rails) serialises JSON with <, > and & escaped; this rebuilds its exact bytes. */
export function railsJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
