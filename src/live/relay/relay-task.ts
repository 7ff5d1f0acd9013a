import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchOptions, FetchResult } from '../../federation/remote/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { LIVE_SEGMENTS_SHA256 } from '../live-hls-args.js';
import type { HotFiles } from '../live-ports.js';
import { filesToPrune, isSafeRelayName, parseRelayPlaylist, relayNameToUrl, relayPollMs } from './relay-playlists.js';
import { FALLBACK_AFTER_ROUNDS, pickAlternate, playlistEnd, staleAfterMs } from './relay-sources.js';

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
  /** it pulls from another place now: the origin, or another relay (its base URL) */
  source?(from: 'origin' | 'relay', url: string): void;
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
  /** the origin and the other relays may fail this long (no answer, errors, nothing new) before the relay gives up */
  unreachableMs: number;
  /** largest segment or playlist accepted */
  maxFileBytes: number;
  /**
   * other relays of this live the origin listed (base URLs, `<relay>/static/redundancy/hls/<uuid>`,
   * never this relay's own): a segment the origin fails to serve (overloaded) is taken from one of
   * them, checked against the hash list all the same; when the origin fails a couple of rounds in
   * a row, playlists, init sections, hashes and segments all come from one of them (relay-sources.ts)
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
 * When the origin fails FALLBACK_AFTER_ROUNDS rounds in a row, it pulls everything from another
 * relay of the live (its copies of the origin's files and hash list, checked the same way) while
 * asking the origin in the background each round; back to the origin as soon as it answers (its
 * hash list read at once: a segment taken meanwhile that it contradicts is deleted). A relay
 * whose playlists fail or list nothing new for a while is benched and the next one tried.
 * Ends on #EXT-X-ENDLIST in every media playlist, or when neither the origin answers nor any
 * other relay lists anything new for `unreachableMs`.
 */
export function createRelayTask(input: RelayTaskInput) {
  const { fetcher, observe } = input;
  const log = input.logger.child({ component: 'live-relay', video: input.uuid });
  const originBase = input.masterUrl.slice(0, input.masterUrl.lastIndexOf('/') + 1);
  const masterName = decodeURIComponent(input.masterUrl.slice(originBase.length));
  const now = () => input.clock.now().getTime();
  const stored = new Set<string>();
  /** segment name → sha256 hex, from the origin's list (or, while the origin fails, another relay's copy of it) */
  let hashes: Record<string, string> = {};
  /** segment name → when a playlist first listed it (lag) */
  const firstSeen = new Map<string, number>();
  /** the text served of each playlist */
  const written = new Map<string, string>();
  /** media playlist → where the last one read ends (media sequence + segments): the playlists served never go back */
  const lastEnd = new Map<string, number>();
  let previousListed = new Set<string>();
  /** the last time the origin answered, or another relay listed something new */
  let lastSuccess = now();
  let pollMs = 1000;
  let targetSeconds: number | null = null;
  let announced = false;
  let stopped = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  const refusedOnce = new Set<string>();
  /** where this round pulls from: null, the origin; else another relay's base URL (no trailing slash) */
  let source: string | null = null;
  let originFailures = 0;
  /** other relays that failed or stopped advancing, until when they are left alone */
  const benched = new Map<string, number>();
  /** when the relay pulled from listed something new last (or was taken) */
  let sourceAdvancedAt = now();
  let originProbe: Promise<void> | null = null;
  let originBack = false;
  /** back on the origin after another relay: its hash list is read at once, to check what was taken meanwhile */
  let recheckHashes = false;

  const opts = (maxBytes: number, contentTypes?: readonly string[]): FetchOptions => ({ maxBytes, timeoutMs: 10_000, bypassNegativeCache: true, maxRedirects: 0, ...(contentTypes ? { contentTypes } : {}) });
  const baseOf = (from: string | null) => (from === null ? originBase : `${from}/`);
  const alternates = () => (input.alternates?.() ?? []).map((u) => u.replace(/\/+$/, ''));

  async function getFrom(from: string, name: string, contentTypes?: readonly string[]): Promise<Buffer | 'missing' | 'failed'> {
    const res = await fetcher.fetch(from + relayNameToUrl(name), opts(input.maxFileBytes, contentTypes));
    if (!res.ok) return 'failed';
    if (res.status === 404 || res.status === 410) return 'missing';
    if (res.status < 200 || res.status >= 300) return 'failed';
    return res.body;
  }
  const get = (name: string, contentTypes?: readonly string[]) => getFrom(baseOf(source), name, contentTypes);

  /** A segment from where the relay pulls now, or, when it fails to serve it, from the origin and the other relays. */
  async function getSegment(name: string): Promise<Buffer | 'missing' | 'failed'> {
    const first = await get(name);
    if (first !== 'failed') return first;
    const others = [...(source === null ? [] : [originBase]), ...alternates().filter((a) => a !== source).map(baseOf)];
    for (const other of others) {
      const body = await getFrom(other, name);
      if (typeof body !== 'string') return body;
    }
    return first;
  }

  function switchTo(next: string | null, why: string): void {
    if (next === source) return;
    log.info({ from: source ?? 'origin', to: next ?? 'origin', why }, next === null ? 'live relay pulls from the origin' : 'live relay pulls from another relay');
    if (next === null) recheckHashes = true;
    source = next;
    sourceAdvancedAt = now();
    originBack = false;
    observe.source?.(next === null ? 'origin' : 'relay', next ?? input.masterUrl);
  }

  /** The relay pulled from fails (or lists nothing new): left alone a while, the next one taken (the origin when none is left). */
  function benchSource(why: string): void {
    if (source === null) return;
    benched.set(source, now() + staleAfterMs(targetSeconds));
    switchTo(pickAlternate(alternates(), benched, now(), source), why);
  }

  /** While pulling from another relay: is the origin back? (one question at a time, not waited for) */
  function probeOrigin(): void {
    if (originProbe) return;
    originProbe = getFrom(originBase, masterName, PLAYLIST_TYPES)
      .then((body) => {
        if (typeof body !== 'string') originBack = true;
      })
      .catch(() => undefined)
      .finally(() => {
        originProbe = null;
      });
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

  /**
   * The hash list: the origin's replaces what the relay knew; another relay's copy of it only adds
   * the segments not known yet (a hash the origin gave is never replaced by another relay's).
   */
  async function refreshHashes(): Promise<boolean> {
    const url = source === null ? input.segmentsSha256Url : `${source}/${LIVE_SEGMENTS_SHA256}`;
    const res = await fetcher.fetch(url, opts(4 * 1024 * 1024));
    if (!res.ok || res.status !== 200) return false;
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
      const fresh = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1])));
      if (source === null) {
        // a segment taken while the origin failed, under another relay's hash the origin now contradicts: no longer served
        for (const name of [...stored]) {
          if (hashes[name] === undefined || fresh[name] === undefined || fresh[name] === hashes[name]) continue;
          observe.mismatch(name);
          log.warn({ segment: name, expected: fresh[name], got: hashes[name] }, 'a live segment taken from another relay does not match the origin hash list: removed');
          stored.delete(name);
          hotSegments.delete(name);
          input.hot?.delete(join(input.dir, name));
          await rm(join(input.dir, name), { force: true });
        }
        hashes = fresh;
      } else {
        const kept = Object.fromEntries(Object.entries(hashes).filter(([name]) => stored.has(name) || fresh[name] !== undefined));
        hashes = { ...fresh, ...kept };
      }
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
      // not in the hash list yet: it is hashed before it is listed, so this is a race; next round
      if (hashes[name] === undefined) return false;
    }
    const body = isSegment ? await getSegment(name) : await get(name);
    if (typeof body === 'string') return false;
    if (isSegment) {
      const digest = createHash('sha256').update(body).digest('hex');
      if (digest !== hashes[name]) {
        observe.mismatch(name);
        if (!refusedOnce.has(name)) log.warn({ segment: name, from: current() ?? 'origin', expected: hashes[name], got: digest }, 'a live segment does not match the hash list: not served');
        refusedOnce.add(name);
        return false;
      }
    }
    await writeAtomic(name, body, isSegment ? 'segment' : 'pinned');
    stored.add(name);
    if (isSegment) observe.segment(body.length, Math.max(0, now() - (firstSeen.get(name) ?? now())));
    return true;
  }

  /** where the relay pulls from now (a function: the narrowing of `source` does not survive the calls that change it) */
  const current = (): string | null => source;
  const givenUp = (): 'live' | 'unreachable' => (now() - lastSuccess > input.unreachableMs ? 'unreachable' : 'live');

  /**
   * This round's master playlist: from the origin, or, once the origin has failed
   * FALLBACK_AFTER_ROUNDS rounds in a row, from another relay (each tried at most once a round,
   * a failing one benched); null when none serves it now.
   */
  async function readMaster(): Promise<Buffer | null> {
    if (current() !== null && originBack) switchTo(null, 'the origin answers again');
    if (current() === null) {
      const body = await get(masterName, PLAYLIST_TYPES);
      if (typeof body !== 'string') {
        originFailures = 0;
        lastSuccess = now();
        return body;
      }
      originFailures++;
      if (originFailures < FALLBACK_AFTER_ROUNDS) return null;
      switchTo(pickAlternate(alternates(), benched, now(), null), `the origin failed ${originFailures} rounds in a row`);
    }
    for (let tries = alternates().length; current() !== null && tries > 0; tries--) {
      probeOrigin();
      const body = await get(masterName, PLAYLIST_TYPES);
      if (typeof body !== 'string') return body;
      benchSource('it does not serve the master playlist');
    }
    return null;
  }

  /** One poll; 'ended' when the live has ended (every media playlist ends with #EXT-X-ENDLIST). */
  async function round(): Promise<'live' | RelayEnd> {
    const masterBody = await readMaster();
    if (masterBody === null) return givenUp();
    const from = current();
    const refuse = (message: string): 'live' | RelayEnd => {
      // another relay's playlists that cannot be relayed: that relay is left alone, not the live
      if (from !== null) {
        benchSource(message);
        return givenUp();
      }
      observe.end('refused', message);
      return 'refused';
    };
    const masterText = masterBody.toString('utf8');
    const master = parseRelayPlaylist(masterText);
    if (!master.ok) return refuse(`the master playlist cannot be relayed: ${JSON.stringify(master.reason)}`);
    const listed = new Set<string>();
    const hashesFetched = { done: false };
    if (from === null && recheckHashes) {
      hashesFetched.done = true;
      if (await refreshHashes()) recheckHashes = false;
    }
    let allEnded = master.value.uris.length > 0;
    let anyReady = false;
    let advanced = false;
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
      if (!media.ok) return refuse(`the media playlist ${variant} cannot be relayed: ${JSON.stringify(media.reason)}`);
      const end = playlistEnd(media.value.mediaSequence, media.value.uris.length);
      const before = lastEnd.get(variant);
      if (from === null) lastEnd.set(variant, end);
      else if (before !== undefined && end < before) {
        // a relay behind this one: the playlists served here never go back
        benchSource(`its playlist ${variant} is behind`);
        return givenUp();
      } else {
        if (before === undefined || end > before) advanced = true;
        lastEnd.set(variant, end);
      }
      targetSeconds = media.value.targetDuration ?? targetSeconds;
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
    if (from !== null) {
      // another relay counts as answering only while it lists something new (a relay of a gone origin, or A ← B ← A, does not)
      if (advanced) {
        lastSuccess = now();
        sourceAdvancedAt = now();
      } else if (now() - sourceAdvancedAt > staleAfterMs(targetSeconds)) benchSource('its playlists list nothing new');
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
    pollMs = relayPollMs(targetSeconds);
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
        outcome = givenUp();
      }
      if (stopped) return;
      if (outcome === 'ended') {
        observe.end('ended', 'the live playlists ended (#EXT-X-ENDLIST)');
        return;
      }
      if (outcome === 'unreachable') {
        observe.end('unreachable', `neither the origin nor another relay served the live for ${Math.round(input.unreachableMs / 1000)} s`);
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
      await originProbe;
    },
    /** where it pulls from now: null, the origin; else another relay's base URL */
    source: (): string | null => source,
    /** files served now (tests) */
    files: (): string[] => [...stored],
    /** segments answered from memory now (tests) */
    hot: (): string[] => [...hotSegments],
  };
}

export type RelayTask = ReturnType<typeof createRelayTask>;
