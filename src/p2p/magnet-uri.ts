export interface MagnetUriInput {
  infoHash: string;
  /** `dn`: PeerTube puts the video's name here. */
  name: string;
  /** `xs`: where the .torrent file can be downloaded. */
  torrentUrl?: string;
  /** `tr`: PeerTube order is `[httpAnnounceUrl, wsSocketUrl]` (see buildMagnetTrackers). */
  trackers: readonly string[];
  /** `ws`: webseeds — the file's URL, then the URLs of its mirrored copies. */
  webseeds: readonly string[];
}

/**
 * Builds a magnet link in PeerTube's exact format (what its `magnet-uri` encoder produces):
 * `magnet:?xs=<torrentUrl>&xt=urn:btih:<infoHash>&dn=<name>&tr=<tracker>…&ws=<webseed>…`,
 * URLs percent-encoded with encodeURIComponent, spaces in `dn` as `+`, duplicates dropped.
 */
export function buildMagnetUri(input: MagnetUriInput): string {
  const params: string[] = [];
  if (input.torrentUrl !== undefined) params.push(`xs=${encodeURIComponent(input.torrentUrl)}`);
  params.push(`xt=urn:btih:${input.infoHash.toLowerCase()}`);
  params.push(`dn=${encodeURIComponent(input.name).replace(/%20/g, '+')}`);
  for (const tracker of unique(input.trackers)) params.push(`tr=${encodeURIComponent(tracker)}`);
  for (const webseed of unique(input.webseeds)) params.push(`ws=${encodeURIComponent(webseed)}`);
  return `magnet:?${params.join('&')}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
