/**
 * An HLS playlist with `videoFileToken=<token>` added to every URI it names (URI lines and
 * `URI="…"` attributes), as PeerTube does for `reinjectVideoFileToken=true`, so players that cannot
 * add headers still fetch the private files. Relative URIs stay relative (they resolve under the
 * private path the playlist came from).
 */
export function reinjectVideoFileToken(playlist: string, token: string): string {
  const query = `videoFileToken=${encodeURIComponent(token)}`;
  const withQuery = (uri: string) => `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
  return playlist
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (!trimmed.startsWith('#')) return withQuery(trimmed);
      return line.replace(/URI="([^"]*)"/g, (_m, uri: string) => `URI="${withQuery(uri)}"`);
    })
    .join('\n');
}
