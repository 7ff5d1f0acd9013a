// Benchmark of the server-side seeder (run on demand: `npx tsx test/bench/seed.ts`). Prints our
// seeder's upload throughput to a WebTorrent client on loopback beside the same file served by our
// static file server over plain HTTP, in the same run, and the CPU each side used.
//
// The serving side (tracker, static server, seeder) runs in this process; each download runs in a
// child process, so `process.cpuUsage()` here measures the server alone, from the child's start line
// to its report (not the fork of the child nor the removal of its download). The client is TCP
// only (`utp: false`: uTP on loopback is ~50× slower, see deps.md); the seeder runs with its
// production defaults (uTP accepted too). MT_BENCH_SEED_MB (default 100), MT_BENCH_SEED_RUNS
// (default 3), MT_BENCH_SEED_WARMUP (untimed downloads of each first, default 1: the JIT compiles
// both paths during the first ones), MT_BENCH_SEED_ONLY (bittorrent or http: one side only).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import WebTorrent from 'webtorrent';
import { createFastStaticHandler } from '../../src/http/static/fast-static.js';
import { createStaticFileCache } from '../../src/http/static/file-cache.js';
import { sharedFileBlocks } from '../../src/http/static/shared-file-blocks.js';
import { systemClock } from '../../src/lib/clock.js';
import { buildTrackerUrls, createSeeder, createTorrentFile, createTracker } from '../../src/p2p/index.js';

interface ChildReport {
  seconds: number;
  bytes: number;
  cpuSeconds: number;
}

const MB = 1024 * 1024;

async function child(mode: string, arg: string, dir: string): Promise<void> {
  let started = performance.now();
  let cpu = process.cpuUsage();
  let bytes = 0;
  if (mode === 'bittorrent') {
    const client = new WebTorrent({ utp: false, dht: false, lsd: false, natUpnp: false, natPmp: false, webSeeds: false, tracker: { wrtc: false } });
    started = performance.now();
    cpu = process.cpuUsage();
    report({ start: true });
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
    report({ start: true });
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

function report(r: ChildReport | { start: true }): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/**
 * Runs one download in a child process; returns its report and the CPU this (serving) process
 * used from the child's start line (its modules loaded, its client made) to its report: the
 * serving only, not the fork of the child nor the removal of what it downloaded.
 */
async function download(mode: 'bittorrent' | 'http', arg: string, dir: string): Promise<ChildReport & { serverCpuSeconds: number }> {
  let cpu: NodeJS.CpuUsage | null = null;
  let serverCpuSeconds = 0;
  let pending = '';
  let last = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', mode, arg, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  proc.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === '{"start":true}') cpu = process.cpuUsage();
      else if (line !== '') {
        const used = process.cpuUsage(cpu ?? undefined);
        serverCpuSeconds = (used.user + used.system) / 1e6;
        last = line;
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0 || cpu === null || last === '') throw new Error(`${mode} download failed (exit ${code})`);
  return { ...(JSON.parse(last) as ChildReport), serverCpuSeconds };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const sizeMb = Number(process.env.MT_BENCH_SEED_MB ?? 100);
  const runs = Number(process.env.MT_BENCH_SEED_RUNS ?? 3);
  // untimed downloads first: the JIT compiles the hot paths of both sides during the first ones
  const warmups = Number(process.env.MT_BENCH_SEED_WARMUP ?? 1);
  const only = process.env.MT_BENCH_SEED_ONLY;
  const modesOf = (i: number): Array<'bittorrent' | 'http'> =>
    only === 'bittorrent' || only === 'http' ? [only] : i % 2 === 0 ? ['bittorrent', 'http'] : ['http', 'bittorrent'];
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
  // one cache of hot file blocks for both, as in an instance (the seeder reads through it too)
  const cache = createStaticFileCache({ maxBytes: 256 * MB });
  const staticFiles = createFastStaticHandler({
    mounts: [{ urlPrefix: '/static/web-videos/', directory: filesDir, onBytesSent: (n) => (httpCounted += n) }],
    cache,
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
    sharedBlocks: sharedFileBlocks(cache),
  });
  await seeder.start();
  const added = performance.now();
  const seeded = await seeder.seed({ path: filePath, torrentFile: torrent.torrent, infoHash: torrent.infoHash, kind: 'local', originHost: '127.0.0.1', videoUuid: '58338225-4a2b-4f8d-9506-ef418ce1c194' });
  if (!seeded.ok) throw new Error(`not seeded: ${JSON.stringify(seeded.reason)}`);
  const addMs = performance.now() - added;

  const results = { bittorrent: [] as Array<ChildReport & { serverCpuSeconds: number }>, http: [] as Array<ChildReport & { serverCpuSeconds: number }> };
  try {
    for (let i = -warmups; i < runs; i++) {
      if (i === 0 && warmups > 0) console.log(`warm-up done (${warmups} download(s) of each)`);
      for (const mode of modesOf(i)) {
        const target = join(dir, `dl-${mode}-${i}`);
        await mkdir(target);
        const r = await download(mode, mode === 'bittorrent' ? torrent.torrent.toString('base64') : `${base}/static/web-videos/${fileName}`, target);
        if (r.bytes !== sizeMb * MB) throw new Error(`${mode}: got ${r.bytes} bytes`);
        if (i >= 0) results[mode].push(r);
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
    if (rs.length === 0) return { name, rate: NaN, serverCpuPerGiB: NaN, text: `${name.padEnd(34)} not run` };
    const seconds = median(rs.map((r) => r.seconds));
    const perGiB = rs.map((r) => (r.serverCpuSeconds / sizeMb) * 1024);
    const serverCpu = median(rs.map((r) => r.serverCpuSeconds));
    const clientCpu = median(rs.map((r) => r.cpuSeconds));
    const rate = sizeMb / seconds;
    return {
      name,
      rate,
      serverCpuPerGiB: median(perGiB),
      text: `${name.padEnd(34)} ${rate.toFixed(1).padStart(8)} MiB/s   ${seconds.toFixed(2).padStart(6)} s   server CPU ${serverCpu.toFixed(2).padStart(5)} s (${median(perGiB).toFixed(2)} s/GiB, runs ${Math.min(...perGiB).toFixed(2)}–${Math.max(...perGiB).toFixed(2)})   client CPU ${clientCpu.toFixed(2)} s`,
    };
  };
  const bt = line('seeder → WebTorrent client (TCP)', results.bittorrent);
  const ht = line('static server → HTTP GET', results.http);
  const total = (mode: 'bittorrent' | 'http') => (only === undefined || only === mode ? runs + warmups : 0) * sizeMb * MB;
  console.log(`seed benchmark: one ${sizeMb} MiB file on 127.0.0.1, ${runs} runs of each after ${warmups} warm-up(s) (medians); seed() of the existing file took ${addMs.toFixed(0)} ms (no re-hash); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(bt.text);
  console.log(ht.text);
  console.log(`seeder vs HTTP: throughput ${(bt.rate / ht.rate).toFixed(2)}×, server CPU per byte ${(bt.serverCpuPerGiB / ht.serverCpuPerGiB).toFixed(2)}×`);
  console.log(`bytes counted: seeder ${seederCounted} (all sent: ${seederCounted === total('bittorrent')}), HTTP ${httpCounted} (all sent: ${httpCounted === total('http')})`);
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] ?? '', process.argv[4] ?? '', process.argv[5] ?? '');
} else {
  await main();
}
