import type { TrackerInfohashStore } from './tracker-infohash-store.js';

/**
 * Which infohashes our private tracker accepts: files of our public and unlisted videos (and of
 * the remote videos we list), and the copies we seed; never those of a private, internal or
 * password-protected video, even while a seeder still has it (its files are served only with an
 * access check, so a swarm would hand them to anyone).
 */
export function trackerAdmission(deps: { store: TrackerInfohashStore; isSeeding(infoHash: string): boolean }) {
  return async function isAllowedInfoHash(infoHash: string): Promise<boolean> {
    const standing = await deps.store.standing(infoHash);
    if (standing === 'private') return false;
    return standing === 'open' || deps.isSeeding(infoHash);
  };
}
