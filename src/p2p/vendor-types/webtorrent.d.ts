// Minimal typings for webtorrent 2.8 (ships none): only what mirrortube and its tests use.
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';

  export interface WebTorrentOptions {
    utp?: boolean;
    dht?: boolean | object;
    lsd?: boolean;
    utPex?: boolean;
    natUpnp?: boolean | 'permanent';
    natPmp?: boolean;
    webSeeds?: boolean;
    torrentPort?: number;
    tracker?: false | { rtcConfig?: object; [key: string]: unknown };
    maxConns?: number;
    /** bytes per second for all torrents together; -1 = unlimited */
    uploadLimit?: number;
    downloadLimit?: number;
    /** when done, still connect to peers learnt from trackers/PEX (default true) */
    seedOutgoingConnections?: boolean;
  }

  /** An abstract-chunk-store constructor, called as `new Store(pieceLength, { length, files, ... })`. */
  export type ChunkStoreConstructor = new (chunkLength: number, options: { length: number; [key: string]: unknown }) => object;

  export interface AddTorrentOptions {
    path?: string;
    announce?: string[];
    urlList?: string[];
    skipVerify?: boolean;
    private?: boolean;
    store?: ChunkStoreConstructor;
    /** pieces cached in memory (default 20); 0 disables the cache */
    storeCacheSlots?: number;
    getAnnounceOpts?: () => object;
  }

  export interface Wire {
    type: 'webrtc' | 'tcpIncoming' | 'tcpOutgoing' | 'utpIncoming' | 'utpOutgoing' | 'webSeed';
    /** 'upload': piece bytes sent; 'close' */
    on(event: 'upload' | 'download', listener: (bytes: number) => void): this;
    once(event: 'close', listener: () => void): this;
    destroy(): void;
    remoteAddress?: string;
    remotePort?: number;
    downloaded: number;
    uploaded: number;
  }

  export interface TorrentFile {
    name: string;
    path: string;
    length: number;
  }

  export interface Torrent extends EventEmitter {
    infoHash: string;
    magnetURI: string;
    name: string;
    length: number;
    path: string;
    done: boolean;
    ready: boolean;
    progress: number;
    downloaded: number;
    uploaded: number;
    numPeers: number;
    wires: Wire[];
    files: TorrentFile[];
    announce: string[];
    urlList: string[];
    torrentFile: Uint8Array;
    destroy(options?: { destroyStore?: boolean }, callback?: (err?: Error | null) => void): void;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(options?: WebTorrentOptions);
    static readonly WEBRTC_SUPPORT: boolean;
    static readonly UTP_SUPPORT: boolean;
    torrents: Torrent[];
    torrentPort: number;
    peerId: string;
    destroyed: boolean;
    add(torrentId: string | Uint8Array | Buffer, options?: AddTorrentOptions, onTorrent?: (torrent: Torrent) => void): Torrent;
    seed(input: string | Buffer | Array<string | Buffer>, options?: object, onSeed?: (torrent: Torrent) => void): Torrent;
    get(torrentId: string): Promise<Torrent | null>;
    remove(torrentId: string | Torrent, options?: object, callback?: (err?: Error | null) => void): Promise<void>;
    destroy(callback?: (err?: Error | null) => void): void;
  }
}
