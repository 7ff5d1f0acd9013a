/**
 * Where a live relay pulls from (pure). The origin first; when it has failed a couple of poll
 * rounds in a row, another relay of the live. Trust: the other relays are those the origin itself
 * listed as sources of the live (their `Create CacheFile`, forwarded by the origin to its
 * followers): the origin vouched for them. Their files get the same checks as the origin's
 * (bare names, size limit, every segment against the hash list, where a hash the origin gave
 * wins over the relay's copy of it).
 */

/** Poll rounds in a row the origin may fail (error, time-out) before a relay pulls from another relay. */
export const FALLBACK_AFTER_ROUNDS = 2;

/**
 * The other relays a relay may pull from: http(s) base URLs without credentials, query or
 * fragment, not its own (`ownPrefixes`: its `/static/redundancy/hls/` URL), each once, in order.
 */
export function usableAlternates(urls: readonly string[], ownPrefixes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') continue;
    const base = raw.replace(/\/+$/, '');
    if (ownPrefixes.some((own) => `${base}/`.startsWith(own))) continue;
    out.add(base);
  }
  return [...out];
}

/**
 * The alternate to pull from next: the first one in turn after `after` (from the start when
 * null) that is not benched (it failed, or its playlists stopped advancing, until the time given);
 * null when every one is.
 */
export function pickAlternate(alternates: readonly string[], benchedUntil: ReadonlyMap<string, number>, now: number, after: string | null): string | null {
  if (alternates.length === 0) return null;
  const start = after === null ? 0 : alternates.indexOf(after) + 1;
  for (let i = 0; i < alternates.length; i++) {
    const candidate = alternates[(start + i) % alternates.length]!;
    if ((benchedUntil.get(candidate) ?? 0) <= now) return candidate;
  }
  return null;
}

/**
 * How long another relay's media playlists may list nothing new before it counts as failing:
 * three segments, at least 3 s. A relay of an origin that is gone serves the same playlists for
 * ever; two relays pulling from each other (A ← B ← A) list nothing new either: both fail, and
 * give up once `unreachable_timeout` has passed without the origin nor anything new.
 */
export function staleAfterMs(targetDurationSeconds: number | null): number {
  const target = targetDurationSeconds !== null && Number.isFinite(targetDurationSeconds) && targetDurationSeconds > 0 ? targetDurationSeconds : 2;
  return Math.max(3000, Math.round(target * 3000));
}

/**
 * Where a media playlist ends: its media sequence plus the segments it lists. A playlist read from
 * another relay is followed only when it ends later than the last one read (it advanced), is kept
 * when it ends at the same place, and is skipped when it ends earlier (a relay behind: the
 * playlists served here never go back).
 */
export function playlistEnd(mediaSequence: number | null, segments: number): number {
  return (mediaSequence ?? 0) + segments;
}
