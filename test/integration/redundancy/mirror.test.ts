import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { readTorrentInfo } from '../../../src/p2p/index.js';
import {
  cleanupOrphans,
  createHttpDownloader,
  mirrorHlsCopy,
  verifyStoredCopy,
  type Downloader,
  type HttpDownloaderOptions,
  type MirrorHlsCopyParams,
  type MirroredCopy,
} from '../../../src/redundancy/mirror/index.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { decodeFully, generatedClip } from '../../support/media.js';
import { downloadWithWebTorrent } from '../../support/webtorrent.js';
import { startTestFileServer, type TestFileServer, type TestFileServerOptions } from './mirror-support.js';
import { virtualTime } from '../../support/virtual-time.js';

interface VideoDetails {
  uuid: string;
  streamingPlaylists: {
    playlistUrl: string;
    segmentsSha256Url: string;
    files: { resolution: { id: number }; fileUrl: string; torrentUrl: string; size: number }[];
  }[];
}

const lastSegment = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let origin: TestInstance;
let video: VideoDetails;
let originDir: string;
let root: string;
let originHashes: Record<string, Record<string, string>>;
const servers: TestFileServer[] = [];

function downloader(overrides: Partial<HttpDownloaderOptions> = {}) {
  return createHttpDownloader({
    allowPrivateAddresses: true,
    concurrency: 4,
    bytesPerSecond: 0,
    timeoutMs: 10_000,
    clock: systemClock,
    userAgent: 'mirrortube-test',
    ...overrides,
  });
}

/** a fresh redundancy folder and work folder */
async function layout(name: string) {
  const base = await mkdtemp(join(root, `${name}-`));
  const l = { redundancyDir: join(base, 'redundancy'), tmpDir: join(base, 'tmp') };
  await mkdir(l.redundancyDir);
  await mkdir(l.tmpDir);
  return l;
}

/** the origin's files served again by a server of ours, with faults */
async function proxyOrigin(options: Omit<TestFileServerOptions, 'prefix' | 'dir'> = {}) {
  const prefix = `/static/streaming-playlists/hls/${video.uuid}/`;
  const server = await startTestFileServer({ prefix, dir: originDir, ...options });
  servers.push(server);
  const hls = video.streamingPlaylists[0]!;
  return {
    server,
    source: {
      playlistUrl: `${server.base}${prefix}${lastSegment(hls.playlistUrl)}`,
      segmentsSha256Url: `${server.base}${prefix}${lastSegment(hls.segmentsSha256Url)}`,
    },
  };
}

const originSource = () => {
  const hls = video.streamingPlaylists[0]!;
  return {
    playlistUrl: hls.playlistUrl,
    segmentsSha256Url: hls.segmentsSha256Url,
    torrentUrls: Object.fromEntries(hls.files.map((f) => [lastSegment(f.fileUrl), f.torrentUrl])),
  };
};

const mediaFiles = () => Object.keys(originHashes);

async function expectNothingLeft(l: { redundancyDir: string; tmpDir: string }) {
  expect(await readdir(l.tmpDir)).toEqual([]);
  const hls = await readdir(join(l.redundancyDir, 'hls')).catch(() => []);
  expect(hls).toEqual([]);
}

/**
 * A downloader that counts the bytes of one file as the client takes them in, and can wait for a
 * count (the test servers use it to cut a connection only after those bytes have arrived).
 */
function watching(fileName: string, onReceived?: (received: number) => void) {
  const base = downloader();
  let received = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const watched: Downloader = {
    fetchDocument: (url, options) => base.fetchDocument(url, options),
    downloadFile: (url, path, options) =>
      base.downloadFile(url, path, {
        ...options,
        onBytes: (n) => {
          options.onBytes?.(n);
          if (!path.endsWith(fileName)) return;
          received += n;
          onReceived?.(received);
          for (const w of waiters.filter((w) => received >= w.n)) w.resolve();
        },
      }),
  };
  const reached = (n: number) =>
    new Promise<void>((resolve) => {
      if (received >= n) resolve();
      else waiters.push({ n, resolve });
    });
  return { downloader: watched, reached };
}

async function mirror(params: Omit<MirrorHlsCopyParams, 'uuid'> & { uuid?: string }) {
  return mirrorHlsCopy({ uuid: video.uuid, ...params });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mt-mirror-'));
  origin = await startTestInstance({ db: 'embedded' });
  const clip = await generatedClip({ seconds: 3, width: 320, height: 240 });
  const res = await origin.uploadMultipart(clip, { name: 'mirror me', channelId: '1' });
  expect(res.status).toBe(200);
  const { video: created } = (await res.json()) as { video: { uuid: string } };
  video = (await origin.waitForPublished(created.uuid)) as unknown as VideoDetails;
  originDir = join(origin.config.storage.streaming_playlists, 'hls', video.uuid);
  originHashes = (await (await fetch(video.streamingPlaylists[0]!.segmentsSha256Url)).json()) as Record<string, Record<string, string>>;
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await origin?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('mirrorHlsCopy from a real origin instance', () => {
  let copy: MirroredCopy;
  let l: { redundancyDir: string; tmpDir: string };
  const ourBase = 'http://mirror.test:9999';

  it("copies the playlists and files under the origin's names, every range hashing to the origin's value, into <redundancy>/hls/<uuid>", async () => {
    l = await layout('real');
    const progress: string[] = [];
    let counted = 0;
    const result = await mirror({
      source: originSource(),
      layout: l,
      downloader: downloader(),
      onProgress: (p) => progress.push(p.phase),
      onBytes: (n) => {
        counted += n;
      },
      torrents: { ourBaseUrl: ourBase, announceList: [[`ws://mirror.test:9999/tracker/socket`], [`${ourBase}/tracker/announce`]], clock: systemClock },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    copy = result.copy;
    expect(copy.dir).toBe(join(l.redundancyDir, 'hls', video.uuid));

    // the origin's names, byte-identical files; plus one .torrent per media file
    const originNames = (await readdir(originDir)).sort();
    const copyNames = (await readdir(copy.dir)).sort();
    expect(copyNames.filter((n) => !n.endsWith('.torrent'))).toEqual(originNames);
    for (const name of originNames) expect(sha256(await readFile(join(copy.dir, name))), name).toBe(sha256(await readFile(join(originDir, name))));
    expect(copy.playlistFilename).toBe(lastSegment(video.streamingPlaylists[0]!.playlistUrl));
    expect(copy.segmentsSha256Filename).toBe(lastSegment(video.streamingPlaylists[0]!.segmentsSha256Url));

    // every range of every file hashes to the origin's value (checked here independently)
    expect(copy.files.map((f) => f.filename).sort()).toEqual(mediaFiles().sort());
    let ranges = 0;
    for (const file of copy.files) {
      const bytes = await readFile(join(copy.dir, file.filename));
      expect(file.size).toBe(bytes.length);
      expect(file.sha256Ranges).toEqual(originHashes[file.filename]);
      for (const [key, hash] of Object.entries(originHashes[file.filename]!)) {
        const [first, last] = key.split('-').map(Number) as [number, number];
        expect(sha256(bytes.subarray(first, last + 1))).toBe(hash);
        ranges++;
      }
    }
    expect(ranges).toBeGreaterThanOrEqual(2);
    expect(copy.files.map((f) => f.resolution).sort()).toEqual(video.streamingPlaylists[0]!.files.map((f) => f.resolution.id).sort());
    expect(copy.totalBytes).toBe((await Promise.all(copyNames.map(async (n) => (await stat(join(copy.dir, n))).size))).reduce((a, b) => a + b, 0));
    // every downloaded byte was counted (the copy less the torrents we wrote, plus the origin's torrents)
    expect(counted).toBeGreaterThan(copy.totalBytes - (await torrentBytes(copy)));
    expect(progress).toContain('download');
    expect(progress.at(-1)).toBe('move');
    expect(await readdir(l.tmpDir)).toEqual([]);
  });

  it('the copy decodes with ffmpeg from its own master playlist', async () => {
    await decodeFully(join(copy.dir, copy.playlistFilename));
  });

  it("its torrents reuse the origin's info dict (same infohash) with the mirror first in url-list and our tracker", async () => {
    for (const file of copy.files) {
      const originFile = video.streamingPlaylists[0]!.files.find((f) => lastSegment(f.fileUrl) === file.filename)!;
      const originTorrent = readTorrentInfo(Buffer.from(await (await fetch(originFile.torrentUrl)).arrayBuffer()));
      const ours = readTorrentInfo(await readFile(join(copy.dir, file.torrent!.filename)));
      if (!originTorrent.ok || !ours.ok) throw new Error('unreadable torrent');
      expect(file.torrent).toMatchObject({ source: 'origin-info', infoHash: originTorrent.value.infoHash });
      expect(ours.value.infoHash).toBe(originTorrent.value.infoHash);
      expect(ours.value.urlList).toEqual([`${ourBase}/static/redundancy/hls/${video.uuid}/${file.filename}`, originFile.fileUrl]);
      expect(ours.value.announceList).toEqual([[`ws://mirror.test:9999/tracker/socket`], [`${ourBase}/tracker/announce`]]);
    }
  });

  it('verifyStoredCopy passes on the copy, then names the file and range of one flipped byte, and a missing file', async () => {
    expect(await verifyStoredCopy(copy.dir)).toMatchObject({ ok: true, files: copy.files.length });
    const file = copy.files[0]!;
    const path = join(copy.dir, file.filename);
    const bytes = await readFile(path);
    const [lastKey] = Object.keys(file.sha256Ranges).slice(-1) as [string];
    const flipAt = Number(lastKey.split('-')[0]) + 3;
    bytes[flipAt] = bytes[flipAt]! ^ 0x01;
    await writeFile(path, bytes);
    expect(await verifyStoredCopy(copy.dir, { segmentsSha256Filename: copy.segmentsSha256Filename })).toMatchObject({
      ok: false,
      reason: { type: 'hash-mismatch', file: file.filename, range: lastKey },
    });
    await rm(path);
    expect(await verifyStoredCopy(copy.dir)).toMatchObject({ ok: false, reason: { type: 'missing-file', file: file.filename } });
  });

  it('mirroring again replaces the (now damaged) copy as a whole', async () => {
    const result = await mirror({ source: originSource(), layout: l, downloader: downloader() });
    expect(result.ok).toBe(true);
    expect(await verifyStoredCopy(copy.dir)).toMatchObject({ ok: true });
    expect((await readdir(join(l.redundancyDir, 'hls'))).sort()).toEqual([video.uuid]);
    expect(await readdir(l.tmpDir)).toEqual([]);
  });
});

async function torrentBytes(copy: MirroredCopy): Promise<number> {
  let total = 0;
  for (const f of copy.files) if (f.torrent) total += (await stat(join(copy.dir, f.torrent.filename))).size;
  return total;
}

describe('mirrorHlsCopy refuses what it cannot verify, and leaves nothing behind', () => {
  it('one byte flipped in one origin file → hash-mismatch naming the file and range; nothing in redundancy or tmp', async () => {
    const target = mediaFiles()[0]!;
    const [key] = Object.keys(originHashes[target]!) as [string];
    const at = Number(key.split('-')[0]) + 10;
    const { source } = await proxyOrigin({
      transform: (name, bytes) => {
        if (name !== target) return bytes;
        const copy = Buffer.from(bytes);
        copy[at] = copy[at]! ^ 0x40;
        return copy;
      },
    });
    const l = await layout('corrupt');
    const result = await mirror({ source, layout: l, downloader: downloader() });
    expect(result).toMatchObject({ ok: false, reason: { type: 'hash-mismatch', file: target, range: key } });
    await expectNothingLeft(l);
  });

  it('a URL on another host in the master playlist is refused and never requested', async () => {
    const { server, source } = await proxyOrigin({
      transform: (name, bytes) => {
        if (name !== lastSegment(video.streamingPlaylists[0]!.playlistUrl)) return bytes;
        // the same server under another host name: still another origin
        return Buffer.from(bytes.toString('utf8').replace(/^([^#\s].*\.m3u8)$/m, `http://localhost:${server.port}/static/streaming-playlists/hls/${video.uuid}/$1`));
      },
    });
    const l = await layout('foreign');
    const result = await mirror({ source, layout: l, downloader: downloader() });
    expect(result).toMatchObject({ ok: false, reason: { type: 'bad-playlist', url: expect.stringContaining('http://localhost:') } });
    expect(server.requests.map((r) => r.host)).not.toContain(`localhost:${server.port}`);
    expect(server.requests.map((r) => r.name)).not.toContain(mediaFiles()[0]);
    await expectNothingLeft(l);
  });

  it('the size cap refuses a copy larger than allowed', async () => {
    const l = await layout('cap');
    const result = await mirror({ source: originSource(), layout: l, downloader: downloader(), maxBytes: 10_000 });
    expect(result).toMatchObject({ ok: false, reason: { type: 'too-large', limit: 10_000 } });
    await expectNothingLeft(l);
  });

  it('private addresses are refused unless allowed (the SSRF guard applies)', async () => {
    const l = await layout('ssrf');
    const result = await mirror({ source: originSource(), layout: l, downloader: downloader({ allowPrivateAddresses: false }) });
    expect(result).toMatchObject({ ok: false, reason: { type: 'fetch-failed', cause: { type: 'blocked-address', range: 'loopback' } } });
    await expectNothingLeft(l);
  });

  it('a missing file on the origin → fetch-failed (404), nothing left', async () => {
    const source = originSource();
    const l = await layout('missing');
    const result = await mirror({ source: { ...source, segmentsSha256Url: source.segmentsSha256Url.replace(/[^/]+$/, 'nope.json') }, layout: l, downloader: downloader() });
    expect(result).toMatchObject({ ok: false, reason: { type: 'fetch-failed', cause: { type: 'http-error', status: 404 } } });
    await expectNothingLeft(l);
  });
});

describe('interrupted downloads resume with Range', () => {
  const target = () => mediaFiles()[0]!;

  it('a connection closed mid-file once → the next request asks from the bytes already written (206) and the copy completes', async () => {
    const watch = watching(target());
    const { server, source } = await proxyOrigin({ behaviour: ({ name, count }) => (name === target() && count === 0 ? 'cut' : 'normal'), cutWhen: watch.reached });
    const l = await layout('cut');
    const result = await mirror({ source, layout: l, downloader: watch.downloader });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    const asked = server.requests.filter((r) => r.name === target());
    expect(asked).toHaveLength(2);
    const firstHalf = asked[0]!.bytes;
    expect(firstHalf).toBeGreaterThan(0);
    expect(asked[1]).toMatchObject({ range: `bytes=${firstHalf}-`, status: 206 });
    expect(asked[1]!.bytes + firstHalf).toBe(result.copy.files.find((f) => f.filename === target())!.size);
    expect(await verifyStoredCopy(result.copy.dir)).toMatchObject({ ok: true });
  });

  it.each([
    ['answers 200 with the whole file', 'ignore-range' as const, 200],
    ['answers 206 from the wrong byte', 'wrong-range' as const, 206],
  ])('a server that %s after the cut: the partial file is restarted from 0 and still verifies', async (_name, second, status) => {
    const watch = watching(target());
    const { server, source } = await proxyOrigin({
      behaviour: ({ name, count }) => (name !== target() ? 'normal' : count === 0 ? 'cut' : count === 1 ? second : 'normal'),
      cutWhen: watch.reached,
    });
    const l = await layout(second);
    const result = await mirror({ source, layout: l, downloader: watch.downloader });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    const asked = server.requests.filter((r) => r.name === target());
    expect(asked[1]).toMatchObject({ range: `bytes=${asked[0]!.bytes}-`, status });
    if (second === 'wrong-range') expect(asked[2]).toMatchObject({ status: 200 }); // asked again without Range
    expect(asked[2]?.range).toBeUndefined();
    expect(await verifyStoredCopy(result.copy.dir)).toMatchObject({ ok: true });
  });

  it('a cancelled mirror keeps its work folder; the resumed job continues the partial file from its size', async () => {
    let stall = true;
    const { server, source } = await proxyOrigin({ behaviour: ({ name }) => (name === target() && stall ? 'stall' : 'normal') });
    const l = await layout('resume');
    const controller = new AbortController();
    // cancel (a shutdown) once the origin has sent half the file and stopped
    const half = Math.floor((await stat(join(originDir, target()))).size / 2);
    const { downloader: cancelling } = watching(target(), (received) => {
      if (received >= half) controller.abort();
    });
    const first = await mirror({ source, layout: l, downloader: cancelling, signal: controller.signal });
    expect(first).toMatchObject({ ok: false, reason: { type: 'aborted' } });
    const [work] = await readdir(l.tmpDir);
    expect(work).toMatch(new RegExp(`^mirror-${video.uuid}-[0-9a-f]{12}$`));
    const partial = (await stat(join(l.tmpDir, work!, target()))).size;
    expect(partial).toBe(half); // every byte received was kept
    expect(await readdir(join(l.redundancyDir, 'hls')).catch(() => [])).toEqual([]); // nothing served while incomplete

    // the durable job runs again after a restart
    stall = false;
    const second = await mirror({ source, layout: l, downloader: downloader(), resume: true });
    if (!second.ok) throw new Error(JSON.stringify(second.reason));
    expect(server.requests.filter((r) => r.name === target()).at(-1)).toMatchObject({ range: `bytes=${partial}-`, status: 206 });
    expect(second.copy.files.find((f) => f.filename === target())!.resumedFrom).toBe(partial);
    expect(await verifyStoredCopy(second.copy.dir)).toMatchObject({ ok: true });
    expect(await readdir(l.tmpDir)).toEqual([]);
  });
});

describe('downloadFile on a partial file that is already whole', () => {
  it('the server answers 416 for the next byte: the file is complete, and the observer still sees every byte (a wrong one is refused)', async () => {
    const target = mediaFiles()[0]!;
    const { server } = await proxyOrigin();
    const url = `${server.base}/static/streaming-playlists/hls/${video.uuid}/${target}`;
    const dir = await mkdtemp(join(root, 'whole-'));
    const path = join(dir, target);
    const original = await readFile(join(originDir, target));
    await writeFile(path, original);
    let seen = 0;
    const d = downloader();
    const result = await d.downloadFile(url, path, {
      maxBytes: 1e9,
      observer: {
        restart: () => {
          seen = 0;
        },
        update: (chunk) => {
          seen += chunk.length;
          return { ok: true };
        },
      },
    });
    expect(result).toMatchObject({ ok: true, size: original.length, resumedFrom: original.length });
    expect(result.requests).toEqual([{ range: `bytes=${original.length}-`, status: 416, contentRange: `bytes */${original.length}`, outcome: 'complete' }]);
    expect(seen).toBe(original.length);

    const flipped = Buffer.from(original);
    flipped[original.length - 5] = flipped[original.length - 5]! ^ 1;
    await writeFile(path, flipped);
    const refused = await d.downloadFile(url, path, {
      maxBytes: 1e9,
      observer: {
        restart: () => undefined,
        update: (chunk, offset) => (offset + chunk.length === original.length && !Buffer.from(chunk).equals(original.subarray(offset)) ? { ok: false, message: 'bad tail' } : { ok: true }),
      },
    });
    expect(refused).toMatchObject({ ok: false, reason: { type: 'rejected', message: 'bad tail' } });
  });
});

describe('kept-alive connections', () => {
  it('a copy reuses connections; a pooled connection serves only requests whose vetted addresses are the same', async () => {
    // one origin name on two loopback addresses, same port: the pool key is more than host and port
    const connections: string[] = [];
    let requests = 0;
    const handler: http.RequestListener = (req, res) => {
      requests++;
      const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '');
      readFile(join(originDir, name)).then(
        (bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes),
        () => res.writeHead(404).end(),
      );
    };
    const first = http.createServer(handler);
    const second = http.createServer(handler);
    for (const server of [first, second]) server.on('connection', (socket) => connections.push(socket.localAddress ?? ''));
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const port = (first.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => second.once('error', reject).listen(port, '127.0.0.2', resolve));
    try {
      let resolved = '127.0.0.1';
      const d = downloader({ lookup: async () => [{ address: resolved, family: 4 }] });
      const base = `http://origin.test:${port}/static/streaming-playlists/hls/${video.uuid}/`;
      const hls = video.streamingPlaylists[0]!;
      const result = await mirror({
        source: { playlistUrl: base + lastSegment(hls.playlistUrl), segmentsSha256Url: base + lastSegment(hls.segmentsSha256Url) },
        layout: await layout('keep-alive'),
        downloader: d,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.reason));
      expect(requests).toBeGreaterThan(connections.length);
      expect(connections.every((a) => a === '127.0.0.1')).toBe(true);

      // the name now resolves elsewhere: the idle connections to 127.0.0.1 are not used for it
      resolved = '127.0.0.2';
      const again = await d.fetchDocument(base + lastSegment(hls.playlistUrl), { maxBytes: 1e6 });
      expect(again.ok).toBe(true);
      expect(connections.at(-1)).toBe('127.0.0.2');
      d.close();
    } finally {
      for (const server of [first, second]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});

describe('a kept-alive connection the server dropped', () => {
  it('the request is sent again on a new connection, within the same attempt', async () => {
    const target = mediaFiles()[0]!;
    const served = new WeakMap<object, number>();
    let connections = 0;
    // answers the first request of each connection and drops the connection at the next one
    const server = http.createServer((req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      if (count > 1) {
        req.socket.destroy();
        return;
      }
      readFile(join(originDir, target)).then((bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const d = downloader();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${target}`;
      const dir = await mkdtemp(join(root, 'stale-'));
      expect(await d.downloadFile(url, join(dir, 'one'), { maxBytes: 1e9 })).toMatchObject({ ok: true, attempts: 1 });
      const second = await d.downloadFile(url, join(dir, 'two'), { maxBytes: 1e9 });
      expect(second).toMatchObject({ ok: true, attempts: 1 });
      expect(second.requests).toHaveLength(1);
      expect(connections).toBe(2);
      d.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('bandwidth cap', () => {
  it('a capped download waits on the token bucket for (bytes − burst) / rate, in virtual time', async () => {
    const { clock, waits, timer } = virtualTime();
    const rate = 50_000;
    const burst = 16 * 1024;
    let bytes = 0;
    const capped = downloader({ bytesPerSecond: rate, burstBytes: burst, clock, timer, concurrency: 1, onBytes: (n) => (bytes += n) });
    const l = await layout('capped');
    const wallStart = performance.now();
    const result = await mirror({ source: originSource(), layout: l, downloader: capped });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    const waited = waits.reduce((a, b) => a + b, 0);
    const expected = ((bytes - burst) / rate) * 1000;
    expect(bytes).toBeGreaterThan(100_000);
    expect(waited).toBeGreaterThanOrEqual(expected);
    expect(waited).toBeLessThanOrEqual(expected + waits.length); // each wait rounds up to the ms
    expect(clock.now().getTime() - new Date('2025-01-01T00:00:00Z').getTime()).toBe(waited);
    expect(performance.now() - wallStart).toBeLessThan(waited); // virtual: no real sleeping

    // the same copy without a cap does not wait at all
    const free = downloader({ clock, timer });
    expect(free.bucket).toBeUndefined();
    const before = waits.length;
    expect((await mirror({ source: originSource(), layout: await layout('free'), downloader: free })).ok).toBe(true);
    expect(waits.length).toBe(before);
  });
});

describe('cleanupOrphans', () => {
  it('removes work folders a crash left and copies the database does not know; keeps known copies and in-progress work', async () => {
    const l = await layout('orphans');
    const known = await mirror({ source: originSource(), layout: l, downloader: downloader() });
    expect(known.ok).toBe(true);
    const stale = join(l.tmpDir, `mirror-${video.uuid}-0123456789ab`);
    const running = join(l.tmpDir, 'mirror-other-uuid-abcdefabcdef');
    const unknownCopy = join(l.redundancyDir, 'hls', 'forgotten-uuid');
    const parked = join(l.redundancyDir, 'hls', `.old-${video.uuid}-0123456789ab`);
    const unrelated = join(l.tmpDir, 'uploads');
    for (const dir of [stale, running, unknownCopy, parked, unrelated]) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'x-240-fragmented.mp4'), 'partial');
    }
    const removed = await cleanupOrphans({ ...l, keep: new Set([video.uuid]), inProgress: new Set(['other-uuid']) });
    expect([...removed.removedWorkDirs].sort()).toEqual([stale]);
    expect([...removed.removedCopies].sort()).toEqual([parked, unknownCopy].sort());
    expect((await readdir(l.tmpDir)).sort()).toEqual(['mirror-other-uuid-abcdefabcdef', 'uploads']);
    expect(await readdir(join(l.redundancyDir, 'hls'))).toEqual([video.uuid]);
    expect(await verifyStoredCopy(join(l.redundancyDir, 'hls', video.uuid))).toMatchObject({ ok: true });
  });
});

describe('a real WebTorrent client downloads from the mirror copy', () => {
  it("through the copy's torrent, its webseed being the mirror (the origin gone)", async () => {
    const { server: originProxy, source } = await proxyOrigin();
    const l = await layout('webtorrent');
    const mirrorServer = await startTestFileServer({ prefix: `/static/redundancy/hls/${video.uuid}/`, dir: join(l.redundancyDir, 'hls', video.uuid) });
    servers.push(mirrorServer);
    const result = await mirror({
      source: { ...source, torrentUrls: originSource().torrentUrls },
      layout: l,
      downloader: downloader(),
      torrents: {
        ourBaseUrl: mirrorServer.base,
        announceList: [[`ws://127.0.0.1:${mirrorServer.port}/tracker/socket`], [`${mirrorServer.base}/tracker/announce`]],
        clock: systemClock,
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.reason));
    await originProxy.close(); // the origin's URL (second in url-list) no longer answers
    const file = result.copy.files[0]!;
    const torrent = await readFile(join(result.copy.dir, file.torrent!.filename));
    const { data } = await downloadWithWebTorrent(torrent, 60_000);
    expect(data.length).toBe(file.size);
    expect(sha256(data)).toBe(sha256(await readFile(join(originDir, file.filename))));
    const served = mirrorServer.requests.filter((r) => r.name === file.filename).reduce((sum, r) => sum + r.bytes, 0);
    expect(served).toBeGreaterThanOrEqual(file.size);
  });
});

describe('refreshing a copy (reuseFrom): only what changed is downloaded again', () => {
  it('reuses the files of the current copy that still verify, downloads the others, and swaps the copy whole', async () => {
    const l = await layout('refresh');
    const { server, source } = await proxyOrigin();
    const first = await mirror({ source, layout: l, downloader: downloader() });
    if (!first.ok) throw new Error(JSON.stringify(first.reason));
    const [kept, changed] = first.copy.files.map((f) => f.filename).sort() as [string, string];
    expect(changed).toBeDefined();
    // the copy's version of one file no longer matches the origin's hashes (the origin replaced it)
    const stale = await readFile(join(first.copy.dir, changed));
    stale[stale.length - 5]! ^= 0xff;
    await writeFile(join(first.copy.dir, changed), stale);
    const before = server.requests.length;

    const refreshed = await mirror({ source, layout: l, downloader: downloader(), reuseFrom: first.copy.dir });
    if (!refreshed.ok) throw new Error(JSON.stringify(refreshed.reason));
    const media = server.requests.slice(before).filter((r) => r.name.endsWith('.mp4')).map((r) => r.name);
    expect(media).toEqual([changed]);
    expect(media).not.toContain(kept);
    expect((await verifyStoredCopy(refreshed.copy.dir)).ok).toBe(true);
    for (const name of [kept, changed]) expect(sha256(await readFile(join(refreshed.copy.dir, name)))).toBe(sha256(await readFile(join(originDir, name))));
    expect(await readdir(l.tmpDir)).toEqual([]);
  });
});
