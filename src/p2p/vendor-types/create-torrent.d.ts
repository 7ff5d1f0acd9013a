// Minimal typings for create-torrent 6 (ships none): only what mirrortube uses.
declare module 'create-torrent' {
  export interface CreateTorrentOptions {
    name?: string;
    creationDate?: Date | number;
    comment?: string;
    createdBy?: string;
    private?: boolean;
    pieceLength?: number;
    maxPieceLength?: number;
    /** Must be given (even `[]`): when absent create-torrent adds public default trackers. */
    announceList?: string[][];
    urlList?: string[];
    info?: Record<string, unknown>;
  }

  export default function createTorrent(
    input: string | Buffer | Array<string | Buffer>,
    options: CreateTorrentOptions,
    callback: (err: Error | null, torrent: Uint8Array) => void,
  ): void;
}
