/** What a magnet URI tells about its torrent: the info hash (hex, lower case) and the .torrent URL (`xs`). */
export function readMagnetUri(uri: string): { infoHash: string; torrentUrl: string | null } | null {
  if (!uri.startsWith('magnet:?') || uri.length > 8000) return null;
  const params = new URLSearchParams(uri.slice('magnet:?'.length));
  const infoHash = params
    .getAll('xt')
    .map((xt) => /^urn:btih:([0-9a-fA-F]{40}|[A-Za-z2-7]{32})$/.exec(xt)?.[1])
    .find((h): h is string => h !== undefined);
  if (!infoHash) return null;
  return { infoHash: infoHash.length === 40 ? infoHash.toLowerCase() : base32ToHex(infoHash), torrentUrl: params.get('xs') };
}

function base32ToHex(value: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of value.toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  let hex = '';
  for (let i = 0; i + 4 <= bits.length; i += 4) hex += parseInt(bits.slice(i, i + 4), 2).toString(16);
  return hex;
}
