// Benchmark of the server-side seeder (run on demand: `npx tsx test/bench/seed.ts`). Prints our
// seeder's upload throughput to a WebTorrent client on loopback beside the same file served by our
// static file server over plain HTTP, in the same run, and the CPU each side used.
//
// The serving side (tracker, static server, seeder) runs in this process; each download runs in a
// child process, so `process.cpuUsage()` here measures the server alone. The client is TCP only
// (`utp: false`: uTP on loopback is ~50× slower, see deps.md); the seeder runs with its production
// defaults (uTP accepted too). MT_BENCH_SEED_MB (default 100) and MT_BENCH_SEED_RUNS (default 3).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import WebTorrent from 'webtorrent';
import { createFastStaticHandler } from '../../src/http/static/fast-static.js';
import { createStaticFileCache } from '../../src/http/static/file-cache.js';
import { systemClock } from '../../src/lib/clock.js';
import { buildTrackerUrls, createSeeder, createTorrentFile, createTracker } from '../../src/p2p/index.js';

interface ChildReport {
  seconds: number;
  bytes: number;
  cpuSeconds: number;
}

const MB = 1024 * 1024;

async function child(mode: string, arg: string, dir: string): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  if (mode === 'bittorrent') {
    const client = new WebTorrent({ utp: false, dht: false, lsd: false, natUpnp: false, natPmp: false, webSeeds: false, tracker: { wrtc: false } });
    await new Promise<void>((resolve, reject) => {
      client.on('error', (err) => reject(err as Error));
      client.add(Buffer.from(arg, 'base64'), { path: dir }, (torrent) => {
        torrent.once('done', () => {
          bytes = torrent.length;
          resolve();
        });
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
    report({ seconds, bytes, cpuSeconds: (used.user + used.system) / 1e6 });
  } else {
    const res = await fetch(arg);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const counter = async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), counter, createWriteStream(join(dir, 'download')));
    const used = process.cpuUsage(cpu);
    report({ seconds: (performance.now() - started) / 1000, bytes, cpuSeconds: (used.user + used.system) / 1e6 });
  }
}

function report(r: ChildReport): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** Runs one download in a child process; returns its report and the CPU this (serving) process used meanwhile. */
async function download(mode: 'bittorrent' | 'http', arg: string, dir: string): Promise<ChildReport & { serverCpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const out: string[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', mode, arg, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  proc.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const used = process.cpuUsage(cpu);
  if (code !== 0) throw new Error(`${mode} download failed (exit ${code})`);
  const line = out.join('').trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as ChildReport), serverCpuSeconds: (used.user + used.system) / 1e6 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const sizeMb = Number(process.env.MT_BENCH_SEED_MB ?? 100);
  const runs = Number(process.env.MT_BENCH_SEED_RUNS ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'mt-bench-seed-'));
  const filesDir = join(dir, 'web-videos');
  await mkdir(filesDir, { recursive: true });
  const fileName = '58338225-4a2b-4f8d-9506-ef418ce1c194-720.mp4';
  const filePath = join(filesDir, fileName);
  await writeFile(filePath, randomBytes(sizeMb * MB));

  let httpCounted = 0;
  let seederCounted = 0;
  const tracker = createTracker({ private: false, isAllowedInfoHash: () => true, logger: { debug: () => {}, warn: () => {}, error: () => {} } });
  // the production HTTP path: static files answered by the fast handler before koa
  const staticFiles = createFastStaticHandler({
    mounts: [{ urlPrefix: '/static/web-videos/', directory: filesDir, onBytesSent: (n) => (httpCounted += n) }],
    cache: createStaticFileCache({ maxBytes: 256 * MB }),
  });
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/tracker/announce')) return tracker.handleHttp(req, res, 'announce');
    if (!staticFiles(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { announceUrl } = buildTrackerUrls(base);

  const torrent = await createTorrentFile({ filePath, name: 'bench video 720p.mp4', announceList: [[announceUrl]], urlList: [] });
  const seeder = createSeeder({
    config: { port: 0, utp: true, webrtc: false, iceServers: [], maxConns: 1000, maxConnsPerTorrent: 55, uploadLimit: -1 },
    logger: { debug: () => {}, info: () => {}, warn: () => {} },
    clock: systemClock,
    onUpload: (_h, n) => (seederCounted += n),
  });
  await seeder.start();
  const added = performance.now();
  const seeded = await seeder.seed({ path: filePath, torrentFile: torrent.torrent, infoHash: torrent.infoHash, kind: 'local', originHost: '127.0.0.1', videoUuid: '58338225-4a2b-4f8d-9506-ef418ce1c194' });
  if (!seeded.ok) throw new Error(`not seeded: ${JSON.stringify(seeded.reason)}`);
  const addMs = performance.now() - added;

  const results = { bittorrent: [] as Array<ChildReport & { serverCpuSeconds: number }>, http: [] as Array<ChildReport & { serverCpuSeconds: number }> };
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of i % 2 === 0 ? (['bittorrent', 'http'] as const) : (['http', 'bittorrent'] as const)) {
        const target = join(dir, `dl-${mode}-${i}`);
        await mkdir(target);
        const r = await download(mode, mode === 'bittorrent' ? torrent.torrent.toString('base64') : `${base}/static/web-videos/${fileName}`, target);
        if (r.bytes !== sizeMb * MB) throw new Error(`${mode}: got ${r.bytes} bytes`);
        results[mode].push(r);
        await rm(target, { recursive: true, force: true });
      }
    }
  } finally {
    await seeder.stop();
    await tracker.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }

  const line = (name: string, rs: Array<ChildReport & { serverCpuSeconds: number }>) => {
    const seconds = median(rs.map((r) => r.seconds));
    const serverCpu = median(rs.map((r) => r.serverCpuSeconds));
    const clientCpu = median(rs.map((r) => r.cpuSeconds));
    const rate = sizeMb / seconds;
    return {
      name,
      rate,
      serverCpuPerGiB: (serverCpu / sizeMb) * 1024,
      text: `${name.padEnd(34)} ${rate.toFixed(1).padStart(8)} MiB/s   ${seconds.toFixed(2).padStart(6)} s   server CPU ${serverCpu.toFixed(2).padStart(5)} s (${((serverCpu / sizeMb) * 1024).toFixed(2)} s/GiB)   client CPU ${clientCpu.toFixed(2)} s`,
    };
  };
  const bt = line('seeder → WebTorrent client (TCP)', results.bittorrent);
  const ht = line('static server → HTTP GET', results.http);
  console.log(`seed benchmark: one ${sizeMb} MiB file on 127.0.0.1, ${runs} runs of each (medians); seed() of the existing file took ${addMs.toFixed(0)} ms (no re-hash)`);
  console.log(bt.text);
  console.log(ht.text);
  console.log(`seeder vs HTTP: throughput ${(bt.rate / ht.rate).toFixed(2)}×, server CPU per byte ${(bt.serverCpuPerGiB / ht.serverCpuPerGiB).toFixed(2)}×`);
  console.log(`bytes counted: seeder ${seederCounted} (= ${runs} × file: ${seederCounted === runs * sizeMb * MB}), HTTP ${httpCounted} (= ${runs} × file: ${httpCounted === runs * sizeMb * MB})`);
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] ?? '', process.argv[4] ?? '', process.argv[5] ?? '');
} else {
  await main();
}
