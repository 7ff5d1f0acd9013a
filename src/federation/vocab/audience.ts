import { AP_PUBLIC } from './constants.js';

/** `to` and `cc` of an object or activity. */
export type Audience = {
  to: string[];
  cc: string[];
};

/** A public object: `to` Public, `cc` the followers collections (PeerTube's getPublicAudience). */
export function publicAudience(followersUrls: readonly string[]): Audience {
  return { to: [AP_PUBLIC], cc: [...followersUrls] };
}

/** An unlisted video: `to` nobody, `cc` Public. */
export function unlistedAudience(): Audience {
  return { to: [], cc: [AP_PUBLIC] };
}

/** The audience of a local video by its privacy (1 public, 2 unlisted); null for the others. */
export function videoAudience(privacy: number, followersUrl: string): Audience | null {
  if (privacy === 1) return publicAudience([followersUrl]);
  if (privacy === 2) return unlistedAudience();
  return null;
}

/**
 * What PeerTube puts on activities about one of its videos that it broadcasts to the followers of
 * every actor involved (the account, the actors that shared it): `to` Public and those followers
 * collections, `cc` empty. See activity-Announce-received-by-b.json.
 */
export function audienceFromFollowersOf(followersUrls: readonly string[]): Audience {
  return { to: [AP_PUBLIC, ...followersUrls], cc: [] };
}

/** An activity sent to the origin of a remote video (Like, View, CacheFile): `to` its account. */
export function directAudience(actorUrl: string): Audience {
  return { to: [actorUrl], cc: [] };
}

/** `{ to, cc, ...object }`: PeerTube writes the audience before the other fields. */
export function audiencify<T extends object>(object: T, audience: Audience): Audience & T {
  return { to: [...audience.to], cc: [...audience.cc], ...object };
}

/** True when `to` (or `cc`) names the public collection, in any of its spellings (hasAPPublic). */
export function includesPublic(addresses: readonly string[]): boolean {
  return addresses.some((a) => a === AP_PUBLIC || a === 'as:Public' || a === 'Public');
}
