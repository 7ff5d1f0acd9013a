import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTorrentWebseeds, buildAnnounceList, buildTrackerUrls, createTorrentFile, decodeBencode, encodeBencode, isBencodeDict, readTorrentInfo } from '../../../src/p2p/index.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const str = (s: string | Buffer): Buffer => {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([b(`${bytes.length}:`), bytes]);
};
const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex');

const OWN = 'http://origin/static/streaming-playlists/hls/u/f-240-fragmented.mp4';
const MIRROR_1 = 'http://mirror-1/static/redundancy/hls/u/f-240-fragmented.mp4';
const MIRROR_2 = 'http://mirror-2/static/redundancy/hls/u/f-240-fragmented.mp4';

// Keys deliberately not sorted inside info: a re-encoding of it would change the infohash.
const info = Buffer.concat([
  b('d'),
  str('name'), str('video 240p.mp4'),
  str('length'), b('i40000e'),
  str('piece length'), b('i32768e'),
  str('pieces'), str(Buffer.alloc(40, 9)),
  b('e'),
]);
const torrentWith = (urlList: Buffer | null): Buffer =>
  Buffer.concat([
    b('d'),
    str('announce'), str('ws://origin/tracker/socket'),
    str('announce-list'), b('l'), b('l'), str('ws://origin/tracker/socket'), b('e'), b('l'), str('http://origin/tracker/announce'), b('e'), b('e'),
    str('created by'), str('mirrortube'),
    str('creation date'), b('i1700000000e'),
    str('info'), info,
    ...(urlList ? [str('url-list'), urlList] : []),
    b('e'),
  ]);

function rewrite(torrent: Buffer, webseeds: string[]) {
  const result = addTorrentWebseeds(torrent, webseeds);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.reason)}`);
  return result.value;
}

describe('addTorrentWebseeds', () => {
  const original = torrentWith(Buffer.concat([b('l'), str(OWN), b('e')]));

  it('appends the mirrors after the torrent\'s own URL and keeps the infohash', () => {
    const out = rewrite(original, [OWN, MIRROR_1, MIRROR_2]);
    expect(out.urlList).toEqual([OWN, MIRROR_1, MIRROR_2]);
    expect(out.infoHash).toBe(sha1(info));
    const read = readTorrentInfo(out.torrent);
    expect(read).toMatchObject({ ok: true, value: { infoHash: sha1(info), urlList: [OWN, MIRROR_1, MIRROR_2] } });
    // the info dictionary is in the output byte for byte
    expect(out.torrent.includes(info)).toBe(true);
  });

  it('keeps every other key as it was', () => {
    const out = rewrite(original, [OWN, MIRROR_1]);
    const before = readTorrentInfo(original);
    const after = readTorrentInfo(out.torrent);
    if (!before.ok || !after.ok) throw new Error('unreadable');
    expect({ ...after.value, urlList: [] }).toEqual({ ...before.value, urlList: [] });
    const root = decodeBencode(out.torrent);
    if (!root.ok || !isBencodeDict(root.value)) throw new Error('not a dict');
    expect([...root.value.entries.keys()]).toEqual(['announce', 'announce-list', 'created by', 'creation date', 'info', 'url-list']);
    expect(root.value.entries.get('creation date')).toBe(1700000000);
  });

  it('is the identity when nothing is added', () => {
    expect(rewrite(original, []).torrent.equals(original)).toBe(true);
    expect(rewrite(original, [OWN]).torrent.equals(original)).toBe(true);
  });

  it('drops duplicates and empty URLs, keeping first occurrences in order', () => {
    const out = rewrite(original, [MIRROR_1, OWN, '', MIRROR_1, MIRROR_2, OWN]);
    expect(out.urlList).toEqual([OWN, MIRROR_1, MIRROR_2]);
  });

  it('adds a url-list to a torrent without one (own URL first when given first)', () => {
    const bare = torrentWith(null);
    const out = rewrite(bare, [OWN, MIRROR_1]);
    expect(out.urlList).toEqual([OWN, MIRROR_1]);
    expect(readTorrentInfo(out.torrent)).toMatchObject({ ok: true, value: { infoHash: sha1(info), urlList: [OWN, MIRROR_1] } });
    // url-list sorts after info, as BEP 3 orders keys
    expect(out.torrent.subarray(out.torrent.indexOf(info) + info.length).toString('latin1').startsWith('8:url-listl')).toBe(true);
    // and a torrent without url-list given nothing stays without one
    expect(rewrite(bare, []).torrent.equals(bare)).toBe(true);
  });

  it('reads a single-string url-list as a list of one', () => {
    const single = torrentWith(str(OWN));
    const out = rewrite(single, [OWN, MIRROR_1]);
    expect(out.urlList).toEqual([OWN, MIRROR_1]);
    expect(readTorrentInfo(out.torrent)).toMatchObject({ ok: true, value: { infoHash: sha1(info), urlList: [OWN, MIRROR_1] } });
  });

  it('refuses what is not a torrent', () => {
    expect(addTorrentWebseeds(b('garbage'), [MIRROR_1])).toMatchObject({ ok: false, reason: { type: 'bencode' } });
    expect(addTorrentWebseeds(b('li1ee'), [MIRROR_1])).toMatchObject({ ok: false, reason: { type: 'not-a-dictionary' } });
    expect(addTorrentWebseeds(Buffer.concat([b('d'), str('info'), b('i1e'), b('e')]), [MIRROR_1])).toMatchObject({ ok: false, reason: { type: 'no-info-dictionary' } });
  });

  describe('on a torrent made by create-torrent (as our transcoding writes them)', () => {
    let tmp: string;
    let torrent: Buffer;
    let infoHash: string;

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-webseeds-'));
      const file = path.join(tmp, 'f-240-fragmented.mp4');
      const content = Buffer.alloc(70_000);
      for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 253;
      await writeFile(file, content);
      const created = await createTorrentFile({ filePath: file, name: 'a vidéo', announceList: buildAnnounceList(buildTrackerUrls('http://origin')), urlList: [OWN], pieceLength: 16384 });
      torrent = created.torrent;
      infoHash = created.infoHash;
    });
    afterAll(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    it('keeps its infohash and everything but url-list', () => {
      const out = rewrite(torrent, [OWN, MIRROR_1]);
      expect(out.infoHash).toBe(infoHash);
      const before = readTorrentInfo(torrent);
      const after = readTorrentInfo(out.torrent);
      if (!before.ok || !after.ok) throw new Error('unreadable');
      expect(after.value).toEqual({ ...before.value, urlList: [OWN, MIRROR_1] });
      // only the url-list grew
      expect(out.torrent.length - torrent.length).toBe(str(MIRROR_1).length);
    });
  });
});

describe('encodeBencode', () => {
  it('encodes integers, UTF-8 strings, bytes, lists and maps with sorted keys', () => {
    const value = new Map<string, Parameters<typeof encodeBencode>[0]>([
      ['zeta', -3],
      ['alpha', 'é'],
      ['list', [0, new Uint8Array([0xff]), []]],
      ['Beta', new Map()],
    ]);
    expect(encodeBencode(value).toString('latin1')).toBe(`d4:Betade5:alpha2:${Buffer.from('é').toString('latin1')}4:listli0e1:\xfflee4:zetai-3ee`);
  });

  it('writes a decoded dictionary as its original bytes', () => {
    const unsorted = b('d1:bi1e1:ai2ee');
    const decoded = decodeBencode(unsorted);
    if (!decoded.ok || !isBencodeDict(decoded.value)) throw new Error('not a dict');
    expect(encodeBencode([decoded.value]).equals(Buffer.concat([b('l'), unsorted, b('e')]))).toBe(true);
  });

  it('refuses numbers bencode cannot hold', () => {
    expect(() => encodeBencode(1.5)).toThrow(RangeError);
    expect(() => encodeBencode(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});
