import { createHash } from 'node:crypto';
import { decodeBencode, isBencodeDict } from './bencode-decode.js';
import type { BencodeError, BencodeValue } from './bencode-decode.js';
import { encodeBencode } from './bencode-encode.js';
import type { BencodeInput } from './bencode-encode.js';
import { fail, ok } from '../lib/result.js';
import type { Result } from '../lib/result.js';

export interface TorrentWithWebseeds {
  torrent: Buffer;
  /** Unchanged by the rewrite: the info dictionary is copied byte for byte. */
  infoHash: string;
  urlList: string[];
}

export type TorrentWebseedsRefusal =
  | { type: 'bencode'; error: BencodeError; offset: number }
  | { type: 'not-a-dictionary' }
  | { type: 'no-info-dictionary' };

/**
 * Adds webseeds (BEP 19 `url-list`) to a .torrent: the torrent's own URLs stay first, in their
 * order, then `webseeds` in the order given; duplicates and empty URLs are dropped. `url-list` is
 * outside the info dictionary, which is copied byte for byte, so the infohash does not change.
 * Every other key of the torrent is kept (its value re-encoded as decoded; nested dictionaries
 * byte for byte). A single-string `url-list` counts as a list of one.
 */
export function addTorrentWebseeds(torrent: Uint8Array, webseeds: readonly string[]): Result<TorrentWithWebseeds, TorrentWebseedsRefusal> {
  const decoded = decodeBencode(torrent);
  if (!decoded.ok) return fail({ type: 'bencode', error: decoded.reason.type, offset: decoded.reason.offset });
  const root = decoded.value;
  if (!isBencodeDict(root)) return fail({ type: 'not-a-dictionary' });
  const info = root.entries.get('info');
  if (!isBencodeDict(info)) return fail({ type: 'no-info-dictionary' });

  const urlList = [...new Set([...urlsOf(root.entries.get('url-list')), ...webseeds].filter((url) => url !== ''))];
  const entries = new Map<string, BencodeInput>(root.entries);
  if (urlList.length > 0) entries.set('url-list', urlList);
  else entries.delete('url-list');

  return ok({
    torrent: encodeBencode(entries),
    infoHash: createHash('sha1').update(info.raw).digest('hex'),
    urlList,
  });
}

function urlsOf(value: BencodeValue | undefined): string[] {
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('utf8')];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is Uint8Array => v instanceof Uint8Array).map((v) => Buffer.from(v).toString('utf8'));
}
