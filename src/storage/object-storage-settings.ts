import type { InstanceConfig } from '../config/index.js';
import type { BucketKind, ObjectAcl } from './object-store.js';

export type ObjectStorageSettings = InstanceConfig['object_storage'];

/** The bucket, prefix and base URL of a kind. */
export function bucketOf(settings: ObjectStorageSettings, kind: BucketKind): { bucket: string; prefix: string; baseUrl: string | null } {
  const b = settings[kind];
  return { bucket: b.bucket_name, prefix: b.prefix, baseUrl: b.base_url === '' ? null : b.base_url };
}

/** The object key of a kind's key (its prefix + key). */
export function fullKey(settings: ObjectStorageSettings, kind: BucketKind, key: string): string {
  return `${settings[kind].prefix}${key}`;
}

/**
 * The public URL of an object when the kind has a `base_url` (a CDN or the bucket's public
 * address): `<base_url>/<prefix><key>`, as PeerTube builds it. null without a base URL: our static
 * routes serve the object then (they proxy it from the bucket).
 */
export function publicObjectUrl(settings: ObjectStorageSettings, kind: BucketKind, key: string): string | null {
  const { baseUrl } = bucketOf(settings, kind);
  if (baseUrl === null) return null;
  return `${baseUrl.replace(/\/+$/, '')}/${encodeKey(fullKey(settings, kind, key))}`;
}

/** The object's address at the endpoint itself, path style (`<endpoint>/<bucket>/<prefix><key>`). */
export function bucketObjectUrl(settings: ObjectStorageSettings, kind: BucketKind, key: string): string {
  const { bucket } = bucketOf(settings, kind);
  return `${settings.endpoint.replace(/\/+$/, '')}/${bucket}/${encodeKey(fullKey(settings, kind, key))}`;
}

/** The canned ACL for the privacy class, as configured (`upload_acl.public` / `upload_acl.private`); null sends none. */
export function cannedAcl(settings: ObjectStorageSettings, acl: ObjectAcl): string | null {
  return acl === 'public' ? settings.upload_acl.public : settings.upload_acl.private;
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Keys we build name files we made: one safe segment per level, no `..`. */
const SAFE_KEY = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\/?$/;
export function isSafeKey(key: string): boolean {
  return key === '' || SAFE_KEY.test(key);
}
