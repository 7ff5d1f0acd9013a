import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import WebTorrent from 'webtorrent';
import type { Torrent, Wire } from 'webtorrent';
import type { Clock } from '../lib/clock.js';
import { fail, ok, type Result } from '../lib/result.js';
import { ReadOnlyFileStore } from './read-only-file-store.js';
import { readTorrentInfo } from './read-torrent-info.js';
import { batchWireWrites, type CorkableConnection } from './wire-batching.js';
import { shortenWebRtcAnswerDelay, webRtcAnswerDelayMs } from './webrtc-answer-delay.js';
import type { SharedFileBlocks } from './shared-file-blocks.js';
import { seedingProtocolOf, type SeedingProtocol } from './wire-protocol.js';

/** The seeder's settings (config `seeding.*`). */
export interface SeederConfig {
  /** TCP and uTP port for BitTorrent peers; 0: any free port (the trackers learn it from our announces) */
  port: number;
  /** also accept uTP (BitTorrent over UDP) */
  utp: boolean;
  /** also seed to browsers over WebRTC, signalled through the WebSocket tracker */
  webrtc: boolean;
  /** STUN/TURN URLs for WebRTC; empty: host candidates only (a server with a public address needs none) */
  iceServers: string[];
  /** peer connections per torrent (webtorrent's maxConns) */
  maxConnsPerTorrent: number;
  /** peer connections over all torrents; new ones beyond it are closed at once */
  maxConns: number;
  /** bytes per second over all peers; -1: unlimited */
  uploadLimit: number;
}

/** Where the counted bytes of a seeded file go: a local video of ours or a mirrored copy. */
export type SeedKind = 'local' | 'mirror';

export interface SeedFile {
  /** the file as it is served over HTTP; never written to */
  path: string;
  /** the .torrent we publish for it (its announce list names our tracker) */
  torrentFile: Buffer;
  infoHash: string;
  kind: SeedKind;
  /** our host for local videos, the origin instance's host for mirrored copies */
  originHost: string;
  videoUuid: string;
}

export type SeedRefusal =
  | { type: 'not-running' }
  | { type: 'invalid-torrent'; message: string }
  | { type: 'infohash-mismatch'; expected: string; actual: string }
  | { type: 'file-missing'; path: string }
  | { type: 'size-mismatch'; path: string; expected: number; actual: number }
  | { type: 'webtorrent-error'; message: string };

export interface SeededTorrent {
  infoHash: string;
  videoUuid: string;
  kind: SeedKind;
  originHost: string;
  path: string;
  seededAt: Date;
}

export interface SeederStats {
  torrents: number;
  /** connected peers by protocol */
  peers: Record<SeedingProtocol, number>;
  /** piece bytes sent since start, by protocol */
  uploadedBytes: Record<SeedingProtocol, number>;
  /** the port BitTorrent peers connect to (null before start) */
  port: number | null;
}

/** The logging this component needs; a pino logger fits. */
export interface SeederLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SeederOptions {
  config: SeederConfig;
  logger: SeederLogger;
  clock: Clock;
  /** Blocks of files kept in memory by the static file server, shared (see ReadOnlyFileStore). */
  sharedBlocks?: SharedFileBlocks;
  /** Called for every block of piece data sent to a peer. */
  onUpload(infoHash: string, bytes: number, protocol: SeedingProtocol, file: SeededTorrent): void;
}

export type Seeder = ReturnType<typeof createSeeder>;

/** The socket under a wire (webtorrent keeps its peers, each with its wire and connection, in `_peers`). */
function connectionOf(torrent: Torrent, wire: Wire): CorkableConnection | undefined {
  const peers = (torrent as unknown as { _peers?: Map<string, { wire?: unknown; conn?: CorkableConnection | null }> })._peers;
  for (const peer of peers?.values() ?? []) if (peer.wire === wire) return peer.conn ?? undefined;
  return undefined;
}

interface Entry {
  meta: SeededTorrent;
  torrent: Torrent;
}

/**
 * Server-side seeding with webtorrent: the files we already serve over HTTP (our videos, later
 * mirrored copies) are also given to BitTorrent peers over TCP and uTP, and to browsers over
 * WebRTC through our own WebSocket tracker (the torrents' announce list names it).
 *
 * - Files are read in place through a read-only chunk store, and are not hashed again: we wrote
 *   them and made their torrents, so `skipVerify` is safe; only their size is checked.
 * - Passive: no DHT, LSD, NAT traversal or webseeds; announces ask for no peers and send no
 *   WebRTC offers (leechers come to us: their offers reach us through the tracker).
 * - Connection limits per torrent and overall, and one upload rate cap for all peers.
 */
export function createSeeder(options: SeederOptions) {
  const { config, logger } = options;
  const torrents = new Map<string, Entry>();
  const adding = new Map<string, Promise<Result<SeededTorrent, SeedRefusal>>>();
  const uploadedBytes: Record<SeedingProtocol, number> = { bittorrent: 0, webrtc: 0 };
  let client: WebTorrent | undefined;
  let stopping = false;

  function connectedWires(): number {
    let n = 0;
    for (const { torrent } of torrents.values()) n += torrent.wires.length;
    return n;
  }

  function watchWires(entry: Entry): void {
    entry.torrent.on('wire', (wire: Wire) => {
      const protocol = seedingProtocolOf(wire.type);
      if (protocol === null) return;
      if (connectedWires() > config.maxConns) {
        logger.debug({ infoHash: entry.meta.infoHash, limit: config.maxConns }, 'seeder: connection limit reached, closing a new peer');
        wire.destroy();
        return;
      }
      // TCP and uTP are byte streams: what a turn of the event loop answers leaves in one writev
      if (protocol === 'bittorrent') {
        const conn = connectionOf(entry.torrent, wire);
        if (conn) batchWireWrites(wire as unknown as Parameters<typeof batchWireWrites>[0], conn);
      }
      wire.on('upload', (bytes: number) => {
        uploadedBytes[protocol] += bytes;
        options.onUpload(entry.meta.infoHash, bytes, protocol, entry.meta);
      });
    });
  }

  async function add(file: SeedFile): Promise<Result<SeededTorrent, SeedRefusal>> {
    const info = readTorrentInfo(file.torrentFile);
    if (!info.ok) return fail({ type: 'invalid-torrent', message: JSON.stringify(info.reason) });
    const infoHash = info.value.infoHash;
    if (infoHash !== file.infoHash.toLowerCase()) return fail({ type: 'infohash-mismatch', expected: file.infoHash, actual: infoHash });
    if (info.value.files.length !== 1) return fail({ type: 'invalid-torrent', message: 'seeding needs a single-file torrent' });

    let size: number;
    try {
      const st = await stat(file.path);
      if (!st.isFile()) return fail({ type: 'file-missing', path: file.path });
      size = st.size;
    } catch {
      return fail({ type: 'file-missing', path: file.path });
    }
    if (size !== info.value.length) return fail({ type: 'size-mismatch', path: file.path, expected: info.value.length, actual: size });

    const wt = client;
    if (!wt || stopping) return fail({ type: 'not-running' });
    const filePath = file.path;
    const sharedBlocks = options.sharedBlocks;
    // webtorrent builds the store itself: bind it to the file we serve, whatever info.name says.
    class FileStore extends ReadOnlyFileStore {
      constructor(chunkLength: number, storeOptions: { length: number }) {
        super(chunkLength, { path: filePath, length: storeOptions.length, ...(sharedBlocks ? { blocks: sharedBlocks } : {}) });
      }
    }

    const meta: SeededTorrent = {
      infoHash,
      videoUuid: file.videoUuid,
      kind: file.kind,
      originHost: file.originHost,
      path: file.path,
      seededAt: options.clock.now(),
    };
    return new Promise((resolve) => {
      const torrent = wt.add(file.torrentFile, {
        path: dirname(filePath),
        store: FileStore,
        storeCacheSlots: 0,
        skipVerify: true,
      });
      const entry: Entry = { meta, torrent };
      watchWires(entry);
      let settled = false;
      const settle = (result: Result<SeededTorrent, SeedRefusal>): boolean => {
        if (settled) return false;
        settled = true;
        resolve(result);
        return true;
      };
      const onError = (err: Error) => {
        settle(fail({ type: 'webtorrent-error', message: err.message }));
      };
      // Destroyed before it was ready (the seeder is stopping).
      torrent.once('close', () => settle(fail({ type: 'not-running' })));
      const onReady = () => {
        if (!settle(ok(meta))) return;
        torrent.off('error', onError);
        if (config.webrtc) shortenWebRtcAnswerDelay(torrent, webRtcAnswerDelayMs(config.iceServers));
        // Later errors (a tracker that went away…) are not fatal to the other torrents: log them.
        torrent.on('error', (err: Error) => logger.warn({ err, infoHash }, 'seeder: torrent error'));
        torrents.set(infoHash, entry);
      };
      torrent.once('error', onError);
      torrent.once('ready', onReady);
      torrent.on('warning', (err: Error) => logger.debug({ err: err.message, infoHash }, 'seeder: torrent warning'));
    });
  }

  function destroyTorrent(torrent: Torrent): Promise<void> {
    return new Promise((resolve) => torrent.destroy({ destroyStore: false }, () => resolve()));
  }

  return {
    /** Opens the BitTorrent listener (TCP, and uTP when enabled). Call once our HTTP server (tracker) listens. */
    async start(): Promise<void> {
      if (client) return;
      stopping = false;
      const announceOpts = () => ({ numwant: 0 });
      const wt = new WebTorrent({
        torrentPort: config.port,
        utp: config.utp,
        dht: false,
        lsd: false,
        natUpnp: false,
        natPmp: false,
        webSeeds: false,
        maxConns: config.maxConnsPerTorrent,
        uploadLimit: config.uploadLimit,
        tracker: config.webrtc
          ? { rtcConfig: { iceServers: config.iceServers.map((urls) => ({ urls })) }, getAnnounceOpts: announceOpts }
          : { wrtc: false, getAnnounceOpts: announceOpts },
      });
      wt.on('error', (err) => logger.warn({ err }, 'seeder: webtorrent error'));
      await new Promise<void>((resolve, reject) => {
        const onError = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
        wt.once('error', onError);
        wt.once('listening', () => {
          wt.off('error', onError);
          resolve();
        });
      });
      client = wt;
      logger.info({ port: wt.torrentPort, utp: config.utp, webrtc: config.webrtc, uploadLimit: config.uploadLimit }, 'seeder started');
    },

    /** Closes every peer connection and the listener; the files are left as they are. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.allSettled([...adding.values()]);
      const wt = client;
      client = undefined;
      torrents.clear();
      if (!wt) return;
      await new Promise<void>((resolve) => wt.destroy(() => resolve()));
    },

    /**
     * Starts seeding a file (idempotent by infohash). Expected failures are values: a missing file,
     * a size that differs from its torrent, a torrent that does not match the given infohash.
     */
    async seed(file: SeedFile): Promise<Result<SeededTorrent, SeedRefusal>> {
      if (!client || stopping) return fail({ type: 'not-running' });
      const infoHash = file.infoHash.toLowerCase();
      const existing = torrents.get(infoHash);
      if (existing) return ok(existing.meta);
      const inProgress = adding.get(infoHash);
      if (inProgress) return inProgress;
      const attempt = add(file).finally(() => adding.delete(infoHash));
      adding.set(infoHash, attempt);
      return attempt;
    },

    /** Stops seeding one torrent (the file stays); false when it was not seeded. */
    async unseed(infoHash: string): Promise<boolean> {
      const key = infoHash.toLowerCase();
      await adding.get(key);
      const entry = torrents.get(key);
      if (!entry) return false;
      torrents.delete(key);
      await destroyTorrent(entry.torrent);
      return true;
    },

    isSeeding(infoHash: string): boolean {
      return torrents.has(infoHash.toLowerCase());
    },

    /** What is seeded, optionally only one video's files. */
    list(filter: { videoUuid?: string } = {}): SeededTorrent[] {
      const all = [...torrents.values()].map((e) => e.meta);
      return filter.videoUuid === undefined ? all : all.filter((m) => m.videoUuid === filter.videoUuid);
    },

    stats(): SeederStats {
      const peers: Record<SeedingProtocol, number> = { bittorrent: 0, webrtc: 0 };
      for (const { torrent } of torrents.values()) {
        for (const wire of torrent.wires) {
          const protocol = seedingProtocolOf(wire.type);
          if (protocol) peers[protocol]++;
        }
      }
      return { torrents: torrents.size, peers, uploadedBytes: { ...uploadedBytes }, port: client ? client.torrentPort : null };
    },
  };
}
