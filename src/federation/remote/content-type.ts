/** What we ask for and accept when fetching ActivityPub documents. */
export const ACTIVITY_JSON_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
export const ACTIVITY_JSON_CONTENT_TYPES: readonly string[] = ['application/activity+json', 'application/ld+json', 'application/json'];

/** WebFinger answers (Mastodon: application/jrd+json; PeerTube: application/json). */
export const JRD_ACCEPT = 'application/jrd+json, application/json';
export const JRD_CONTENT_TYPES: readonly string[] = ['application/jrd+json', 'application/json'];

interface MediaType {
  readonly essence: string;
  readonly profiles: readonly string[];
}

function parseMediaType(text: string): MediaType | undefined {
  const [essence, ...params] = text.split(';');
  const type = (essence ?? '').trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return undefined;
  const profiles: string[] = [];
  for (const param of params) {
    const at = param.indexOf('=');
    if (at < 0 || param.slice(0, at).trim().toLowerCase() !== 'profile') continue;
    const value = param.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
    profiles.push(...value.split(/\s+/).filter((p) => p !== ''));
  }
  return { essence: type, profiles };
}

/**
 * Does a response's Content-Type match one of `accepted`? The media type must be equal (case
 * aside, parameters such as charset ignored); an accepted entry that names a `profile` also
 * requires that profile on the response.
 */
export function isAcceptedContentType(header: string | undefined, accepted: readonly string[]): boolean {
  if (header === undefined) return false;
  const got = parseMediaType(header);
  if (got === undefined) return false;
  return accepted.some((entry) => {
    const want = parseMediaType(entry);
    if (want === undefined || want.essence !== got.essence) return false;
    return want.profiles.every((profile) => got.profiles.includes(profile));
  });
}
