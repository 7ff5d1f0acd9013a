// The parts of `ws` (a dependency of bittorrent-tracker, without types here) the player-swarm test uses.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';
  export default class WebSocket extends EventEmitter {
    static readonly OPEN: number;
    constructor(url: string);
    readonly readyState: number;
    send(data: string): void;
    close(): void;
  }
  export class WebSocketServer extends EventEmitter {
    constructor(options: { host: string; port: number });
    address(): AddressInfo | string;
    close(callback?: () => void): void;
  }
}
