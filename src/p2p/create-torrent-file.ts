import createTorrent from 'create-torrent';
import { readTorrentInfo } from './read-torrent-info.js';

export interface CreateTorrentFileInput {
  /** The one file the torrent describes (single-file torrent, like PeerTube's). */
  filePath: string;
  /** `info.name`: the name clients save the file as; keep the extension (see buildTorrentInfoName). */
  name: string;
  /** Tracker tiers, PeerTube order: `[[wsUrl], [httpUrl]]` (see buildAnnounceList). */
  announceList: string[][];
  /** Webseed URLs of the same bytes (BEP 19); may be empty. */
  urlList: string[];
  createdBy?: string;
  /** Bytes per piece; by default create-torrent picks one from the size (max 4 MiB). */
  pieceLength?: number;
  /** `creation date` (outside the info dict, so it does not change the infohash). Pass clock.now(). */
  creationDate?: Date;
}

export interface CreatedTorrent {
  torrent: Buffer;
  infoHash: string;
}

/**
 * Hashes the file into a .torrent (create-torrent does the piece hashing) and returns the file's
 * bytes with its infohash, which we compute ourselves from the bencoded info dictionary of the
 * produced file (readTorrentInfo), so it is the exact value clients will announce.
 */
export async function createTorrentFile(input: CreateTorrentFileInput): Promise<CreatedTorrent> {
  const bytes = await new Promise<Uint8Array>((resolve, reject) => {
    createTorrent(
      input.filePath,
      {
        name: input.name,
        createdBy: input.createdBy ?? 'mirrortube',
        // Always given (even empty): without it create-torrent adds public default trackers.
        announceList: input.announceList.map((tier) => [...tier]),
        urlList: [...input.urlList],
        ...(input.pieceLength !== undefined ? { pieceLength: input.pieceLength } : {}),
        ...(input.creationDate !== undefined ? { creationDate: input.creationDate } : {}),
      },
      (error, torrent) => (error ? reject(error) : resolve(torrent)),
    );
  });

  const torrent = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parsed = readTorrentInfo(torrent);
  if (!parsed.ok) throw new Error(`create-torrent produced an unreadable torrent: ${JSON.stringify(parsed.reason)}`);
  return { torrent, infoHash: parsed.value.infoHash };
}
