// JSON-LD context documents shipped with mirrortube. Nothing is ever fetched from the network:
// the JSON-LD processor is given a loader that answers only from this table.
//
// - activitystreams.json: copied from the npm package `activitystreams-context` 3.1.0
//   (https://www.w3.org/ns/activitystreams). It is an older snapshot: it lacks `vcard` and
//   `alsoKnownAs`, which Mastodon and PeerTube define inline in their own contexts anyway.
// - security-v1.json: copied from the npm package `security-context` 4.0.0
//   (contexts/security-v1.jsonld, https://w3id.org/security/v1).
import activityStreams from './activitystreams.json' with { type: 'json' };
import securityV1 from './security-v1.json' with { type: 'json' };

export const ACTIVITYSTREAMS_CONTEXT_URL = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_V1_CONTEXT_URL = 'https://w3id.org/security/v1';

type JsonDocument = Readonly<Record<string, unknown>>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const BUNDLED: ReadonlyMap<string, JsonDocument> = new Map<string, JsonDocument>([
  [ACTIVITYSTREAMS_CONTEXT_URL, deepFreeze(activityStreams as JsonDocument)],
  [SECURITY_V1_CONTEXT_URL, deepFreeze(securityV1 as JsonDocument)],
]);

/** The bundled context URLs, in their canonical (https) spelling. */
export function bundledContextUrls(): readonly string[] {
  return [...BUNDLED.keys()];
}

/**
 * The bundled document for a context URL, or undefined. `http:` and `https:` spellings and a
 * trailing fragment are treated alike (`http://www.w3.org/ns/activitystreams#` is common).
 */
export function findBundledContext(url: string): JsonDocument | undefined {
  const normalised = url.replace(/^http:\/\//i, 'https://').replace(/#.*$/, '');
  return BUNDLED.get(normalised);
}
