// Minimal typings for bittorrent-tracker 11 (ships none): only what mirrortube uses.
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Duplex } from 'node:stream';

  export interface TrackerAnnounceParams {
    type: 'http' | 'ws' | 'udp';
    info_hash: string;
    peer_id: string;
    ip?: string;
    addr?: string;
    left?: number;
    event?: string;
    httpReq?: IncomingMessage;
    socket?: unknown;
  }

  export interface TrackerSwarm {
    complete: number;
    incomplete: number;
    peers: { length: number };
  }

  /** The tracker's own `ws` WebSocketServer (when created with `ws: { noServer: true }`). */
  export interface TrackerWebSocketServer {
    handleUpgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      callback: (ws: TrackerWebSocket, req: IncomingMessage) => void,
    ): void;
    emit(event: 'connection', ws: TrackerWebSocket, req: IncomingMessage): boolean;
    close(callback?: (err?: Error) => void): void;
  }

  export interface TrackerWebSocket {
    terminate(): void;
    once(event: 'close', listener: () => void): this;
  }

  export interface ServerOptions {
    http?: boolean | object;
    udp?: boolean | object;
    ws?: boolean | { noServer?: boolean; maxPayload?: number; [key: string]: unknown };
    stats?: boolean;
    trustProxy?: boolean;
    interval?: number;
    filter?: (infoHash: string, params: TrackerAnnounceParams, callback: (err?: Error | null) => void) => void;
  }

  export class Server extends EventEmitter {
    constructor(options?: ServerOptions);
    torrents: Record<string, TrackerSwarm>;
    ws: TrackerWebSocketServer | null;
    destroyed: boolean;
    onHttpRequest(req: IncomingMessage, res: ServerResponse, options?: { action?: 'announce' | 'scrape'; trustProxy?: boolean }): void;
    onWebSocketConnection(socket: TrackerWebSocket, options?: { trustProxy?: boolean }): void;
    close(callback?: (err?: Error | null) => void): void;
  }

  export interface ClientOptions {
    infoHash: string | Uint8Array;
    peerId: string | Uint8Array;
    announce: string[];
    port?: number;
    rtcConfig?: object;
    getAnnounceOpts?: () => object;
  }

  export interface TrackerUpdate {
    announce: string;
    complete: number;
    incomplete: number;
  }

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    start(options?: { left?: number; numwant?: number }): void;
    stop(options?: object): void;
    complete(options?: object): void;
    update(options?: object): void;
    scrape(options?: object): void;
    destroy(callback?: (err?: Error | null) => void): void;
  }

  export default Client;
}
