import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server } from 'bittorrent-tracker';
import type { TrackerWebSocket } from 'bittorrent-tracker';

/** The logging this component needs; a pino logger fits. */
export interface TrackerLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TrackerOptions {
  /** When true, only infohashes accepted by `isAllowedInfoHash` may be announced. */
  private: boolean;
  /** Lower-case hex infohash → is it one of ours (video file, HLS playlist, mirrored copy)? */
  isAllowedInfoHash: (infoHash: string) => Promise<boolean> | boolean;
  logger: TrackerLogger;
  /** Take the peer's IP from X-Forwarded-For (behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  /** Re-announce interval given to HTTP clients (WebSocket clients get a fifth). Default 10 min. */
  announceIntervalMs?: number;
  /** Called for every accepted announce (metrics): `event` is started, completed, stopped, update or paused. */
  onAnnounce?: (protocol: 'http' | 'ws' | 'udp', event: string | undefined) => void;
  /** Called for every refused or malformed request (metrics). */
  onRefused?: () => void;
}

export interface TrackerStats {
  /** Swarms known to the tracker. */
  torrents: number;
  seeders: number;
  leechers: number;
  /** Peers over all swarms (a peer in two swarms counts twice). */
  peers: number;
}

export interface Tracker {
  /** Answers `GET /tracker/announce` or `/tracker/scrape` on the node request (koa: `ctx.respond = false`). */
  handleHttp(req: IncomingMessage, res: ServerResponse, action: 'announce' | 'scrape'): void;
  /** Takes over an HTTP upgrade the caller has routed to `/tracker/socket`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): TrackerStats;
  /** Refuses new requests, closes every tracker WebSocket. */
  close(): Promise<void>;
}

export const UNKNOWN_INFOHASH_MESSAGE = 'Unknown infoHash';
const MAX_WEBSOCKET_MESSAGE_BYTES = 1024 * 1024;

/**
 * A BitTorrent tracker (HTTP announce/scrape + WebSocket for WebTorrent/WebRTC peers) that lives on
 * our own HTTP server instead of listening itself: bittorrent-tracker's Server with its HTTP, UDP
 * and stats listeners off and its WebSocket server in `noServer` mode.
 */
export function createTracker(options: TrackerOptions): Tracker {
  const { logger } = options;
  const sockets = new Set<TrackerWebSocket>();
  let closed = false;

  const server = new Server({
    http: false,
    udp: false,
    stats: false,
    ws: { noServer: true, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES },
    trustProxy: options.trustProxy ?? false,
    ...(options.announceIntervalMs !== undefined ? { interval: options.announceIntervalMs } : {}),
    filter: (infoHash, _params, callback) => {
      if (!options.private) return callback(null);
      void decide(infoHash).then(callback);
    },
  });

  async function decide(infoHash: string): Promise<Error | null> {
    try {
      if (await options.isAllowedInfoHash(infoHash)) return null;
      return new Error(`${UNKNOWN_INFOHASH_MESSAGE} ${infoHash}`);
    } catch (error) {
      logger.error({ err: error, infoHash }, 'tracker: infohash check failed');
      return new Error('Tracker error, try again later');
    }
  }

  // Refused and malformed announces are the clients' problem; keep them out of normal logs.
  server.on('warning', (error: Error) => {
    logger.debug({ err: error }, 'tracker: request refused');
    options.onRefused?.();
  });
  // bittorrent-tracker emits each accepted announce under its event's name, with the request's params.
  const ANNOUNCE_EVENTS: Record<string, string> = { start: 'started', complete: 'completed', stop: 'stopped', update: 'update', pause: 'paused' };
  if (options.onAnnounce) {
    const onAnnounce = options.onAnnounce;
    for (const [emitted, event] of Object.entries(ANNOUNCE_EVENTS)) {
      server.on(emitted, (_peer: unknown, params: { type?: 'http' | 'ws' | 'udp' } | undefined) => onAnnounce(params?.type ?? 'http', event));
    }
  }
  server.on('error', (error: Error) => logger.error({ err: error }, 'tracker: error'));

  const wss = server.ws;
  if (wss === null) throw new Error('bittorrent-tracker did not create its WebSocket server');

  return {
    handleHttp(req, res, action) {
      if (closed) {
        res.statusCode = 503;
        res.end();
        return;
      }
      // Behind koa the node response still carries koa's default 404; trackers answer 200 with a
      // bencoded body, failures included (`failure reason`).
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/plain');
      server.onHttpRequest(req, res, { action });
    },

    handleUpgrade(req, socket, head) {
      if (closed) {
        socket.destroy();
        return;
      }
      // The tracker's own `connection` listener attaches the socket (and keeps the request for
      // the peer's address); we only keep a reference to terminate it on close().
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.once('close', () => sockets.delete(ws));
        wss.emit('connection', ws, req);
      });
    },

    stats() {
      let seeders = 0;
      let leechers = 0;
      let peers = 0;
      const swarms = Object.values(server.torrents);
      for (const swarm of swarms) {
        seeders += swarm.complete;
        leechers += swarm.incomplete;
        peers += swarm.peers.length;
      }
      return { torrents: swarms.length, seeders, leechers, peers };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
