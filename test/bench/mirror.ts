// Benchmark of the mirror's copier against curl downloading the same files in the same run.
//   npx tsx test/bench/mirror.ts
// Seven videos' HLS sets (a 720p and a 240p rendition each: an fMP4 init section + 4-second segments
// of PeerTube-like sizes, random file names, byte-range playlists, a matching segments-sha256.json)
// are served by a plain Node static server in a child process. Contenders, over the same files:
//   ours:          mirrorHlsCopy of every video (playlists + files + verifying every range + the
//                  rename into place; torrents off), 4 requests at once through one downloader;
//   curl seq:      one curl process fetching every file one after the other (one kept-alive connection);
//   curl parallel: one `curl --parallel --parallel-max 4` for every file (the same concurrency as ours).
// curl only downloads: no verification, no rename. The goal (≥ 0.9) is ours against curl --parallel.
// Two sections:
//   1. loopback (127.0.0.1): CPU-bound on a small machine (the server shares the cores); CPU-s/GB
//      is the figure to compare, wall time follows from it;
//   2. a shaped link resembling an origin → mirror path: the server runs in a network namespace
//      behind a delay line adding 10 ms each way (in userspace over two TUN devices, so it needs no
//      netem, which some kernels lack) and a tbf rate limit on the origin's side. Needs root, `ip`, `tc` and python3 (the delay
//      line); skipped with a message otherwise. Everything it creates is removed at the end.
// MIRROR_BENCH_ROUNDS (loopback, default 5), MIRROR_BENCH_SHAPED_ROUNDS (default 3),
// MIRROR_BENCH_SHAPED=0 (skip section 2). Medians of the rounds; the order rotates every round.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.js';
import { createHttpDownloader, mirrorHlsCopy } from '../../src/redundancy/mirror/index.js';

const VIDEOS = 7;
const RENDITIONS = [
  { resolution: 720, segments: 24, segmentBytes: 1_250_000 },
  { resolution: 240, segments: 24, segmentBytes: 250_000 },
];
const CONCURRENCY = 4;
const LOOPBACK_ROUNDS = Number(process.env.MIRROR_BENCH_ROUNDS ?? 5);
const SHAPED_ROUNDS = Number(process.env.MIRROR_BENCH_SHAPED_ROUNDS ?? 3);
const SHAPED = { oneWayDelayMs: 10, rate: '400mbit', burst: '256kb', queueLatency: '25ms' };
const GOAL = 0.9;

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
  for (const { resolution, segments, segmentBytes } of RENDITIONS) {
    const prefix = randomUUID();
    const mp4 = `${prefix}-${resolution}-fragmented.mp4`;
    const playlist = `${prefix}-${resolution}.m3u8`;
    const init = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\x01isomiso6mp41')), box('moov', randomBytes(1200))]);
    const parts: Buffer[] = [init];
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="${mp4}",BYTERANGE="${init.length}@0"`];
    const ranges: Record<string, string> = {};
    let offset = init.length;
    for (let i = 0; i < segments; i++) {
      const segment = box('mdat', randomBytes(segmentBytes - 8));
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

// A plain static server (Range, Content-Length, keep-alive), in its own process so it does not
// share our event loop. argv: root folder, address to listen on.
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
server.listen(0, process.argv[2], () => console.log(server.address().port));
`;

// The delay line of the shaped link: two TUN devices (with offloads, so TSO/GRO-sized packets pass
// whole and the CPU cost stays small) and every packet read from one is written to the other after
// a fixed delay. Exits when its stdin closes (the bench ended, however it ended).
const DELAY_LINE = `
import collections, fcntl, os, select, struct, sys, time
TUNSETIFF, TUNSETOFFLOAD = 0x400454CA, 0x400454D0
def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), 0x0001 | 0x1000 | 0x4000))  # TUN, NO_PI, VNET_HDR
    fcntl.ioctl(fd, TUNSETOFFLOAD, 0x01 | 0x02 | 0x04)  # CSUM, TSO4, TSO6
    return fd
a, b = tun(sys.argv[1]), tun(sys.argv[2])
delay = float(sys.argv[3]) / 1000
queues = {a: collections.deque(), b: collections.deque()}
peer = {a: b, b: a}
stdin = sys.stdin.fileno()
print('ready', flush=True)
while True:
    now = time.monotonic()
    due = None
    for src, q in queues.items():
        while q and q[0][0] <= now:
            try:
                os.write(peer[src], q.popleft()[1])
            except OSError:
                pass
        if q and (due is None or q[0][0] < due):
            due = q[0][0]
    ready, _, _ = select.select([a, b, stdin], [], [], None if due is None else max(0.0, due - now))
    now = time.monotonic()
    for fd in ready:
        if fd == stdin:
            if not os.read(stdin, 4096):
                sys.exit(0)
            continue
        for _ in range(512):
            try:
                queues[fd].append((now + delay, os.read(fd, 70000)))
            except BlockingIOError:
                break
`;

function startServer(root: string, host: string, prefix: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const argv = [...prefix, process.execPath, '-e', SERVER, root, host];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the file server exited with ${code}`)));
    child.stdout!.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), child }));
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** `ip`/`tc` and the like, synchronously: stderr as the error's message. */
function sh(command: string, ...args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
}

/** CPU seconds (user + system) of this process and of its waited-for children (curl) so far. */
async function cpuSeconds(): Promise<{ own: number; children: number }> {
  const own = process.cpuUsage();
  // /proc/self/stat fields 16 and 17: cutime, cstime of waited-for children, in clock ticks (100/s).
  // The file server and the delay line are never waited for while the bench runs: not counted.
  const fields = (await readFile('/proc/self/stat', 'utf8')).replace(/^.*\) /, '').split(' ');
  return { own: (own.user + own.system) / 1e6, children: (Number(fields[13]) + Number(fields[14])) / 100 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;

interface Contender {
  readonly name: string;
  /** whose CPU time counts: this process (ours) or the waited-for children (curl) */
  readonly cpu: 'own' | 'children';
  readonly run: () => Promise<void>;
  /** after each timed run: the result is what it should be */
  readonly check?: () => Promise<void>;
}

interface Row {
  name: string;
  wall: number;
  rate: number;
  cpuPerGb: number;
  walls: number[];
}

async function measure(contenders: Contender[], rounds: number, warmUp: boolean, fresh: () => Promise<void>, totalBytes: number): Promise<Row[]> {
  const walls = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  if (warmUp) {
    for (const c of contenders) {
      await fresh();
      await c.run();
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(round + i) % contenders.length]!;
      await fresh();
      const before = await cpuSeconds();
      const start = performance.now();
      await c.run();
      const wall = (performance.now() - start) / 1000;
      const after = await cpuSeconds();
      await c.check?.();
      walls.get(c.name)!.push(wall);
      cpu.get(c.name)!.push(after[c.cpu] - before[c.cpu]);
    }
  }
  return contenders.map(({ name }) => {
    const wall = median(walls.get(name)!);
    return { name, wall, rate: totalBytes / 1e6 / wall, cpuPerGb: median(cpu.get(name)!) / (totalBytes / 1e9), walls: walls.get(name)! };
  });
}

function report(rows: Row[]): void {
  console.log(`  ${''.padEnd(46)} ${'wall'.padStart(7)}    ${'rate'.padStart(6)}        CPU (user+sys; ours: this process, all threads; curl: its process)`);
  for (const { name, wall, rate, cpuPerGb, walls } of rows) {
    console.log(
      `  ${name.padEnd(46)} ${wall.toFixed(3).padStart(7)} s  ${rate.toFixed(0).padStart(6)} MB/s  ${cpuPerGb.toFixed(2).padStart(5)} CPU-s/GB   (wall: ${walls.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
  const [ours, seq, par] = rows as [Row, Row, Row];
  const ratio = ours.rate / par.rate;
  console.log(
    `  goal: ours ≥ ${GOAL} × curl --parallel --parallel-max ${CONCURRENCY} (same files, same concurrency): ratio ${ratio.toFixed(2)} → ${ratio >= GOAL ? 'met' : 'NOT met'}`,
  );
  console.log(`  (for information: ours/curl sequential ${(ours.rate / seq.rate).toFixed(2)}; CPU-s/GB ours/curl --parallel ${(ours.cpuPerGb / par.cpuPerGb).toFixed(2)})`);
}

/** How long a TCP connect takes (the round trip the link adds). */
function connectTime(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = connect(port, host, () => {
      resolve(performance.now() - start);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

interface ShapedLink {
  readonly host: string;
  readonly serverAddress: string;
  startServer(root: string): Promise<{ port: number; child: ChildProcess }>;
  close(): void;
}

const ipIsUsable = () => spawnSync('ip', ['-V']).status === 0 && spawnSync('tc', ['-V']).status === 0;

/** Removes namespaces a previous bench run left behind (killed before its clean-up). */
function removeStaleNamespaces(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const match of list.matchAll(/^mtbench-(\d+)\b/gm)) {
    const pid = Number(match[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) spawnSync('ip', ['netns', 'del', `mtbench-${pid}`]);
  }
}

/**
 * The shaped link: namespace `mtbench-<pid>` holding the server's TUN end; the host end stays here.
 * Returns a reason string when it cannot be built (not root, no python3, …), having undone what it did.
 */
async function openShapedLink(): Promise<ShapedLink | string> {
  if (!ipIsUsable()) return '`ip` or `tc` not found';
  if (spawnSync('python3', ['-c', 'import fcntl']).status !== 0) return 'python3 not found (it runs the delay line)';
  removeStaleNamespaces();
  const ns = `mtbench-${process.pid}`;
  const hostTun = `mtb${process.pid}c`;
  const nsTun = `mtb${process.pid}s`;
  const subnet = `10.231.${process.pid % 250}`;
  const host = `${subnet}.1`;
  const serverAddress = `${subnet}.2`;
  try {
    sh('ip', 'netns', 'add', ns);
  } catch (err) {
    return `\`ip netns add\` is not permitted here (${(err as Error).message})`;
  }
  let delayLine: ChildProcess | undefined;
  const servers: ChildProcess[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const child of servers) child.kill();
    if (delayLine !== undefined) {
      delayLine.stdin?.end();
      delayLine.kill();
    }
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', hostTun], { stdio: 'ignore' }); // normally gone with the delay line
    process.off('exit', close);
  };
  process.on('exit', close);
  try {
    delayLine = spawn('python3', ['-c', DELAY_LINE, hostTun, nsTun, String(SHAPED.oneWayDelayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the delay line did not start')), 10_000);
      delayLine!.on('exit', (code) => reject(new Error(`the delay line exited with ${code}`)));
      delayLine!.stdout!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    sh('ip', 'link', 'set', nsTun, 'netns', ns);
    sh('ip', 'addr', 'add', host, 'peer', serverAddress, 'dev', hostTun);
    sh('ip', 'link', 'set', hostTun, 'up');
    sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', serverAddress, 'peer', host, 'dev', nsTun);
    sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsTun, 'up');
    sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    // the origin's uplink is the bottleneck: rate limit on the server's side, a queue of `queueLatency`
    sh('ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', nsTun, 'root', 'tbf', 'rate', SHAPED.rate, 'burst', SHAPED.burst, 'latency', SHAPED.queueLatency);
  } catch (err) {
    close();
    return `the link could not be set up: ${(err as Error).message}`;
  }
  return {
    host,
    serverAddress,
    async startServer(root) {
      const started = await startServer(root, serverAddress, ['ip', 'netns', 'exec', ns]);
      servers.push(started.child);
      return started;
    },
    close,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mirrortube-bench-mirror-'));
  const origin = join(dir, 'origin');
  const dest = join(dir, 'dest');
  await mkdir(origin);
  const children: ChildProcess[] = [];
  let link: ShapedLink | undefined;
  const onSignal = () => {
    link?.close();
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, ${load()} at the start`);
    const videos: VideoSet[] = [];
    for (let i = 0; i < VIDEOS; i++) videos.push(await generateVideo(origin));
    let totalBytes = 0;
    let fileCount = 0;
    for (const v of videos) {
      for (const f of v.files) {
        totalBytes += (await stat(join(origin, v.uuid, f))).size;
        fileCount++;
      }
    }
    const shape = RENDITIONS.map((r) => `${r.resolution}p ${r.segments} × ${(r.segmentBytes / 1e6).toFixed(2)} MB`).join(', ');
    console.log(`data: ${VIDEOS} videos (${shape}), ${fileCount} files, ${(totalBytes / 1e6).toFixed(1)} MB; medians shown, the order rotates every round`);

    const fresh = async () => {
      await rm(dest, { recursive: true, force: true });
      await mkdir(dest);
    };
    const checkCopies = async () => {
      for (const v of videos) {
        const names = (await readdir(join(dest, 'redundancy', 'hls', v.uuid))).sort();
        if (JSON.stringify(names) !== JSON.stringify([...v.files].sort())) throw new Error(`copy of ${v.uuid} is incomplete: ${names.join(' ')}`);
      }
    };
    const contendersFor = (base: string): Contender[] => {
      const url = (v: VideoSet, f: string) => `${base}/${v.uuid}/${f}`;
      const outputs = async () => {
        const args: string[] = [];
        for (const v of videos) {
          await mkdir(join(dest, v.uuid));
          for (const f of v.files) args.push('-o', join(dest, v.uuid, f), url(v, f));
        }
        return args;
      };
      return [
        {
          name: `ours (download + verify + rename, ${CONCURRENCY} at once)`,
          cpu: 'own',
          run: async () => {
            const downloader = createHttpDownloader({
              allowPrivateAddresses: true,
              concurrency: CONCURRENCY,
              bytesPerSecond: 0,
              timeoutMs: 30_000,
              clock: systemClock,
              userAgent: 'mirrortube-bench',
            });
            const layout = { redundancyDir: join(dest, 'redundancy'), tmpDir: join(dest, 'tmp') };
            try {
              const results = await Promise.all(
                videos.map((v) => mirrorHlsCopy({ source: { playlistUrl: url(v, v.master), segmentsSha256Url: url(v, v.hashes) }, uuid: v.uuid, layout, downloader })),
              );
              for (const r of results) if (!r.ok) throw new Error(JSON.stringify(r.reason));
            } finally {
              downloader.close();
            }
          },
          check: checkCopies,
        },
        { name: 'curl sequential (one process, one connection)', cpu: 'children', run: async () => run('curl', ['-s', '-f', ...(await outputs())]) },
        {
          name: `curl --parallel --parallel-max ${CONCURRENCY}`,
          cpu: 'children',
          run: async () => run('curl', ['-s', '--no-progress-meter', '-f', '--parallel', '--parallel-max', String(CONCURRENCY), ...(await outputs())]),
        },
      ];
    };

    // 1. loopback
    const local = await startServer(origin, '127.0.0.1');
    children.push(local.child);
    const localContenders = contendersFor(`http://127.0.0.1:${local.port}/static/streaming-playlists/hls`);
    console.log(`\n1. loopback 127.0.0.1 (CPU-bound: compare CPU-s/GB; the server is a child process on the same cores), ${LOOPBACK_ROUNDS} rounds after a warm-up`);
    report(await measure(localContenders, LOOPBACK_ROUNDS, true, fresh, totalBytes));
    local.child.kill();
    console.log(`  ${load()}`);

    // 2. shaped link
    const title = `2. shaped link: ${2 * SHAPED.oneWayDelayMs} ms RTT (delay line), ${SHAPED.rate} from the origin (tbf, ${SHAPED.queueLatency} queue)`;
    if (process.env.MIRROR_BENCH_SHAPED === '0') console.log(`\n${title}: skipped (MIRROR_BENCH_SHAPED=0)`);
    else {
      const opened = await openShapedLink();
      if (typeof opened === 'string') console.log(`\n${title}: skipped, ${opened}`);
      else {
        link = opened;
        const remote = await link.startServer(origin);
        const rtt = median(await Promise.all([0, 1, 2].map(() => connectTime(link!.serverAddress, remote.port))));
        console.log(`\n${title}, ${SHAPED_ROUNDS} rounds; TCP connect measured ${rtt.toFixed(1)} ms`);
        const shapedBase = `http://${link.serverAddress}:${remote.port}/static/streaming-playlists/hls`;
        // the server process is new: one video through it first, unmeasured
        await fresh();
        await run('curl', ['-s', '-f', ...videos[0]!.files.flatMap((f) => ['-o', '/dev/null', `${shapedBase}/${videos[0]!.uuid}/${f}`])]);
        report(await measure(contendersFor(shapedBase), SHAPED_ROUNDS, false, fresh, totalBytes));
        console.log(`  ${load()}`);
      }
    }
  } finally {
    link?.close();
    for (const child of children) child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
