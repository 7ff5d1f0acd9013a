import { decodeBencode, isBencodeDict } from './bencode-decode.js';
import { encodeBencode, type BencodeInput } from './bencode-encode.js';

/**
 * The .torrent with its BEP 19 `url-list` replaced by `webseeds` (e.g. after a privacy change moved
 * the file to other URLs). The info dictionary, hence the infohash, is copied byte for byte; other
 * keys are kept. null when the bytes are not a torrent.
 */
export function replaceTorrentUrlList(torrent: Uint8Array, webseeds: readonly string[]): Buffer | null {
  const decoded = decodeBencode(torrent);
  if (!decoded.ok || !isBencodeDict(decoded.value) || !isBencodeDict(decoded.value.entries.get('info'))) return null;
  const entries = new Map<string, BencodeInput>(decoded.value.entries);
  if (webseeds.length > 0) entries.set('url-list', [...webseeds]);
  else entries.delete('url-list');
  return encodeBencode(entries);
}
