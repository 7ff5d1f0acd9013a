import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { createHostLabels } from '../metrics/index.js';
import {
  seedingRatio,
  summarizeAll,
  summarizeByHost,
  summarizeByHostAndKind,
  summarizeByVideo,
  type HostKindTransferSummary,
  type HostTransferSummary,
  type TransferDirection,
  type TransferKind,
  type TransferProtocol,
  type TransferRow,
  type TransferSummary,
  type VideoTransferSummary,
} from '../metrics/index.js';
import { isVideoUuid, servedVideoOf, type VideoMount } from '../metrics/index.js';
import type { TransferMetrics } from '../metrics/index.js';

/** The video a transfer is counted for. */
export interface TransferSubject {
  videoUuid: string;
  /** our host for local videos; the origin instance's host for mirrored copies */
  originHost: string;
  kind: TransferKind;
}

/** Bytes to add to one persisted total (video, protocol, direction). */
export interface TransferIncrement extends TransferSubject {
  protocol: TransferProtocol;
  direction: TransferDirection;
  bytes: number;
}

/** The persisted totals (`TransferTotal`) the accounting adds to and reports from. */
export interface TransferStore {
  /** The origin host of a remote video (its channel actor's host); null for a local or unknown one. */
  originHostOf(videoUuid: string): Promise<string | null>;
  /** Adds every increment in one transaction: all of them are written, or none. */
  increment(entries: readonly TransferIncrement[]): Promise<void>;
  /** Totals per origin host, kind, protocol and direction (`videoUuid` empty), of one video or all; largest first. */
  totalsByHost(videoUuid?: string): Promise<TransferRow[]>;
  /** One page of the videos with totals (of one video when given), by bytes, largest first. */
  videoPage(query: { videoUuid?: string; start: number; count: number }): Promise<{ total: number; videoUuids: string[] }>;
  /** Every persisted row of these videos. */
  rowsOf(videoUuids: readonly string[]): Promise<TransferRow[]>;
}

export interface TransferAccountingOptions {
  store: TransferStore;
  clock: Clock;
  metrics: TransferMetrics;
  logger: Logger;
  /** our host (`host[:port]`): the origin of local videos */
  ownHost: string;
  /** how often counted bytes are written to the database (also on stop and before a report) */
  flushIntervalMs: number;
  /** Origin host of a remote video we serve a copy of (HTTP paths only carry the uuid); null when unknown. Default: its channel's actor host. */
  resolveOriginHost?: (videoUuid: string) => Promise<string | null>;
  /** distinct `origin_host` label values before "other" (default 100) */
  maxHostLabels?: number;
  /** upserts per database transaction when flushing (default 200) */
  flushBatchSize?: number;
}

export interface TransferReport {
  /** when the totals were last written to the database (null: not yet since start) */
  flushedAt: string | null;
  total: TransferSummary;
  /** per origin host and kind (local videos: our host) */
  totals: HostKindTransferSummary[];
  /** per origin host, kinds together */
  hosts: HostTransferSummary[];
  videos: { total: number; data: VideoTransferSummary[] };
}

/** Origin host recorded for a mirror copy whose video is not (or no longer) known. */
export const UNKNOWN_ORIGIN_HOST = 'unknown';

type PendingEntry = TransferIncrement;

/**
 * Counts every video byte we serve (HTTP, BitTorrent, WebRTC) and download (mirror copies), by
 * video, origin host, kind, protocol and direction.
 *
 * - Counting is synchronous and in memory (hot path: one call per HTTP chunk or BitTorrent block);
 *   the Prometheus counter grows at once.
 * - `flush()` (every `flushIntervalMs`, on stop, before a report) moves the pending amounts into
 *   `TransferTotal` with atomic increments, in transactions: a batch that fails is put back and
 *   retried by the next flush, so nothing is lost and nothing is counted twice.
 * - At start the persisted totals are loaded into the Prometheus counters, so they continue
 *   across restarts and `/metrics` agrees with the REST totals.
 */
export function createTransferAccounting(options: TransferAccountingOptions) {
  const { store, metrics } = options;
  const log = options.logger.child({ component: 'transfers' });
  const batchSize = options.flushBatchSize ?? 200;
  const hostLabels = createHostLabels(options.ownHost, options.maxHostLabels ?? 100);

  let pending = new Map<string, PendingEntry>();
  /** served/downloaded per origin_host label, since forever (for the ratio gauge) */
  const hostTotals = new Map<string, { served: number; downloaded: number }>();
  /** Mirror copies' origin hosts, known from the engine or resolved once from the database. */
  const copyOrigins = new Map<string, string>();
  /** HTTP bytes of mirror copies waiting for their origin host to be resolved. */
  const unresolved = new Map<string, Map<TransferProtocol, number>>();
  const resolving = new Map<string, Promise<void>>();

  let timer: NodeJS.Timeout | undefined;
  let flushChain: Promise<void> = Promise.resolve();
  let flushedAt: Date | null = null;
  let started = false;

  metrics.setRatioSource(function* () {
    for (const [originHost, totals] of hostTotals) {
      const ratio = seedingRatio(totals.served, totals.downloaded);
      if (ratio !== null) yield { originHost, ratio };
    }
  });

  function count(subject: TransferSubject, protocol: TransferProtocol, direction: TransferDirection, bytes: number): void {
    if (!(bytes > 0)) return;
    const key = `${subject.videoUuid}|${protocol}|${direction}`;
    const entry = pending.get(key);
    if (entry) entry.bytes += bytes;
    else pending.set(key, { videoUuid: subject.videoUuid, originHost: subject.originHost, kind: subject.kind, protocol, direction, bytes });
    countInMetrics(subject.originHost, subject.kind, protocol, direction, bytes);
  }

  function countInMetrics(originHost: string, kind: TransferKind, protocol: TransferProtocol, direction: TransferDirection, bytes: number): void {
    const label = hostLabels.of(originHost);
    metrics.bytes.inc({ direction, protocol, kind, origin_host: label }, bytes);
    let totals = hostTotals.get(label);
    if (!totals) {
      totals = { served: 0, downloaded: 0 };
      hostTotals.set(label, totals);
    }
    if (direction === 'served') totals.served += bytes;
    else totals.downloaded += bytes;
  }

  function checkBytes(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`transfers: not a byte count: ${bytes}`);
  }

  function checkSubject(subject: TransferSubject): void {
    // Programming errors, not expected failures: a bad uuid would poison every later flush.
    if (!isVideoUuid(subject.videoUuid)) throw new Error(`transfers: not a video uuid: ${subject.videoUuid}`);
    if (subject.originHost === '') throw new Error('transfers: empty origin host');
  }

  function resolveLater(videoUuid: string): void {
    if (resolving.has(videoUuid)) return;
    const lookup = options.resolveOriginHost ?? store.originHostOf;
    const done = lookup(videoUuid)
      .catch((err: unknown) => {
        log.warn({ err, video: videoUuid }, 'could not resolve the origin host of a mirrored copy');
        return null;
      })
      .then((host) => {
        const originHost = host ?? UNKNOWN_ORIGIN_HOST;
        if (host) copyOrigins.set(videoUuid, host);
        const waiting = unresolved.get(videoUuid);
        unresolved.delete(videoUuid);
        resolving.delete(videoUuid);
        for (const [protocol, bytes] of waiting ?? []) count({ videoUuid, originHost, kind: 'mirror' }, protocol, 'served', bytes);
      });
    resolving.set(videoUuid, done);
  }

  /** Waits for origin-host lookups in progress (their bytes are counted when they end). */
  async function settleResolutions(): Promise<void> {
    while (resolving.size > 0) await Promise.all([...resolving.values()]);
  }

  async function writePending(): Promise<void> {
    await settleResolutions();
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    for (let i = 0; i < batch.length; i += batchSize) {
      const chunk = batch.slice(i, i + batchSize);
      try {
        await store.increment(chunk);
      } catch (err) {
        // Nothing of this transaction was written: give this chunk and the rest back.
        putBack(batch.slice(i));
        throw err;
      }
    }
    flushedAt = options.clock.now();
  }

  function putBack(entries: PendingEntry[]): void {
    for (const e of entries) {
      const key = `${e.videoUuid}|${e.protocol}|${e.direction}`;
      const current = pending.get(key);
      if (current) current.bytes += e.bytes;
      else pending.set(key, { ...e });
    }
  }

  /** Writes what was counted since the last flush; flushes never overlap. Rejects if the database refused (the bytes stay pending). */
  function flush(): Promise<void> {
    const run = flushChain.then(writePending);
    flushChain = run.catch(() => undefined);
    return run;
  }

  async function loadPersistedTotals(): Promise<void> {
    for (const g of await store.totalsByHost()) {
      if (g.bytes > 0) countInMetrics(g.originHost, g.kind, g.protocol, g.direction, g.bytes);
    }
  }

  return {
    /** Loads the persisted totals into the counters and starts the periodic flush. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      await loadPersistedTotals();
      timer = setInterval(() => {
        flush().catch((err: unknown) => log.warn({ err }, 'could not save transfer totals; they stay pending'));
      }, options.flushIntervalMs);
      timer.unref();
    },

    /** Stops the timer and writes what is pending (logged, not thrown, if the database refuses). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      try {
        await flush();
      } catch (err) {
        log.error({ err, pendingBytes: pendingBytes() }, 'could not save the last transfer totals');
      }
    },

    flush,

    /** Bytes of `subject` sent to a peer or client over `protocol`. */
    served(subject: TransferSubject, protocol: TransferProtocol, bytes: number): void {
      checkSubject(subject);
      checkBytes(bytes);
      count(subject, protocol, 'served', bytes);
    },

    /** Bytes downloaded to build a mirrored copy (the redundancy engine calls this). */
    recordDownload(input: { videoUuid: string; originHost: string; protocol: TransferProtocol; bytes: number }): void {
      const subject: TransferSubject = { videoUuid: input.videoUuid.toLowerCase(), originHost: input.originHost, kind: 'mirror' };
      checkSubject(subject);
      checkBytes(input.bytes);
      copyOrigins.set(subject.videoUuid, input.originHost);
      count(subject, input.protocol, 'downloaded', input.bytes);
    },

    /** Tells where a mirrored copy comes from, so its HTTP bytes need no database lookup. */
    registerCopy(videoUuid: string, originHost: string): void {
      copyOrigins.set(videoUuid.toLowerCase(), originHost);
    },

    /**
     * Bytes the static router sent from one of the video folders (its `onBytesSent`): the path
     * names the video (see served-path.ts); files that are no video's are not counted.
     */
    servedHttp,

    /**
     * The static router's `onBytesSent` for one mount: every byte is counted per mount, and the
     * video folders' bytes also as HTTP transfers of their video.
     */
    onStaticBytes(mount: VideoMount | 'torrents' | 'thumbnails' | 'previews'): (bytes: number, relativePath: string) => void {
      const mountBytes = metrics.staticBytes.labels({ mount });
      const isVideoMount = mount === 'streaming-playlists' || mount === 'web-videos' || mount === 'redundancy';
      return (bytes, relativePath) => {
        mountBytes.inc(bytes);
        if (isVideoMount) servedHttp(mount, relativePath, bytes);
      };
    },

    /** Persisted totals (after a flush, so they include everything counted so far). */
    async report(query: { videoUuid?: string; start: number; count: number }): Promise<TransferReport> {
      await flush();
      const byHost = await store.totalsByHost(query.videoUuid);
      const page = await store.videoPage(query);
      const uuids = page.videoUuids;
      const summaries = new Map(summarizeByVideo(uuids.length > 0 ? await store.rowsOf(uuids) : []).map((s) => [s.videoUuid, s]));
      return {
        flushedAt: flushedAt?.toISOString() ?? null,
        total: summarizeAll(byHost),
        totals: summarizeByHostAndKind(byHost),
        hosts: summarizeByHost(byHost),
        videos: { total: page.total, data: uuids.map((u) => summaries.get(u)).filter((s): s is VideoTransferSummary => s !== undefined) },
      };
    },

    /** uploadedBytes, downloadedBytes and ratio of these videos (for entries of the redundancy lists). */
    async videoSummaries(videoUuids: readonly string[]): Promise<Map<string, VideoTransferSummary>> {
      await flush();
      if (videoUuids.length === 0) return new Map();
      const rows = await store.rowsOf(videoUuids);
      return new Map(summarizeByVideo(rows).map((s) => [s.videoUuid, s]));
    },

    /** Bytes counted but not yet written to the database. */
    pendingBytes,
  };

  /**
   * Bytes the static router sent from one of the video folders (its `onBytesSent`): the path
   * names the video (see served-path.ts); files that are no video's are not counted.
   */
  function servedHttp(mount: VideoMount, relativePath: string, bytes: number): void {
    const video = servedVideoOf(mount, relativePath);
    if (!video || !(bytes > 0)) return;
    if (video.kind === 'local') {
      count({ videoUuid: video.videoUuid, originHost: options.ownHost, kind: 'local' }, 'http', 'served', bytes);
      return;
    }
    const originHost = copyOrigins.get(video.videoUuid);
    if (originHost !== undefined) {
      count({ videoUuid: video.videoUuid, originHost, kind: 'mirror' }, 'http', 'served', bytes);
      return;
    }
    let waiting = unresolved.get(video.videoUuid);
    if (!waiting) {
      waiting = new Map();
      unresolved.set(video.videoUuid, waiting);
    }
    waiting.set('http', (waiting.get('http') ?? 0) + bytes);
    resolveLater(video.videoUuid);
  }

  function pendingBytes(): number {
    let n = 0;
    for (const e of pending.values()) n += e.bytes;
    for (const waiting of unresolved.values()) for (const b of waiting.values()) n += b;
    return n;
  }
}

export type TransferAccounting = ReturnType<typeof createTransferAccounting>;
