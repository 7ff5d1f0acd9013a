import { isSafeKey, type BucketKind, type ObjectStore } from '../../storage/index.js';
import type { StaticObjectSource } from './serve-object.js';

/** A static mount's view of a bucket: the request's path below the mount is the key below `keyPrefix`. */
export function objectSourceFor(store: ObjectStore, kind: BucketKind, keyPrefix = ''): StaticObjectSource {
  // a public mount never reaches private objects, whatever path led there
  const keyOf = (relativeKey: string) =>
    relativeKey !== '' && !relativeKey.endsWith('/') && isSafeKey(relativeKey) && (keyPrefix !== '' || !relativeKey.startsWith('private/')) ? `${keyPrefix}${relativeKey}` : null;
  return {
    async head(relativeKey) {
      const key = keyOf(relativeKey);
      return key === null ? null : store.head(kind, key);
    },
    async read(relativeKey, start, end) {
      const key = keyOf(relativeKey);
      return key === null ? null : store.read(kind, key, { start, end });
    },
  };
}
