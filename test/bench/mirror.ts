// Benchmark of the mirror's copier against curl, measured in the same run.
//   npx tsx test/bench/mirror.ts
// Five videos' HLS sets (two renditions each: an fMP4 init section + 500 kB segments, PeerTube-style
// random file names, byte-range playlists, a matching segments-sha256.json) are served by a plain
// Node static server in a child process. Timed:
//   ours: mirrorHlsCopy of all five videos (playlists + files + verifying every range + torrents off
//         + the rename into place), concurrency 4 through one downloader;
//   curl: the same files, `curl -s -o` per file one after the other, and one `curl --parallel`
//         (4 at once) for all of them. curl only downloads: no verification, no rename.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.js';
import { createHttpDownloader, mirrorHlsCopy } from '../../src/redundancy/mirror/index.js';

const VIDEOS = 5;
const RENDITIONS = [
  { resolution: 720, segments: 16 },
  { resolution: 240, segments: 8 },
];
const SEGMENT_BYTES = Number(process.env.MIRROR_BENCH_SEGMENT_BYTES ?? 500_000);
const ROUNDS = 5;
const CONCURRENCY = 4;

function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

interface VideoSet {
  uuid: string;
  files: string[];
  master: string;
  hashes: string;
}

/** One video's HLS files in `dir`/<uuid>/, PeerTube's layout with random name prefixes. */
async function generateVideo(dir: string): Promise<VideoSet> {
  const uuid = randomUUID();
  const out = join(dir, uuid);
  await mkdir(out);
  const segmentsSha256: Record<string, Record<string, string>> = {};
  const streams: string[] = [];
  const files: string[] = [];
  for (const { resolution, segments } of RENDITIONS) {
    const prefix = randomUUID();
    const mp4 = `${prefix}-${resolution}-fragmented.mp4`;
    const playlist = `${prefix}-${resolution}.m3u8`;
    const init = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\x01isomiso6mp41')), box('moov', randomBytes(1200))]);
    const parts: Buffer[] = [init];
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="${mp4}",BYTERANGE="${init.length}@0"`];
    const ranges: Record<string, string> = {};
    let offset = init.length;
    for (let i = 0; i < segments; i++) {
      const segment = box('mdat', randomBytes(SEGMENT_BYTES - 8));
      parts.push(segment);
      lines.push('#EXTINF:4.000000,', `#EXT-X-BYTERANGE:${segment.length}@${offset}`, mp4);
      ranges[`${offset}-${offset + segment.length - 1}`] = createHash('sha256').update(segment).digest('hex');
      offset += segment.length;
    }
    lines.push('#EXT-X-ENDLIST');
    await writeFile(join(out, mp4), Buffer.concat(parts));
    await writeFile(join(out, playlist), lines.join('\n') + '\n');
    segmentsSha256[mp4] = ranges;
    streams.push(`#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=${Math.round((resolution * 16) / 9)}x${resolution},FRAME-RATE=25,CODECS="avc1.64001f,mp4a.40.2"`, playlist);
    files.push(playlist, mp4);
  }
  const master = `${randomUUID()}-master.m3u8`;
  const hashes = `${randomUUID()}-segments-sha256.json`;
  await writeFile(join(out, master), ['#EXTM3U', '#EXT-X-VERSION:3', '', '', ...streams].join('\n') + '\n');
  await writeFile(join(out, hashes), JSON.stringify(segmentsSha256) + '\n');
  return { uuid, files: [master, hashes, ...files], master, hashes };
}

// A plain static server (Range, Content-Length), in its own process so it does not share our event loop.
const SERVER = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const root = process.argv[1];
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\\/static\\/streaming-playlists\\/hls\\//, ''));
  if (!file.startsWith(root)) { res.writeHead(404).end(); return; }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) { res.writeHead(404).end(); return; }
    let start = 0, end = st.size - 1, status = 200;
    const m = /^bytes=(\\d+)-(\\d*)$/.exec(req.headers.range || '');
    if (m) { start = +m[1]; end = m[2] ? Math.min(+m[2], end) : end; status = 206; }
    res.writeHead(status, { 'content-length': end - start + 1, 'accept-ranges': 'bytes', ...(status === 206 ? { 'content-range': 'bytes ' + start + '-' + end + '/' + st.size } : {}) });
    fs.createReadStream(file, { start, end, highWaterMark: 256 * 1024 }).pipe(res);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

function startServer(root: string): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SERVER, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), stop: () => child.kill() }));
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** CPU seconds (user + system) of this process and of its waited-for children (curl) so far. */
async function cpuSeconds(): Promise<number> {
  const own = process.cpuUsage();
  // /proc/self/stat fields 16 and 17: cutime, cstime of waited-for children, in clock ticks (100/s)
  const fields = (await readFile('/proc/self/stat', 'utf8')).replace(/^.*\) /, '').split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / 100;
  return (own.user + own.system) / 1e6 + children;
}

async function timed(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu = await cpuSeconds();
  const start = performance.now();
  await fn();
  return { wall: (performance.now() - start) / 1000, cpu: (await cpuSeconds()) - cpu };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mirrortube-bench-mirror-'));
  const origin = join(dir, 'origin');
  const dest = join(dir, 'dest');
  await mkdir(origin);
  try {
    console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const videos: VideoSet[] = [];
    for (let i = 0; i < VIDEOS; i++) videos.push(await generateVideo(origin));
    let totalBytes = 0;
    let fileCount = 0;
    for (const v of videos) for (const f of v.files) {
      totalBytes += (await stat(join(origin, v.uuid, f))).size;
      fileCount++;
    }
    console.log(`data: ${VIDEOS} videos × ${RENDITIONS.length} renditions, ${fileCount} files, ${(totalBytes / 1e6).toFixed(1)} MB; ${ROUNDS} rounds, median shown`);
    const server = await startServer(origin);
    const base = `http://127.0.0.1:${server.port}/static/streaming-playlists/hls`;
    const url = (v: VideoSet, f: string) => `${base}/${v.uuid}/${f}`;

    const fresh = async () => {
      await rm(dest, { recursive: true, force: true });
      await mkdir(dest);
    };

    const ours = async () => {
      const downloader = createHttpDownloader({ allowPrivateAddresses: true, concurrency: CONCURRENCY, bytesPerSecond: 0, timeoutMs: 30_000, clock: systemClock, userAgent: 'mirrortube-bench' });
      const layout = { redundancyDir: join(dest, 'redundancy'), tmpDir: join(dest, 'tmp') };
      const results = await Promise.all(
        videos.map((v) => mirrorHlsCopy({ source: { playlistUrl: url(v, v.master), segmentsSha256Url: url(v, v.hashes) }, uuid: v.uuid, layout, downloader })),
      );
      for (const r of results) if (!r.ok) throw new Error(JSON.stringify(r.reason));
    };
    const curlSequential = async () => {
      for (const v of videos) {
        await mkdir(join(dest, v.uuid));
        for (const f of v.files) await run('curl', ['-s', '-f', '-o', join(dest, v.uuid, f), url(v, f)]);
      }
    };
    const curlParallel = async () => {
      const args = ['-s', '--no-progress-meter', '-f', '--parallel', '--parallel-max', String(CONCURRENCY)];
      for (const v of videos) {
        await mkdir(join(dest, v.uuid));
        for (const f of v.files) args.push('-o', join(dest, v.uuid, f), url(v, f));
      }
      await run('curl', args);
    };

    const contenders: [string, () => Promise<void>][] = [
      ['ours (download + verify + rename, 4 at once)', ours],
      ['curl -s -o per file, sequential', curlSequential],
      [`curl --parallel --parallel-max ${CONCURRENCY}`, curlParallel],
    ];
    const times = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
    const cpu = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
    // warm-up (page cache, JIT), then rounds in rotating order
    for (const [, fn] of contenders) {
      await fresh();
      await fn();
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const [name, fn] = contenders[(round + i) % contenders.length]!;
        await fresh();
        const t = await timed(fn);
        times.get(name)!.push(t.wall);
        cpu.get(name)!.push(t.cpu);
      }
    }
    // the copies are complete: every file of every video in place
    await fresh();
    await ours();
    for (const v of videos) {
      const names = (await readdir(join(dest, 'redundancy', 'hls', v.uuid))).sort();
      if (JSON.stringify(names) !== JSON.stringify([...v.files].sort())) throw new Error(`copy of ${v.uuid} is incomplete: ${names.join(' ')}`);
    }
    server.stop();

    const mbps = (s: number) => totalBytes / 1e6 / s;
    const rows = contenders.map(([name]) => {
      const t = median(times.get(name)!);
      return { name, t, rate: mbps(t), cpuPerGb: median(cpu.get(name)!) / (totalBytes / 1e9) };
    });
    console.log(`${''.padEnd(48)} ${'wall'.padStart(7)}    ${'rate'.padStart(6)}        CPU (user+sys, ours: this process; curl: its processes)`);
    for (const { name, t, rate, cpuPerGb } of rows) {
      console.log(`${name.padEnd(48)} ${t.toFixed(3).padStart(7)} s  ${rate.toFixed(0).padStart(6)} MB/s  ${cpuPerGb.toFixed(2).padStart(5)} CPU-s/GB   (wall: ${times.get(name)!.map((x) => x.toFixed(3)).join(' ')})`);
    }
    const [ourRow, seqRow, parRow] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    console.log(`ratio ours/curl sequential: ${(ourRow.rate / seqRow.rate).toFixed(2)}   ours/curl --parallel: ${(ourRow.rate / parRow.rate).toFixed(2)}   (goal ≥ 0.9)`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
