import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTorrentInfo, createTorrentFile } from '../../../src/p2p/index.js';
import {
  buildMirrorTorrent,
  createRangeVerifier,
  createTokenBucket,
  decideResume,
  parseContentRange,
  type HashedRange,
} from '../../../src/redundancy/mirror/index.js';
import { virtualTime } from '../../support/virtual-time.js';

describe('decideResume: what to do with the answer to a resumed GET', () => {
  it.each([
    ['fresh 200', { requestedFrom: 0, status: 200, contentLength: '1000' }, { action: 'write', from: 0, expectedEnd: 1000, total: 1000 }],
    ['fresh 200 without length (chunked)', { requestedFrom: 0, status: 200 }, { action: 'write', from: 0 }],
    ['206 from exactly our size', { requestedFrom: 400, status: 206, contentRange: 'bytes 400-999/1000', contentLength: '600' }, { action: 'write', from: 400, expectedEnd: 1000, total: 1000 }],
    ['206 with unknown total', { requestedFrom: 400, status: 206, contentRange: 'bytes 400-999/*' }, { action: 'write', from: 400, expectedEnd: 1000 }],
    ['a short 206 (asks again for the rest)', { requestedFrom: 400, status: 206, contentRange: 'bytes 400-499/1000' }, { action: 'write', from: 400, expectedEnd: 500, total: 1000 }],
    ['200 to a Range request (server ignores ranges): whole file from 0', { requestedFrom: 400, status: 200, contentLength: '1000' }, { action: 'write', from: 0, expectedEnd: 1000, total: 1000 }],
    ['416 because we already have it all', { requestedFrom: 1000, status: 416, contentRange: 'bytes */1000' }, { action: 'complete', size: 1000 }],
  ])('%s', (_name, answer, decision) => {
    expect(decideResume(answer)).toEqual(decision);
  });

  it.each([
    ['206 starting elsewhere', { requestedFrom: 400, status: 206, contentRange: 'bytes 0-999/1000' }],
    ['206 without Content-Range', { requestedFrom: 400, status: 206 }],
    ['206 with a malformed Content-Range', { requestedFrom: 400, status: 206, contentRange: 'bytes 400-/1000' }],
    ['206 whose length contradicts its range', { requestedFrom: 400, status: 206, contentRange: 'bytes 400-999/1000', contentLength: '10' }],
    ['206 to a request without Range', { requestedFrom: 0, status: 206 }],
    ['416 when the file is bigger than what we have', { requestedFrom: 400, status: 416, contentRange: 'bytes */1000' }],
    ['416 when our partial file is longer than the file', { requestedFrom: 1400, status: 416, contentRange: 'bytes */1000' }],
  ])('restart from 0: %s', (_name, answer) => {
    expect(decideResume(answer).action).toBe('restart');
  });

  it.each([404, 500, 503, 416])('HTTP %i without Range is a failure', (status) => {
    expect(decideResume({ requestedFrom: 0, status })).toMatchObject({ action: 'fail' });
  });

  it('parseContentRange', () => {
    expect(parseContentRange('bytes 0-9/10')).toEqual({ start: 0, end: 9, total: 10 });
    expect(parseContentRange('bytes 0-10/10')).toBeUndefined();
    expect(parseContentRange('bytes 5-4/10')).toBeUndefined();
    expect(parseContentRange('items 0-9/10')).toBeUndefined();
  });
});

describe('token bucket on a manual clock', () => {
  function virtual() {
    return virtualTime();
  }

  it('lets a burst through, then charges rate: 1 MB at 100 kB/s with a 100 kB bucket takes 9 s', async () => {
    const { clock, waits, timer } = virtual();
    const bucket = createTokenBucket({ bytesPerSecond: 100_000, burstBytes: 100_000, clock, timer });
    const start = clock.now().getTime();
    for (let i = 0; i < 100; i++) await bucket.take(10_000);
    expect(clock.now().getTime() - start).toBe(9000);
    expect(waits.every((w) => w === 100)).toBe(true);
    expect(waits).toHaveLength(90); // the first 100 kB (the burst) waited for nothing
  });

  it('refills with elapsed time, never above the bucket size', () => {
    const { clock, timer } = virtual();
    const bucket = createTokenBucket({ bytesPerSecond: 1000, burstBytes: 500, clock, timer });
    expect(bucket.reserve(500)).toBe(0);
    expect(bucket.reserve(250)).toBe(250); // 250 bytes of debt at 1000 B/s
    clock.advance(250);
    expect(bucket.balance()).toBe(0);
    clock.advance(60_000);
    expect(bucket.balance()).toBe(500);
    expect(bucket.reserve(2000)).toBe(1500); // a chunk bigger than the bucket: the debt is paid at the rate
  });

  it('concurrent takers share the rate: reservations queue behind each other', () => {
    const { clock, timer } = virtual();
    const bucket = createTokenBucket({ bytesPerSecond: 1000, burstBytes: 1000, clock, timer });
    bucket.reserve(1000);
    expect([bucket.reserve(100), bucket.reserve(100), bucket.reserve(100)]).toEqual([100, 200, 300]);
  });

  it('default bucket: one second of the rate', () => {
    const { clock, timer } = virtual();
    const bucket = createTokenBucket({ bytesPerSecond: 200_000, clock, timer });
    expect(bucket.reserve(200_000)).toBe(0);
    expect(bucket.reserve(20_000)).toBe(100);
  });
});

describe('range verifier (hashes while the bytes stream)', () => {
  const data = randomBytes(10_000);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const ranges: HashedRange[] = [
    { key: '100-2099', offset: 100, length: 2000, sha256: sha(data.subarray(100, 2100)) },
    { key: '2100-9999', offset: 2100, length: 7900, sha256: sha(data.subarray(2100, 10_000)) },
  ];
  const feed = (bytes: Buffer, chunk: number) => {
    const verifier = createRangeVerifier(ranges);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const verdict = verifier.update(bytes.subarray(offset, Math.min(bytes.length, offset + chunk)), offset);
      if (!verdict.ok) return verdict;
    }
    return verifier.finish(bytes.length);
  };

  it.each([1, 7, 100, 2100, 4096, 10_000])('accepts the right bytes in chunks of %i', (chunk) => {
    expect(feed(data, chunk)).toEqual({ ok: true });
  });

  it('names the range of a flipped byte, as soon as that range is complete', () => {
    const bad = Buffer.from(data);
    bad[3000] = bad[3000]! ^ 0x01;
    expect(feed(bad, 4096)).toMatchObject({ ok: false, range: '2100-9999' });
    const verifier = createRangeVerifier(ranges);
    const early = Buffer.from(data);
    early[500] = early[500]! ^ 0x80;
    expect(verifier.update(early.subarray(0, 2100), 0)).toMatchObject({ ok: false, range: '100-2099' });
  });

  it('a truncated file fails on the range it cuts', () => {
    expect(feed(data.subarray(0, 9000), 1000)).toMatchObject({ ok: false, range: '2100-9999' });
  });

  it('restart() begins again from byte 0', () => {
    const verifier = createRangeVerifier(ranges);
    verifier.update(data.subarray(0, 5000), 0);
    verifier.restart();
    verifier.update(data, 0);
    expect(verifier.finish(data.length)).toEqual({ ok: true });
  });
});

describe('mirror torrents', () => {
  let dir: string;
  const file = () => join(dir, 'v-240-fragmented.mp4');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-mirror-torrent-'));
    await writeFile(file(), randomBytes(300_000));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const common = () => ({
    filePath: file(),
    fileSize: 300_000,
    name: 'v-240-fragmented.mp4',
    urlList: ['https://mirror.example/static/redundancy/hls/u/v-240-fragmented.mp4', 'https://origin.example/static/streaming-playlists/hls/u/v-240-fragmented.mp4'],
    announceList: [['wss://mirror.example/tracker/socket'], ['https://mirror.example/tracker/announce']],
    createdBy: 'mirrortube',
    creationDate: new Date('2025-01-01T00:00:00Z'),
  });

  it("reuses the origin's info dict: same infohash, our trackers and webseeds", async () => {
    const origin = await createTorrentFile({
      filePath: file(),
      name: 'My video 240p.mp4',
      announceList: [['wss://origin.example/tracker/socket']],
      urlList: ['https://origin.example/x.mp4'],
      pieceLength: 32 * 1024,
    });
    const built = await buildMirrorTorrent({ ...common(), originTorrent: origin.torrent });
    expect(built.source).toBe('origin-info');
    expect(built.infoHash).toBe(origin.infoHash);
    const info = readTorrentInfo(built.torrent);
    if (!info.ok) throw new Error('unreadable');
    expect(info.value).toMatchObject({
      infoHash: origin.infoHash,
      name: 'My video 240p.mp4',
      pieceLength: 32 * 1024,
      urlList: common().urlList,
      announceList: common().announceList,
    });
  });

  it("creates its own torrent (with the origin's piece length) when the origin's does not match the file", async () => {
    await writeFile(join(dir, 'other.mp4'), randomBytes(300_000));
    const origin = await createTorrentFile({ filePath: join(dir, 'other.mp4'), name: 'x', announceList: [], urlList: [], pieceLength: 16 * 1024 });
    const built = await buildMirrorTorrent({ ...common(), originTorrent: origin.torrent });
    expect(built.source).toBe('created');
    expect(built.note).toContain('piece 0 does not match');
    expect(built.infoHash).not.toBe(origin.infoHash);
    const info = readTorrentInfo(built.torrent);
    expect(info.ok && [info.value.pieceLength, info.value.length, info.value.urlList]).toEqual([16 * 1024, 300_000, common().urlList]);
  });

  it('creates its own torrent without an origin torrent', async () => {
    const built = await buildMirrorTorrent(common());
    expect(built).toMatchObject({ source: 'created' });
    expect(built.note).toBeUndefined();
  });
});
