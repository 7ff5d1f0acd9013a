import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where copies live: a complete copy at `<redundancyDir>/hls/<uuid>/` (served as
 * `/static/redundancy/hls/<uuid>/…`), work in progress at `<tmpDir>/mirror-<uuid>-<random>/`.
 * Next to the copies, a replaced copy is parked as `.old-<uuid>-<random>` for the moment of the swap,
 * and a copy moved from another file system is staged as `.incoming-<uuid>-<random>`.
 */

const UUID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export function isSafeUuid(uuid: string): boolean {
  return UUID.test(uuid);
}

export function assertSafeUuid(uuid: string): void {
  // uuids come from our database (validated at the AP border): anything else is a bug
  if (!isSafeUuid(uuid)) throw new TypeError(`unsafe video uuid ${JSON.stringify(uuid)}`);
}

export const randomSuffix = () => randomBytes(6).toString('hex');

export const copiesRoot = (redundancyDir: string) => join(redundancyDir, 'hls');
export const copyDir = (redundancyDir: string, uuid: string) => join(copiesRoot(redundancyDir), uuid);

export const workDirName = (uuid: string, suffix = randomSuffix()) => `mirror-${uuid}-${suffix}`;
const WORK_DIR = /^mirror-([A-Za-z0-9][A-Za-z0-9_-]{0,99})-([0-9a-f]{12})$/;
/** the uuid of a work folder's name, or undefined when the name is not one of ours */
export function parseWorkDirName(name: string): string | undefined {
  return WORK_DIR.exec(name)?.[1];
}

const PARKED = /^\.(old|incoming)-([A-Za-z0-9][A-Za-z0-9_-]{0,99})-([0-9a-f]{12})$/;
export const parkedName = (kind: 'old' | 'incoming', uuid: string) => `.${kind}-${uuid}-${randomSuffix()}`;
export function parseParkedName(name: string): { kind: 'old' | 'incoming'; uuid: string } | undefined {
  const match = PARKED.exec(name);
  return match ? { kind: match[1] as 'old' | 'incoming', uuid: match[2]! } : undefined;
}

/** The mirror's public URL of a file of a copy. */
export function mirrorFileUrl(ourBaseUrl: string, uuid: string, filename: string): string {
  return `${ourBaseUrl.replace(/\/+$/, '')}/static/redundancy/hls/${uuid}/${encodeURIComponent(filename)}`;
}

/** `<name>.torrent` next to the file: `x-240-fragmented.mp4` → `x-240-fragmented.torrent`. */
export function torrentFilenameFor(filename: string): string {
  return `${filename.replace(/\.mp4$/i, '')}.torrent`;
}
