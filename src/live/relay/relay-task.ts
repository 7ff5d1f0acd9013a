import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchOptions, FetchResult } from '../../federation/remote/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { LIVE_SEGMENTS_SHA256 } from '../live-hls-args.js';
import type { HotFiles } from '../live-ports.js';
import { filesToPrune, isSafeRelayName, parseRelayPlaylist, relayNameToUrl, relayPollMs } from './relay-playlists.js';

/** The SSRF-safe fetcher (federation's). */
export interface RelayFetcher {
  fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
}

/** Why a relay stopped on its own. */
export type RelayEnd = 'ended' | 'unreachable' | 'refused';

/** What a relay reports (metrics, the manager). */
export interface RelayObserver {
  /** the master and at least one complete media playlist are served: the relay can be announced */
  ready(): void;
  /**
   * a segment verified and stored; lagMs: from its end at the origin (its #EXT-X-PROGRAM-DATE-TIME
   * plus duration, the origin's clock) to served here, or from the relay first seeing it listed
   */
  segment(bytes: number, lagMs: number): void;
  /** a segment whose bytes do not match the origin's hash list (not served) */
  mismatch(name: string): void;
  /** the relay stops on its own (the manager withdraws it) */
  end(reason: RelayEnd, message: string): void;
}

export interface RelayTaskInput {
  uuid: string;
  /** the origin's master playlist URL */
  masterUrl: string;
  /** the origin's live hash list (`segments-sha256.json`) */
  segmentsSha256Url: string;
  /** where the relay writes (`<redundancy>/hls/<uuid>`, served at /static/redundancy/hls/<uuid>/) */
  dir: string;
  fetcher: RelayFetcher;
  clock: Clock;
  logger: Logger;
  observe: RelayObserver;
  /** the origin may fail this long (no answer, errors) before the relay gives up */
  unreachableMs: number;
  /** largest segment or playlist accepted */
  maxFileBytes: number;
  /**
   * other relays of this live (base URLs, `<relay>/static/redundancy/hls/<uuid>`): a segment the
   * origin fails to serve (overloaded) is taken from one of them, checked against the origin's hash
   * list all the same; playlists, init sections and hashes come from the origin only
   */
  alternates?(): string[];
  /** viewers are answered from memory: what the relay writes goes there too (segments while listed) */
  hot?: HotFiles;
}

const PLAYLIST_TYPES = ['application/vnd.apple.mpegurl', 'application/x-mpegurl', 'audio/mpegurl', 'text/plain', 'application/octet-stream'];

/**
 * One live relayed: polls the origin's master and media playlists at about half a segment,
 * downloads each new segment and init section once, checks each segment against the origin's
 * `segments-sha256.json` (fetched again when a segment is not in it yet; a segment whose bytes
 * differ is never written), writes files under their origin names (temporary name, then rename),
 * then the media playlist byte for byte once every file it lists is here, and the master. Keeps
 * the origin's window: files no playlist lists any more (nor the previous round's) are deleted.
 * Ends on #EXT-X-ENDLIST in every media playlist, or when the origin stays unreachable.
 */
export function createRelayTask(input: RelayTaskInput) {
  const { fetcher, observe } = input;
  const log = input.logger.child({ component: 'live-relay', video: input.uuid });
  const base = input.masterUrl.slice(0, input.masterUrl.lastIndexOf('/') + 1);
  const masterName = decodeURIComponent(input.masterUrl.slice(base.length));
  const stored = new Set<string>();
  /** segment name → sha256 hex, from the origin's list */
  let hashes: Record<string, string> = {};
  /** segment name → when a playlist first listed it (lag) */
  const firstSeen = new Map<string, number>();
  /** the text served of each playlist */
  const written = new Map<string, string>();
  let previousListed = new Set<string>();
  let lastSuccess = input.clock.now().getTime();
  let pollMs = 1000;
  let announced = false;
  let stopped = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  const refusedOnce = new Set<string>();

  const opts = (maxBytes: number, contentTypes?: readonly string[]): FetchOptions => ({ maxBytes, timeoutMs: 10_000, bypassNegativeCache: true, maxRedirects: 0, ...(contentTypes ? { contentTypes } : {}) });

  async function getFrom(from: string, name: string, contentTypes?: readonly string[]): Promise<Buffer | 'missing' | 'failed'> {
    const res = await fetcher.fetch(from + relayNameToUrl(name), opts(input.maxFileBytes, contentTypes));
    if (!res.ok) return 'failed';
    if (res.status === 404 || res.status === 410) return 'missing';
    if (res.status < 200 || res.status >= 300) return 'failed';
    return res.body;
  }
  const get = (name: string, contentTypes?: readonly string[]) => getFrom(base, name, contentTypes);

  /** A segment from the origin, or, when the origin fails to serve it, from another relay. */
  async function getSegment(name: string): Promise<Buffer | 'missing' | 'failed'> {
    const first = await get(name);
    if (first !== 'failed') return first;
    for (const other of input.alternates?.() ?? []) {
      const body = await getFrom(`${other.replace(/\/+$/, '')}/`, name);
      if (typeof body !== 'string') return body;
    }
    return first;
  }

  /** segments in memory (hot): they leave it as soon as no playlist lists them */
  const hotSegments = new Set<string>();

  async function writeAtomic(name: string, body: Buffer | string, kind: 'pinned' | 'segment' = 'pinned'): Promise<void> {
    const target = join(input.dir, name);
    const tmp = join(input.dir, `.${name}.tmp`);
    await writeFile(tmp, body);
    if (input.hot) {
      // the mtime the file will have (a rename keeps it): the same validators from memory as from disk
      const { mtimeMs } = await stat(tmp);
      await rename(tmp, target);
      if (stopped) return;
      input.hot.put(target, typeof body === 'string' ? Buffer.from(body) : body, mtimeMs, kind);
      if (kind === 'segment') hotSegments.add(name);
      return;
    }
    await rename(tmp, target);
  }

  async function refreshHashes(): Promise<boolean> {
    const res = await fetcher.fetch(input.segmentsSha256Url, opts(4 * 1024 * 1024));
    if (!res.ok || res.status !== 200) return false;
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
      hashes = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1])));
      return true;
    } catch {
      return false;
    }
  }

  /** Makes sure a file listed by a playlist is stored; false when it is not (yet). */
  async function ensure(name: string, isSegment: boolean, hashesFetched: { done: boolean }): Promise<boolean> {
    if (stored.has(name)) return true;
    if (isSegment && hashes[name] === undefined) {
      if (!hashesFetched.done) {
        hashesFetched.done = true;
        await refreshHashes();
      }
      // not in the origin's list yet: it is hashed before it is listed, so this is a race; next round
      if (hashes[name] === undefined) return false;
    }
    const body = isSegment ? await getSegment(name) : await get(name);
    if (typeof body === 'string') return false;
    if (isSegment) {
      const digest = createHash('sha256').update(body).digest('hex');
      if (digest !== hashes[name]) {
        observe.mismatch(name);
        if (!refusedOnce.has(name)) log.warn({ segment: name, expected: hashes[name], got: digest }, 'a live segment does not match the origin hash list: not served');
        refusedOnce.add(name);
        return false;
      }
    }
    await writeAtomic(name, body, isSegment ? 'segment' : 'pinned');
    stored.add(name);
    if (isSegment) observe.segment(body.length, Math.max(0, input.clock.now().getTime() - (firstSeen.get(name) ?? input.clock.now().getTime())));
    return true;
  }

  /** One poll; true when the live has ended (every media playlist ends with #EXT-X-ENDLIST). */
  async function round(): Promise<'live' | RelayEnd> {
    const now = () => input.clock.now().getTime();
    const masterBody = await get(masterName, PLAYLIST_TYPES);
    if (typeof masterBody === 'string') return now() - lastSuccess > input.unreachableMs ? 'unreachable' : 'live';
    const masterText = masterBody.toString('utf8');
    const master = parseRelayPlaylist(masterText);
    if (!master.ok) {
      observe.end('refused', `the master playlist cannot be relayed: ${JSON.stringify(master.reason)}`);
      return 'refused';
    }
    lastSuccess = now();
    const listed = new Set<string>();
    const hashesFetched = { done: false };
    let allEnded = master.value.uris.length > 0;
    let anyReady = false;
    let target: number | null = null;
    for (const variant of master.value.uris) {
      listed.add(variant);
      const mediaBody = await get(variant, PLAYLIST_TYPES);
      if (typeof mediaBody === 'string') {
        allEnded = false;
        if (written.has(variant)) anyReady = true;
        continue;
      }
      const mediaText = mediaBody.toString('utf8');
      const media = parseRelayPlaylist(mediaText);
      if (!media.ok) {
        observe.end('refused', `the media playlist ${variant} cannot be relayed: ${JSON.stringify(media.reason)}`);
        return 'refused';
      }
      target = media.value.targetDuration ?? target;
      if (!media.value.ended) allEnded = false;
      let complete = true;
      for (const map of media.value.maps) {
        listed.add(map);
        if (!(await ensure(map, false, hashesFetched))) complete = false;
      }
      for (const segment of media.value.uris) {
        listed.add(segment);
        if (!firstSeen.has(segment)) firstSeen.set(segment, media.value.segmentEnds[segment] ?? now());
        if (!(await ensure(segment, true, hashesFetched))) complete = false;
        if (stopped) return 'live';
      }
      if (complete && written.get(variant) !== mediaText) {
        await writeAtomic(variant, mediaText);
        written.set(variant, mediaText);
      }
      if (written.has(variant)) anyReady = true;
    }
    if (anyReady && written.get('master') !== masterText) {
      await writeAtomic(masterName, masterText);
      written.set('master', masterText);
    }
    // the relay's own hash list: the origin's hashes of the segments served here
    const ours = Object.fromEntries([...stored].filter((n) => hashes[n] !== undefined).map((n) => [n, hashes[n]!]));
    const oursText = JSON.stringify(ours);
    if (written.get(LIVE_SEGMENTS_SHA256) !== oursText) {
      await writeAtomic(LIVE_SEGMENTS_SHA256, oursText);
      written.set(LIVE_SEGMENTS_SHA256, oursText);
    }
    for (const name of [...hotSegments]) {
      if (listed.has(name)) continue;
      // out of the window: served from disk while the file stays (one more round)
      hotSegments.delete(name);
      input.hot?.delete(join(input.dir, name));
    }
    for (const name of filesToPrune(stored, listed, previousListed)) {
      stored.delete(name);
      firstSeen.delete(name);
      input.hot?.delete(join(input.dir, name));
      await rm(join(input.dir, name), { force: true });
    }
    previousListed = listed;
    pollMs = relayPollMs(target);
    if (anyReady && !announced) {
      announced = true;
      observe.ready();
    }
    return allEnded ? 'ended' : 'live';
  }

  async function run(): Promise<void> {
    await mkdir(input.dir, { recursive: true });
    input.hot?.registerFolder(input.dir, 'relay');
    // a folder left by an earlier relay of this live: only its own names are kept track of
    for (const name of await readdir(input.dir).catch(() => [] as string[])) if (!isSafeRelayName(name)) await rm(join(input.dir, name), { force: true });
    while (!stopped) {
      let outcome: 'live' | RelayEnd;
      try {
        outcome = await round();
      } catch (err) {
        log.warn({ err }, 'live relay round failed');
        outcome = input.clock.now().getTime() - lastSuccess > input.unreachableMs ? 'unreachable' : 'live';
      }
      if (stopped) return;
      if (outcome === 'ended') {
        observe.end('ended', 'the live playlists ended (#EXT-X-ENDLIST)');
        return;
      }
      if (outcome === 'unreachable') {
        observe.end('unreachable', `the origin did not serve the live for ${Math.round(input.unreachableMs / 1000)} s`);
        return;
      }
      if (outcome === 'refused') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    uuid: input.uuid,
    start(): void {
      loop ??= run()
        .catch((err: unknown) => {
          log.error({ err }, 'live relay stopped on an error');
          observe.end('refused', 'the relay failed');
        })
        .finally(() => {
          // stopped or ended: from disk until the manager removes the files
          hotSegments.clear();
          input.hot?.deleteUnder(input.dir);
          input.hot?.unregisterFolder(input.dir);
        });
    },
    /** Stops polling (the files stay: the manager removes them after the Undo). */
    async stop(): Promise<void> {
      stopped = true;
      wake?.();
      await loop;
    },
    /** files served now (tests) */
    files: (): string[] => [...stored],
    /** segments answered from memory now (tests) */
    hot: (): string[] => [...hotSegments],
  };
}

export type RelayTask = ReturnType<typeof createRelayTask>;
