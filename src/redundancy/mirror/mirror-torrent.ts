import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createTorrentFile, decodeBencode, encodeBencode, isBencodeDict, readTorrentInfo, type BencodeInput } from '../../p2p/index.js';

/** Do the file's pieces hash to `pieces` (20-byte SHA-1 each)? Reads the file once. */
export async function filePiecesMatch(path: string, pieceLength: number, pieces: Uint8Array): Promise<{ ok: true } | { ok: false; message: string }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const count = Math.ceil(size / pieceLength);
    if (count * 20 !== pieces.length) return { ok: false, message: `the torrent has ${pieces.length / 20} pieces, the file needs ${count}` };
    const buffer = Buffer.allocUnsafe(pieceLength);
    for (let i = 0; i < count; i++) {
      const length = Math.min(pieceLength, size - i * pieceLength);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(buffer, read, length - read, i * pieceLength + read);
        if (bytesRead === 0) return { ok: false, message: 'the file shrank while being read' };
        read += bytesRead;
      }
      const digest = createHash('sha1').update(buffer.subarray(0, length)).digest();
      if (!digest.equals(pieces.subarray(i * 20, i * 20 + 20))) return { ok: false, message: `piece ${i} does not match the torrent` };
    }
    return { ok: true };
  } finally {
    await handle.close();
  }
}

export interface MirrorTorrentInput {
  readonly filePath: string;
  readonly fileSize: number;
  /** `info.name` when we create the torrent (an origin's info dict keeps its own name) */
  readonly name: string;
  /** webseeds: the mirror's URL of the file first, then the origin's */
  readonly urlList: readonly string[];
  readonly announceList: readonly (readonly string[])[];
  readonly createdBy: string;
  readonly creationDate: Date;
  /** the origin's .torrent for this file, when it could be fetched */
  readonly originTorrent?: Buffer;
}

export interface MirrorTorrent {
  readonly torrent: Buffer;
  readonly infoHash: string;
  /** 'origin-info': the origin's info dict byte for byte (same infohash, one swarm); 'created': our own */
  readonly source: 'origin-info' | 'created';
  /** why the origin's torrent was not used, when one was given */
  readonly note?: string;
}

/**
 * The copy's .torrent for one file. With the origin's torrent, its info dictionary is reused byte
 * for byte after checking it describes exactly this file (single file, same length, every piece's
 * SHA-1), so the infohash equals the origin's and peers of both swarms meet; only the trackers and
 * webseeds are ours. Without it (or when it does not match), a new torrent is hashed, with the
 * origin's piece length when known.
 */
export async function buildMirrorTorrent(input: MirrorTorrentInput): Promise<MirrorTorrent> {
  let note: string | undefined;
  let pieceLength: number | undefined;
  if (input.originTorrent !== undefined) {
    const info = readTorrentInfo(input.originTorrent);
    const decoded = decodeBencode(input.originTorrent);
    const infoDict = decoded.ok && isBencodeDict(decoded.value) ? decoded.value.entries.get('info') : undefined;
    if (info.ok) pieceLength = info.value.pieceLength;
    if (!info.ok || !isBencodeDict(infoDict)) note = `the origin's torrent is unreadable (${info.ok ? 'no info dictionary' : info.reason.type})`;
    else if (typeof infoDict.entries.get('length') !== 'number') note = "the origin's torrent is a multi-file torrent";
    else if (info.value.length !== input.fileSize) note = `the origin's torrent describes ${info.value.length} bytes, the file has ${input.fileSize}`;
    else {
      const pieces = infoDict.entries.get('pieces') as Uint8Array;
      const match = await filePiecesMatch(input.filePath, info.value.pieceLength, pieces);
      if (!match.ok) note = `the origin's torrent does not match the file: ${match.message}`;
      else {
        const root = new Map<string, BencodeInput>([
          ['announce-list', input.announceList],
          ['created by', input.createdBy],
          ['creation date', Math.floor(input.creationDate.getTime() / 1000)],
          ['info', infoDict], // written as its original bytes: same infohash
          ['url-list', input.urlList],
        ]);
        const firstTracker = input.announceList[0]?.[0];
        if (firstTracker !== undefined) root.set('announce', firstTracker);
        return { torrent: encodeBencode(root), infoHash: info.value.infoHash, source: 'origin-info' };
      }
    }
  }
  const created = await createTorrentFile({
    filePath: input.filePath,
    name: input.name,
    announceList: input.announceList.map((tier) => [...tier]),
    urlList: [...input.urlList],
    createdBy: input.createdBy,
    creationDate: input.creationDate,
    ...(pieceLength === undefined ? {} : { pieceLength }),
  });
  return { torrent: created.torrent, infoHash: created.infoHash, source: 'created', ...(note === undefined ? {} : { note }) };
}
