import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { applyServerTimeouts } from './server-timeouts.js';

/** A WebSocket endpoint on the main listener (e.g. the tracker's /tracker/socket). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface HttpListener {
  /** the port listened on (`port` until listening; listen.port may be 0) */
  readonly port: number;
  listen(): Promise<void>;
  /**
   * Stops accepting connections and closes the idle ones; the promise settles once every connection
   * is gone (after `destroyConnections()` for those still open).
   */
  close(): Promise<void>;
  /** ends the connections still open (requests in flight are cut) */
  destroyConnections(): void;
}

/**
 * The instance's main HTTP server: the koa app, PeerTube's keep-alive timeouts, the WebSocket
 * upgrades at their paths (any other upgrade is refused), and the connections tracked so that
 * stop() can end them.
 */
export function createHttpListener(options: { handler: RequestListener; hostname: string; port: number; upgrades?: Record<string, UpgradeHandler> }): HttpListener {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const upgrades = options.upgrades ?? {};
  return {
    get port(): number {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : options.port;
    },

    async listen() {
      server = createServer(options.handler);
      applyServerTimeouts(server);
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      if (Object.keys(upgrades).length > 0) {
        server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          const handler = upgrades[(req.url ?? '').split('?')[0]!];
          if (handler) handler(req, socket, head);
          else socket.destroy();
        });
      }
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.port, options.hostname, () => resolve());
      });
    },

    close() {
      if (!server) return Promise.resolve();
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    },

    destroyConnections() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
