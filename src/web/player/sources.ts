/**
 * The player's HTTP sources of one HLS playlist: the origin and every mirror listed in
 * `streamingPlaylists[].redundancies[]`. Pure (time is passed in): which source serves the next
 * request, which ones are dropped (a failure, a timeout or a wrong hash drops a source for
 * `penaltyMs`), and the bytes each one gave.
 */
export interface SourceEntry {
  /** `origin`, or the mirror's host */
  label: string;
  kind: 'origin' | 'mirror';
  /** folder URL of the playlist's files (no trailing slash) */
  base: string;
  bytes: number;
  failures: number;
  /** dropped until this time (ms); 0: healthy */
  downUntil: number;
  lastError: string | null;
}

export class SourcePool {
  readonly sources: SourceEntry[];
  private next = 0;

  constructor(
    sources: { label: string; kind: 'origin' | 'mirror'; base: string }[],
    private readonly penaltyMs = 30_000,
  ) {
    const seen = new Set<string>();
    this.sources = [];
    for (const s of sources) {
      const base = s.base.replace(/\/+$/, '');
      if (seen.has(base)) continue;
      seen.add(base);
      this.sources.push({ ...s, base, bytes: 0, failures: 0, downUntil: 0, lastError: null });
    }
  }

  /**
   * The source for the next request: healthy sources in turn (origin first), so the load spreads
   * over the mirrors; when every source is dropped, the one that comes back first.
   */
  pick(now: number): SourceEntry | null {
    if (this.sources.length === 0) return null;
    const healthy = this.sources.filter((s) => s.downUntil <= now);
    if (healthy.length === 0) return [...this.sources].sort((a, b) => a.downUntil - b.downUntil)[0]!;
    const chosen = healthy[this.next % healthy.length]!;
    this.next++;
    return chosen;
  }

  /** the URL of `segmentUrl`'s file on `source` (mirrors hold the same file names) */
  static urlOn(source: SourceEntry, segmentUrl: string): string {
    const name = new URL(segmentUrl).pathname.split('/').pop() ?? '';
    return `${source.base}/${name}`;
  }

  /** the source a request URL goes to (the longest base it starts with), null when none */
  sourceOf(url: string): SourceEntry | null {
    let found: SourceEntry | null = null;
    for (const s of this.sources) if (url.startsWith(`${s.base}/`) && (!found || s.base.length > found.base.length)) found = s;
    return found;
  }

  fail(source: SourceEntry, now: number, reason: string): void {
    source.failures++;
    source.lastError = reason;
    source.downUntil = now + this.penaltyMs;
  }

  addBytes(source: SourceEntry, bytes: number): void {
    source.bytes += bytes;
  }

  healthyCount(now: number): number {
    return this.sources.filter((s) => s.downUntil <= now).length;
  }
}

/** The folder URL of a playlist's files, from one of its file URLs. */
export function folderOf(fileUrl: string): string {
  return fileUrl.slice(0, fileUrl.lastIndexOf('/'));
}

export type SegmentsSha256 = Record<string, string | Record<string, string>>;

/**
 * PeerTube's `segments-sha256.json`: per file name, a hash or a hash per byte range
 * (`<start>-<end>`, inclusive end). Returns the expected hash or null when unknown.
 */
export function expectedHash(json: SegmentsSha256, segmentUrl: string, range: { start: number; end: number } | undefined): string | null {
  const name = new URL(segmentUrl).pathname.split('/').pop() ?? '';
  const entry = json[name];
  if (entry === undefined) return null;
  if (typeof entry === 'string') return entry;
  if (!range) return null;
  return entry[`${range.start}-${range.end}`] ?? null;
}

export function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
