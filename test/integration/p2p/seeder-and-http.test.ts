import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastStaticHandler } from '../../../src/http/static/fast-static.js';
import { createStaticFileCache } from '../../../src/http/static/file-cache.js';
import { sharedFileBlocks } from '../../../src/http/static/shared-file-blocks.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { buildTrackerUrls, createSeeder, createTorrentFile, createTracker, type Seeder, type Tracker } from '../../../src/p2p/index.js';
import { leech } from '../../support/seeding.js';
import { prng as seeded } from '../../support/prng.js';

// The seeder and the static file server share one process and one file: while a WebTorrent client
// downloads the file from our seeder, HTTP range requests for the same file keep being answered,
// each with the right bytes, and both sides count exactly what they sent. They share the static file
// cache as in an instance.

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

describe('seeder and HTTP serving at once', () => {
  let tmp: string;
  let server: http.Server;
  let tracker: Tracker;
  let seeder: Seeder;
  let base = '';
  let httpCounted = 0;
  // one cache of hot blocks for HTTP and the seeder, as in an instance (smaller than the file: both evict and read again)
  const cache = createStaticFileCache({ maxBytes: 8 * 1024 * 1024 });

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-seed-http-'));
    await mkdir(path.join(tmp, 'web-videos'));
    tracker = createTracker({ private: false, isAllowedInfoHash: () => true, logger: { debug: () => {}, warn: () => {}, error: () => {} } });
    const staticFiles = createFastStaticHandler({
      mounts: [{ urlPrefix: '/static/web-videos/', directory: path.join(tmp, 'web-videos'), onBytesSent: (n) => (httpCounted += n) }],
      cache,
    });
    server = http.createServer((req, res) => {
      if ((req.url ?? '').startsWith('/tracker/announce')) return tracker.handleHttp(req, res, 'announce');
      if (staticFiles(req, res)) return;
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await seeder?.stop();
    await tracker?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  it('keeps answering HTTP range requests with the right bytes while a swarm download runs', async () => {
    const content = randomBytes(24 * 1024 * 1024 + 777);
    const filePath = path.join(tmp, 'web-videos', 'video-720.mp4');
    await writeFile(filePath, content);
    const torrent = await createTorrentFile({ filePath, name: 'A video 720p.mp4', announceList: [[buildTrackerUrls(base).announceUrl]], urlList: [] });
    let seederCounted = 0;
    seeder = createSeeder({
      config: { port: 0, utp: false, webrtc: false, iceServers: [], maxConns: 100, maxConnsPerTorrent: 55, uploadLimit: -1 },
      logger: quiet,
      clock: createManualClock(new Date('2026-12-07T12:00:00Z')),
      onUpload: (_h, n) => (seederCounted += n),
      sharedBlocks: sharedFileBlocks(cache),
    });
    await seeder.start();
    expect((await seeder.seed({ path: filePath, torrentFile: torrent.torrent, infoHash: torrent.infoHash, kind: 'local', originHost: '127.0.0.1', videoUuid: crypto.randomUUID() })).ok).toBe(true);

    let downloading = true;
    const download = leech(torrent.torrent, 120_000).finally(() => (downloading = false));
    const random = seeded(7);
    let answeredDuringDownload = 0;
    let expectedHttpBytes = 0;
    const wrong: string[] = [];
    // four HTTP clients asking random ranges of the same file until the swarm download is over
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (downloading) {
          const start = Math.floor(random() * content.length);
          const end = Math.min(content.length - 1, start + Math.floor(random() * 512 * 1024));
          const res = await fetch(`${base}/static/web-videos/video-720.mp4`, { headers: { range: `bytes=${start}-${end}` } });
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status !== 206 || !body.equals(content.subarray(start, end + 1))) wrong.push(`${start}-${end}: ${res.status}`);
          expectedHttpBytes += body.length;
          if (downloading) answeredDuringDownload++;
        }
      }),
    );
    const result = await download;
    expect(result.data.equals(content)).toBe(true);
    expect(wrong).toEqual([]);
    expect(answeredDuringDownload).toBeGreaterThan(0);
    expect(httpCounted).toBe(expectedHttpBytes);
    expect(seederCounted).toBe(content.length);
  });
});
