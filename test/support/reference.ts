import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared reference material (PeerTube's captures and fixtures): `../shared/reference` beside
 * the repository (how CI lays out a clone), else this workplace's copy, else MT_REFERENCE_DIR.
 */
function findReferenceDir(): string {
  const candidates = [process.env.MT_REFERENCE_DIR, fileURLToPath(new URL('../../../shared/reference', import.meta.url)), '/work/shared/reference'];
  const found = candidates.find((c): c is string => typeof c === 'string' && existsSync(c));
  if (!found) throw new Error('shared/reference not found: clone the repository beside shared/, or set MT_REFERENCE_DIR');
  return found;
}

export const REFERENCE_DIR = findReferenceDir();
export const PEERTUBE_REAL_DIR = `${REFERENCE_DIR}/peertube/real`;
