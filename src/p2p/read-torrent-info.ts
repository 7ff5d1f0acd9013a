import { createHash } from 'node:crypto';
import { decodeBencode, isBencodeDict } from './bencode-decode.js';
import type { BencodeDict, BencodeError, BencodeValue } from './bencode-decode.js';
import { fail, ok } from '../lib/result.js';
import type { Result } from '../lib/result.js';

export interface TorrentInfo {
  /** Lower-case hex SHA-1 of the bencoded info dictionary, exactly as stored in the file. */
  infoHash: string;
  name: string;
  /** Total size in bytes (sum of the files of a multi-file torrent). */
  length: number;
  pieceLength: number;
  pieceCount: number;
  files: Array<{ path: string; length: number }>;
  private: boolean;
  announceList: string[][];
  urlList: string[];
  createdBy?: string;
}

export type TorrentRefusal =
  | { type: 'bencode'; error: BencodeError; offset: number }
  | { type: 'not-a-dictionary' }
  | { type: 'missing-field'; field: string }
  | { type: 'invalid-field'; field: string };

export type ReadTorrentResult = Result<TorrentInfo, TorrentRefusal>;

/** Parses a .torrent file (BEP 3, plus announce-list BEP 12 and url-list BEP 19). */
export function readTorrentInfo(buffer: Uint8Array): ReadTorrentResult {
  const decoded = decodeBencode(buffer);
  if (!decoded.ok) return refuse({ type: 'bencode', error: decoded.reason.type, offset: decoded.reason.offset });
  const root = decoded.value;
  if (!isBencodeDict(root)) return refuse({ type: 'not-a-dictionary' });

  const info = root.entries.get('info');
  if (info === undefined) return refuse({ type: 'missing-field', field: 'info' });
  if (!isBencodeDict(info)) return refuse({ type: 'invalid-field', field: 'info' });

  const name = text(info.entries.get('name.utf-8')) ?? text(info.entries.get('name'));
  if (name === undefined) return refuse({ type: 'missing-field', field: 'info.name' });

  const pieceLength = info.entries.get('piece length');
  if (typeof pieceLength !== 'number' || pieceLength <= 0) return refuse({ type: 'invalid-field', field: 'info.piece length' });

  const pieces = info.entries.get('pieces');
  if (!(pieces instanceof Uint8Array) || pieces.length % 20 !== 0) return refuse({ type: 'invalid-field', field: 'info.pieces' });

  const files = readFiles(info, name);
  if (files === undefined) return refuse({ type: 'invalid-field', field: 'info.files' });

  return ok({
    infoHash: createHash('sha1').update(info.raw).digest('hex'),
    name,
    length: files.reduce((sum, f) => sum + f.length, 0),
    pieceLength,
    pieceCount: pieces.length / 20,
    files,
    private: info.entries.get('private') === 1,
    announceList: readAnnounceList(root),
    urlList: readUrlList(root.entries.get('url-list')),
    createdBy: text(root.entries.get('created by')),
  });
}

function readFiles(info: BencodeDict, name: string): TorrentInfo['files'] | undefined {
  const single = info.entries.get('length');
  if (typeof single === 'number') return single >= 0 ? [{ path: name, length: single }] : undefined;

  const list = info.entries.get('files');
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const files: TorrentInfo['files'] = [];
  for (const entry of list) {
    if (!isBencodeDict(entry)) return undefined;
    const length = entry.entries.get('length');
    const segments = entry.entries.get('path.utf-8') ?? entry.entries.get('path');
    if (typeof length !== 'number' || length < 0 || !Array.isArray(segments)) return undefined;
    const parts = segments.map(text);
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    files.push({ path: [name, ...parts].join('/'), length });
  }
  return files;
}

function readAnnounceList(root: BencodeDict): string[][] {
  const tiers = root.entries.get('announce-list');
  if (Array.isArray(tiers)) {
    const result = tiers
      .map((tier) => (Array.isArray(tier) ? tier.map(text).filter((u): u is string => u !== undefined) : []))
      .filter((tier) => tier.length > 0);
    if (result.length > 0) return result;
  }
  const announce = text(root.entries.get('announce'));
  return announce === undefined ? [] : [[announce]];
}

function readUrlList(value: BencodeValue | undefined): string[] {
  if (value instanceof Uint8Array) return value.length > 0 ? [Buffer.from(value).toString('utf8')] : [];
  if (!Array.isArray(value)) return [];
  return value.map(text).filter((u): u is string => u !== undefined && u !== '');
}

function text(value: BencodeValue | undefined): string | undefined {
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : undefined;
}

function refuse(reason: TorrentRefusal): ReadTorrentResult {
  return fail(reason);
}
