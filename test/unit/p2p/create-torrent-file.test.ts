import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnnounceList, buildTrackerUrls, createTorrentFile, readTorrentInfo } from '../../../src/p2p/index.js';

// Touches only a temporary file (no network): create-torrent hashes a real file.

const sha1 = (data: Uint8Array): Buffer => createHash('sha1').update(data).digest();

describe('createTorrentFile', () => {
  let tmp: string;
  let filePath: string;
  const content = Buffer.alloc(100_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-torrent-'));
    filePath = path.join(tmp, 'b506b411-360.mp4');
    await writeFile(filePath, content);
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const urls = buildTrackerUrls('http://localhost:9000');
  const webseed = 'http://localhost:9000/static/web-videos/b506b411-360.mp4';

  it('writes a PeerTube-style torrent whose infohash we can recompute independently', async () => {
    const { torrent, infoHash } = await createTorrentFile({
      filePath,
      name: 'test 360p.mp4',
      announceList: buildAnnounceList(urls),
      urlList: [webseed],
      pieceLength: 16384,
      creationDate: new Date('2026-01-01T00:00:00Z'),
    });

    // The info dictionary, bencoded by hand from the file's bytes: keys sorted, SHA-1 per piece.
    const pieceHashes: Buffer[] = [];
    for (let offset = 0; offset < content.length; offset += 16384) {
      pieceHashes.push(sha1(content.subarray(offset, offset + 16384)));
    }
    const pieces = Buffer.concat(pieceHashes);
    const info = Buffer.concat([
      Buffer.from(`d6:lengthi${content.length}e4:name13:test 360p.mp412:piece lengthi16384e6:pieces${pieces.length}:`),
      pieces,
      Buffer.from('e'),
    ]);
    expect(infoHash).toBe(sha1(info).toString('hex'));

    const parsed = readTorrentInfo(torrent);
    expect(parsed).toEqual({
      ok: true,
      value: {
        infoHash,
        name: 'test 360p.mp4',
        length: content.length,
        pieceLength: 16384,
        pieceCount: 7,
        files: [{ path: 'test 360p.mp4', length: content.length }],
        private: false,
        announceList: [['ws://localhost:9000/tracker/socket'], ['http://localhost:9000/tracker/announce']],
        urlList: [webseed],
        createdBy: 'mirrortube',
      },
    });
    expect(torrent.includes(Buffer.from('13:creation datei1767225600e'))).toBe(true);
  });

  it('adds no public trackers when none are given, and trackers/webseeds do not change the infohash', async () => {
    const bare = await createTorrentFile({ filePath, name: 'test 360p.mp4', announceList: [], urlList: [], pieceLength: 16384 });
    const full = await createTorrentFile({
      filePath,
      name: 'test 360p.mp4',
      announceList: buildAnnounceList(urls),
      urlList: [webseed],
      pieceLength: 16384,
      createdBy: 'PeerTube',
    });
    expect(bare.infoHash).toBe(full.infoHash);
    const parsed = readTorrentInfo(bare.torrent);
    expect(parsed.ok && parsed.value.announceList).toEqual([]);
    expect(parsed.ok && parsed.value.urlList).toEqual([]);
    const parsedFull = readTorrentInfo(full.torrent);
    expect(parsedFull.ok && parsedFull.value.createdBy).toBe('PeerTube');
  });

  it('fails for a missing file', async () => {
    await expect(
      createTorrentFile({ filePath: path.join(tmp, 'missing.mp4'), name: 'x', announceList: [], urlList: [] }),
    ).rejects.toThrow();
  });
});
