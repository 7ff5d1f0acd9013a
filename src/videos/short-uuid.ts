import { createTranslator } from 'short-uuid';
import { MAX_DB_ID } from '../lib/db-id.js';

// PeerTube's short UUIDs are the UUID in the flickrBase58 alphabet (short-uuid's default).
const translator = createTranslator();

export const toShortUuid = (uuid: string): string => translator.fromUUID(uuid);
export const fromShortUuid = (short: string): string => translator.toUUID(short);

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHORT_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{18,22}$/;

/** A video reference from a URL: numeric id, uuid or short uuid. */
export function parseVideoRef(ref: string): { id: number } | { uuid: string } | null {
  // ids are PostgreSQL integers: a larger number names no video (and must not reach the database)
  if (/^\d{1,10}$/.test(ref)) return Number(ref) <= MAX_DB_ID ? { id: Number(ref) } : null;
  if (UUID_PATTERN.test(ref)) return { uuid: ref.toLowerCase() };
  if (SHORT_PATTERN.test(ref)) {
    try {
      const uuid = fromShortUuid(ref);
      return UUID_PATTERN.test(uuid) ? { uuid } : null;
    } catch {
      return null;
    }
  }
  return null;
}
