import { createHash } from 'node:crypto';

/**
 * What makes two deliveries of one activity id the same: a digest of the activity as received,
 * without its LD signature block (a re-signed copy says the same thing). PeerTube reuses ids with
 * new bodies (an Update while transcoding, a CacheFile re-sent with a new `expires`, a viewer
 * ping), so the inbox deduplicates on the id and this digest together.
 */
export function activityDigest(activity: Readonly<Record<string, unknown>>): string {
  const { signature: _signature, ...rest } = activity;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
