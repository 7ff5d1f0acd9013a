import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBencode, isBencodeDict, readTorrentInfo } from '../../../src/p2p/index.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const str = (s: string | Buffer): Buffer => {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([b(`${bytes.length}:`), bytes]);
};
const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex');

describe('decodeBencode', () => {
  it('decodes integers, strings, lists and dictionaries, keeping dictionaries raw bytes', () => {
    const input = b('d3:bar4:spam3:fooi42e4:listli-3ei0e0:ee');
    const result = decodeBencode(input);
    expect(result.ok).toBe(true);
    if (!result.ok || !isBencodeDict(result.value)) throw new Error('expected a dictionary');
    expect(Buffer.from(result.value.entries.get('bar') as Uint8Array).toString()).toBe('spam');
    expect(result.value.entries.get('foo')).toBe(42);
    const list = result.value.entries.get('list') as unknown[];
    expect(list.slice(0, 2)).toEqual([-3, 0]);
    expect(Buffer.from(result.value.raw).equals(input)).toBe(true);
  });

  it.each([
    ['', 'truncated'],
    ['i42', 'truncated'],
    ['i-0e', 'invalid-integer'],
    ['i042e', 'invalid-integer'],
    ['i4.2e', 'invalid-integer'],
    ['ie', 'invalid-integer'],
    ['i99999999999999999999e', 'invalid-integer'],
    ['5:abc', 'truncated'],
    ['05:abcde', 'invalid-string-length'],
    ['l', 'truncated'],
    ['d3:foo', 'truncated'],
    ['di1ei2ee', 'unexpected-byte'],
    ['x', 'unexpected-byte'],
    ['i1ei2e', 'trailing-bytes'],
    ['l'.repeat(100) + 'e'.repeat(100), 'too-deep'],
  ])('refuses %j (%s)', (input, reason) => {
    expect(decodeBencode(b(input))).toMatchObject({ ok: false, reason: { type: reason } });
  });
});

describe('readTorrentInfo', () => {
  const pieces = Buffer.alloc(40, 7);
  // Keys deliberately NOT sorted inside info: a re-encoding would sort them and change the hash,
  // clients hash the bytes as they are, so must we.
  const info = Buffer.concat([
    b('d'),
    str('name'), str('video 720p.mp4'),
    str('length'), b('i40000e'),
    str('piece length'), b('i32768e'),
    str('pieces'), str(pieces),
    b('e'),
  ]);
  const torrent = Buffer.concat([
    b('d'),
    str('announce'), str('ws://host/tracker/socket'),
    str('announce-list'), b('l'), b('l'), str('ws://host/tracker/socket'), b('e'), b('l'), str('http://host/tracker/announce'), b('e'), b('e'),
    str('created by'), str('PeerTube'),
    str('info'), info,
    str('url-list'), b('l'), str('http://host/static/web-videos/x-720.mp4'), b('e'),
    b('e'),
  ]);

  it('reads a PeerTube-style single-file torrent and hashes the raw info dictionary', () => {
    expect(readTorrentInfo(torrent)).toEqual({
      ok: true,
      value: {
        infoHash: sha1(info),
        name: 'video 720p.mp4',
        length: 40000,
        pieceLength: 32768,
        pieceCount: 2,
        files: [{ path: 'video 720p.mp4', length: 40000 }],
        private: false,
        announceList: [['ws://host/tracker/socket'], ['http://host/tracker/announce']],
        urlList: ['http://host/static/web-videos/x-720.mp4'],
        createdBy: 'PeerTube',
      },
    });
  });

  it('reads multi-file torrents, a lone announce, a string url-list and the private flag', () => {
    const multiInfo = Buffer.concat([
      b('d'),
      str('files'), b('l'),
      b('d'), str('length'), b('i3e'), str('path'), b('l'), str('a'), str('b.txt'), b('e'), b('e'),
      b('d'), str('length'), b('i4e'), str('path'), b('l'), str('c.txt'), b('e'), b('e'),
      b('e'),
      str('name'), str('folder'),
      str('piece length'), b('i16384e'),
      str('pieces'), str(Buffer.alloc(20)),
      str('private'), b('i1e'),
      b('e'),
    ]);
    const multi = Buffer.concat([
      b('d'), str('announce'), str('http://t/announce'), str('info'), multiInfo, str('url-list'), str('http://w/folder'), b('e'),
    ]);
    const result = readTorrentInfo(multi);
    expect(result).toMatchObject({
      ok: true,
      value: {
        infoHash: sha1(multiInfo),
        length: 7,
        files: [
          { path: 'folder/a/b.txt', length: 3 },
          { path: 'folder/c.txt', length: 4 },
        ],
        private: true,
        announceList: [['http://t/announce']],
        urlList: ['http://w/folder'],
      },
    });
  });

  it.each([
    ['not bencode', b('hello'), { type: 'bencode', error: 'unexpected-byte' }],
    ['a list', b('le'), { type: 'not-a-dictionary' }],
    ['no info', b('de'), { type: 'missing-field', field: 'info' }],
    ['info not a dict', Buffer.concat([b('d'), str('info'), b('i1e'), b('e')]), { type: 'invalid-field', field: 'info' }],
    ['no name', Buffer.concat([b('d'), str('info'), b('de'), b('e')]), { type: 'missing-field', field: 'info.name' }],
    [
      'bad pieces',
      Buffer.concat([b('d'), str('info'), b('d'), str('name'), str('x'), str('piece length'), b('i1e'), str('pieces'), str('abc'), b('e'), b('e')]),
      { type: 'invalid-field', field: 'info.pieces' },
    ],
    [
      'no length nor files',
      Buffer.concat([b('d'), str('info'), b('d'), str('name'), str('x'), str('piece length'), b('i1e'), str('pieces'), str(''), b('e'), b('e')]),
      { type: 'invalid-field', field: 'info.files' },
    ],
  ])('refuses %s', (_label, input, reason) => {
    expect(readTorrentInfo(input)).toMatchObject({ ok: false, reason });
  });
});
