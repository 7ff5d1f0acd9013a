import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFileCache, sharedFileBlocks } from '../../../src/http/static/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import {
  buildTrackerUrls,
  createSeeder,
  createTorrentFile,
  createTracker,
  ReadOnlyFileStore,
  TRACKER_SOCKET_PATH,
  type CreatedTorrent,
  type Seeder,
  type SeederConfig,
  type SeedingProtocol,
  type Tracker,
} from '../../../src/p2p/index.js';
import WebTorrent from 'webtorrent';
import { waitFor } from '../../support/ports.js';
import { leech } from '../../support/seeding.js';
import { TEST_CLIENT_OPTIONS } from '../../support/webtorrent.js';

// Our seeder on its own (no instance): a koa server hosting our tracker, files on disk, real
// WebTorrent leechers on 127.0.0.1.

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
const BASE_CONFIG: SeederConfig = { port: 0, utp: false, webrtc: false, iceServers: [], maxConns: 100, maxConnsPerTorrent: 55, uploadLimit: -1 };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('seeder: server-side seeding of existing files', () => {
  let tmp: string;
  let server: http.Server;
  let tracker: Tracker;
  let announceUrl: string;
  const seeders: Seeder[] = [];

  async function file(name: string, size: number): Promise<{ path: string; content: Buffer; torrent: CreatedTorrent }> {
    const dir = path.join(tmp, 'files');
    await mkdir(dir, { recursive: true });
    const content = randomBytes(size);
    const filePath = path.join(dir, name);
    await writeFile(filePath, content);
    // info.name differs from the file name on disk, as with PeerTube's torrents ("<video name> 240p.mp4").
    const torrent = await createTorrentFile({ filePath, name: `A video ${name}.mp4`, announceList: [[announceUrl]], urlList: [] });
    return { path: filePath, content, torrent };
  }

  function seederWith(config: Partial<SeederConfig>, uploads: Array<{ bytes: number; protocol: SeedingProtocol }> = []): Seeder {
    const seeder = createSeeder({
      config: { ...BASE_CONFIG, ...config },
      logger: quiet,
      clock: createManualClock(new Date('2026-11-22T12:00:00Z')),
      onUpload: (_infoHash, bytes, protocol) => uploads.push({ bytes, protocol }),
    });
    seeders.push(seeder);
    return seeder;
  }

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-seeder-'));
    tracker = createTracker({ private: false, isAllowedInfoHash: () => true, logger: { debug: () => {}, warn: () => {}, error: () => {} } });
    const app = new Koa();
    app.use(async (ctx, next) => {
      if (ctx.path !== '/tracker/announce') return next();
      ctx.respond = false;
      tracker.handleHttp(ctx.req, ctx.res, 'announce');
    });
    server = http.createServer(app.callback());
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] === TRACKER_SOCKET_PATH) tracker.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    announceUrl = buildTrackerUrls(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).announceUrl;
  });

  afterAll(async () => {
    for (const seeder of seeders) await seeder.stop();
    await tracker?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses what it cannot seed, as values: not started, missing file, other size, other infohash', async () => {
    const f = await file('refusals', 50_000);
    const seeder = seederWith({});
    const input = { path: f.path, torrentFile: f.torrent.torrent, infoHash: f.torrent.infoHash, kind: 'local' as const, originHost: 'us.example', videoUuid: crypto.randomUUID() };
    expect(await seeder.seed(input)).toEqual({ ok: false, reason: { type: 'not-running' } });
    await seeder.start();
    expect((await seeder.seed({ ...input, path: path.join(tmp, 'nope.mp4') })).ok).toBe(false);
    expect(await seeder.seed({ ...input, path: path.join(tmp, 'nope.mp4') })).toMatchObject({ reason: { type: 'file-missing' } });
    const other = await file('other-size', 40_000);
    expect(await seeder.seed({ ...input, path: other.path })).toMatchObject({ reason: { type: 'size-mismatch', expected: 50_000, actual: 40_000 } });
    expect(await seeder.seed({ ...input, infoHash: 'f'.repeat(40) })).toMatchObject({ reason: { type: 'infohash-mismatch' } });
    expect(await seeder.seed({ ...input, torrentFile: Buffer.from('not a torrent') })).toMatchObject({ reason: { type: 'invalid-torrent' } });
    const seeded = await seeder.seed(input);
    expect(seeded).toMatchObject({ ok: true, value: { infoHash: f.torrent.infoHash, kind: 'local', originHost: 'us.example', seededAt: new Date('2026-11-22T12:00:00Z') } });
    expect(await seeder.seed(input)).toEqual(seeded); // idempotent
    expect(seeder.stats().torrents).toBe(1);
    expect(await seeder.unseed(f.torrent.infoHash)).toBe(true);
    expect(await seeder.unseed(f.torrent.infoHash)).toBe(false);
    expect(seeder.stats().torrents).toBe(0);
    await seeder.stop();
  });

  it('serves a file in place (never written, not re-hashed) to a leecher that only knows the tracker, and reports every block sent', async () => {
    const f = await file('served', 3 * 1024 * 1024 + 12345);
    const mtimeBefore = (await stat(f.path)).mtimeMs;
    const uploads: Array<{ bytes: number; protocol: SeedingProtocol }> = [];
    const seeder = seederWith({}, uploads);
    await seeder.start();
    const started = performance.now();
    const seeded = await seeder.seed({ path: f.path, torrentFile: f.torrent.torrent, infoHash: f.torrent.infoHash, kind: 'mirror', originHost: 'origin.example', videoUuid: crypto.randomUUID() });
    expect(seeded.ok).toBe(true);
    // skipVerify: adding does not read 3 MB of pieces back (a generous bound, well below hashing GBs).
    expect(performance.now() - started).toBeLessThan(1000);

    const result = await leech(f.torrent.torrent);
    expect(sha256(result.data)).toBe(sha256(f.content));
    expect(result.wireTypes.every((w) => w.startsWith('tcp'))).toBe(true);
    const sent = uploads.reduce((sum, u) => sum + u.bytes, 0);
    expect(sent).toBe(f.content.length); // one seeder, one leecher: each block once
    expect(new Set(uploads.map((u) => u.protocol))).toEqual(new Set(['bittorrent']));
    expect(seeder.stats().uploadedBytes).toEqual({ bittorrent: f.content.length, webrtc: 0 });
    expect((await stat(f.path)).mtimeMs).toBe(mtimeBefore);
    expect(sha256(await readFile(f.path))).toBe(sha256(f.content));
    await seeder.stop();
  });

  it('its chunk store reads pieces and blocks in place, refuses writes and reads outside the file, and never deletes', async () => {
    const f = await file('store', 2500);
    const store = new ReadOnlyFileStore(1000, { path: f.path, length: 2500 });
    const get = (index: number, opts: { offset?: number; length?: number } | null) =>
      new Promise<Buffer>((resolve, reject) => store.get(index, opts, (err, buf) => (err ? reject(err) : resolve(buf!))));
    expect(await get(0, null)).toEqual(f.content.subarray(0, 1000));
    expect(await get(2, null)).toEqual(f.content.subarray(2000, 2500)); // the last piece is shorter
    expect(await get(1, { offset: 100, length: 16 })).toEqual(f.content.subarray(1100, 1116));
    await expect(get(2, { offset: 400, length: 200 })).rejects.toThrow(/outside the file/);
    await expect(get(3, null)).rejects.toThrow(/outside the file/);
    await expect(new Promise((resolve, reject) => store.put(0, Buffer.alloc(1000), (err) => (err ? reject(err) : resolve(null))))).rejects.toThrow(/read-only/);
    await new Promise((resolve) => store.destroy(() => resolve(null)));
    expect(await readFile(f.path)).toEqual(f.content);
    await expect(get(0, null)).rejects.toThrow(/closed/);
  });

  it('its chunk store answers from the static file cache (the same memory), keeps blocks it admits there, and never mixes in a replaced file', async () => {
    const MiB = 1024 * 1024;
    const piece = 256 * 1024;
    const f = await file('shared', 3 * MiB + 100);
    const cache = createStaticFileCache({ maxBytes: 16 * MiB });
    const store = new ReadOnlyFileStore(piece, { path: f.path, length: f.content.length, blocks: sharedFileBlocks(cache) });
    const get = (index: number, opts: { offset?: number; length?: number } | null) =>
      new Promise<Buffer>((resolve, reject) => store.get(index, opts, (err, buf) => (err ? reject(err) : resolve(buf!))));
    // every piece and some 16 KiB blocks, right; a block is kept once a second piece of it is missed
    for (let i = 0; i * piece < f.content.length; i++) {
      expect((await get(i, null)).equals(f.content.subarray(i * piece, Math.min(f.content.length, (i + 1) * piece)))).toBe(true);
      if (i * piece + 32768 <= f.content.length) expect((await get(i, { offset: 16384, length: 16384 })).equals(f.content.subarray(i * piece + 16384, i * piece + 32768))).toBe(true);
    }
    const entry = cache.peek(f.path)!;
    expect([...entry.blocks.keys()].sort()).toEqual([0, 1, 2]); // the last block (100 bytes, one piece) was read alone
    // a block of a cached piece is a view of the cache's memory, not a copy
    expect((await get(5, { offset: 0, length: 16384 })).buffer).toBe(entry.blocks.get(1)!.buffer);

    // the file is replaced (a new transcode): HTTP caches the new version; the store keeps reading the file it has open
    const replacement = randomBytes(f.content.length);
    await writeFile(`${f.path}.new`, replacement);
    await rename(`${f.path}.new`, f.path);
    const fresh = cache.file(f.path, await stat(f.path));
    cache.store(fresh, 0, replacement.subarray(0, MiB));
    expect((await get(3, null)).equals(f.content.subarray(3 * piece, 4 * piece))).toBe(true);
    expect((await get(6, { offset: 0, length: 16384 })).equals(f.content.subarray(6 * piece, 6 * piece + 16384))).toBe(true);
    expect(cache.peek(f.path)).toBe(fresh); // and it did not drop the new version's entry
    await new Promise((resolve) => store.destroy(() => resolve(null)));
  });

  it('closes peer connections beyond max_connections (all torrents together)', async () => {
    const f = await file('limited', 2_000_000);
    const messages: string[] = [];
    const seeder = createSeeder({
      config: { ...BASE_CONFIG, maxConns: 1, uploadLimit: 100_000 },
      logger: { ...quiet, debug: (_fields: object, message: string) => messages.push(message) },
      clock: createManualClock(),
      onUpload: () => {},
    });
    seeders.push(seeder);
    await seeder.start();
    await seeder.seed({ path: f.path, torrentFile: f.torrent.torrent, infoHash: f.torrent.infoHash, kind: 'local', originHost: 'us.example', videoUuid: crypto.randomUUID() });
    const clients = [new WebTorrent(TEST_CLIENT_OPTIONS), new WebTorrent(TEST_CLIENT_OPTIONS)];
    try {
      for (const [i, client] of clients.entries()) client.add(f.torrent.torrent, { path: path.join(tmp, `limited-${i}`) });
      await waitFor('a connection over the limit', async () => (messages.includes('seeder: connection limit reached, closing a new peer') ? true : undefined), 15_000, 50);
      expect(seeder.stats().peers.bittorrent).toBeLessThanOrEqual(1);
    } finally {
      await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.destroy(() => resolve()))));
      await seeder.stop();
    }
  });

  it('caps its upload rate (upload_limit, bytes per second)', async () => {
    const limit = 200_000;
    const f = await file('capped', 600_000);
    const seeder = seederWith({ uploadLimit: limit });
    await seeder.start();
    await seeder.seed({ path: f.path, torrentFile: f.torrent.torrent, infoHash: f.torrent.infoHash, kind: 'local', originHost: 'us.example', videoUuid: crypto.randomUUID() });
    const result = await leech(f.torrent.torrent);
    expect(result.data.length).toBe(600_000);
    // A token bucket of one second's worth: at least (600 kB − 200 kB) / 200 kB/s = 2 s (less a margin).
    expect(result.seconds).toBeGreaterThan(1.6);
    await seeder.stop();
  });
});
