// Static file benchmark (run on demand: `npx tsx test/bench/serve/static.ts`): one mirrortube
// instance (a child process, `mirrortube serve`) beside one nginx (Debian nginx-light, started here
// with its own configuration: one worker, sendfile) on the same HLS fragmented MP4 files, loaded by
// `wrk -t2 -c32` with random byte ranges of 64 KiB, 256 KiB, 1 MiB and 4 MiB, and whole files.
//
// - hot: one fragmented MP4 (the one being watched now), in the page cache and in our cache;
// - cold: MT_BENCH_COLD_FILES copies (different inodes) totalling more than our cache
//   (cache.static_files.size, default 128 MB), the page cache dropped before each run when we may
//   (root: `echo 1 > /proc/sys/vm/drop_caches`); the files warm up in the page cache as the run goes.
// Whole files: HLS segments (`.m4s`, about 2 MB each).
//
// CPU: utime + stime of each server's processes (/proc/<pid>/stat, nginx's master and worker) over
// the run. RSS: ours after start and the highest seen under load, on PostgreSQL (127.0.0.1:5432)
// and on the embedded database (MT_BENCH_DBS=postgres,embedded).
// MT_BENCH_SECONDS (default 5) per run, MT_BENCH_REPEAT (default 2) alternated runs of each server
// (the best kept: the machine may be shared); MT_BENCH_SIZES to pick sizes (e.g. `256K,1M`).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { freePort, waitFor } from '../../support/ports.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;
const SECONDS = Number(process.env.MT_BENCH_SECONDS ?? 5);
const REPEAT = Number(process.env.MT_BENCH_REPEAT ?? 2);
const COLD_FILES = Number(process.env.MT_BENCH_COLD_FILES ?? 40);
const DBS = (process.env.MT_BENCH_DBS ?? 'postgres,embedded').split(',') as TestDatabaseKind[];
const LUA = fileURLToPath(new URL('./range.lua', import.meta.url));
const UUID = '3f0e8f86-0b4c-4d1e-9a55-6c1f2f0b7a10';
const HLS_PREFIX = '/static/streaming-playlists/hls/';

const SIZES: Array<{ label: string; length: number }> = [
  { label: '64 KiB', length: 64 * KiB },
  { label: '256 KiB', length: 256 * KiB },
  { label: '1 MiB', length: MiB },
  { label: '4 MiB', length: 4 * MiB },
  { label: 'whole file', length: 0 },
].filter((s) => !process.env.MT_BENCH_SIZES || process.env.MT_BENCH_SIZES.split(',').some((w) => s.label.replace(' ', '').replace('iB', '').startsWith(w.replace('iB', ''))));

interface Load {
  requests: number;
  seconds: number;
  bytes: number;
  /** connect/read/write errors and timeouts */
  errors: number;
  /** answers other than 2xx */
  badStatus: number;
  p99ms: number;
  cpuSeconds: number;
}

/** utime + stime (seconds) of a process and its children threads (all threads are in /proc/pid/stat). */
async function cpuSeconds(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  }
  return ticks / 100; // USER_HZ
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function dropPageCache(): Promise<boolean> {
  try {
    await run('sync');
    await writeFile('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

async function wrk(base: string, files: Array<{ path: string; size: number }>, length: number, pids: number[], onSample?: () => Promise<void>, seconds = SECONDS): Promise<Load> {
  const args = ['-t2', '-c32', `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', LUA, base, '--', String(length), ...files.flatMap((f) => [f.path, String(f.size)])];
  const before = await cpuSeconds(pids);
  const sampler = onSample ? setInterval(() => void onSample(), 500) : undefined;
  const { stdout } = await run('wrk', args, { maxBuffer: 16 * MiB });
  if (sampler) clearInterval(sampler);
  const used = (await cpuSeconds(pids)) - before;
  const m = /RESULT requests=(\d+) seconds=([\d.]+) bytes=(\d+) errors=(\d+) status=(\d+) p99=(\d+)/.exec(stdout);
  if (!m) throw new Error(`wrk said: ${stdout}`);
  return { requests: Number(m[1]), seconds: Number(m[2]), bytes: Number(m[3]), errors: Number(m[4]), badStatus: Number(m[5]), p99ms: Number(m[6]) / 1000, cpuSeconds: used };
}

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 16 * MiB });
}

/** A real HLS rendition: 30 s of 720p at ~8 Mbit/s, as one fragmented MP4 (byte ranges) and as 2 s segments. */
async function makeMedia(dir: string): Promise<{ fragmented: string; segments: string[] }> {
  const encoded = join(dir, 'encoded.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '8M', '-minrate', '8M', '-maxrate', '8M', '-bufsize', '2M', '-x264-params', 'nal-hrd=cbr', '-g', '50', encoded]);
  const hot = join(dir, 'hot', UUID);
  await mkdir(hot, { recursive: true });
  await ffmpeg(['-i', encoded, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_flags', 'single_file', '-hls_segment_filename', join(hot, `${UUID}-720-fragmented.mp4`), join(hot, '720.m3u8')]);
  const segDir = join(dir, 'segments');
  await mkdir(segDir, { recursive: true });
  await ffmpeg(['-i', encoded, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_segment_filename', join(segDir, '720-%03d.m4s'), join(segDir, '720.m3u8')]);
  await rm(encoded);
  const fragmented = (await readdir(hot)).find((f) => f.endsWith('.mp4'));
  if (!fragmented) throw new Error('ffmpeg made no fragmented mp4');
  return { fragmented: join(hot, fragmented), segments: (await readdir(segDir)).filter((f) => f.endsWith('.m4s')).map((f) => join(segDir, f)) };
}

async function startNginx(dir: string, hlsRoot: string): Promise<{ port: number; pids: number[]; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, 'nginx-tmp', d), { recursive: true });
  await writeFile(
    conf,
    `daemon off;
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  # tcp_nopush on (Debian's default) stalls range answers on delayed ACKs over loopback: measured
  # 914 req/s for 64 KiB ranges against 7,253 with it off, and off was faster at 256 KiB and 1 MiB
  # too; the baseline is nginx at its best, so it is off
  tcp_nopush off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/nginx-tmp/body;
  proxy_temp_path ${dir}/nginx-tmp/proxy;
  fastcgi_temp_path ${dir}/nginx-tmp/fastcgi;
  uwsgi_temp_path ${dir}/nginx-tmp/uwsgi;
  scgi_temp_path ${dir}/nginx-tmp/scgi;
  types { video/mp4 mp4; video/iso.segment m4s; application/vnd.apple.mpegurl m3u8; }
  server {
    listen 127.0.0.1:${port};
    location ${HLS_PREFIX} {
      alias ${hlsRoot}/;
      add_header Access-Control-Allow-Origin *;
      add_header Cache-Control "public, max-age=7200";
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor('nginx to listen', async () => ((await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) ? true : undefined), 10_000, 50);
  const workers = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean).map(Number);
  return {
    port,
    pids: [child.pid!, ...workers],
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function startOurs(db: TestDatabaseKind, storage: string) {
  const port = await freePort();
  const database = await createTestDatabase(db);
  const env = { ...childInstanceEnv({ storage, port, password: 'bench-root-password' }), MIRRORTUBE_LOG__LEVEL: 'warn', ...(database.url ? { MIRRORTUBE_DATABASE__URL: database.url } : {}) };
  const started = await startChildInstance(env, port);
  return {
    port,
    pid: started.child.pid!,
    stop: async () => {
      started.child.kill('SIGTERM');
      await started.exited;
      await database.drop();
    },
  };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mt-bench-serve-'));
  try {
    const media = await makeMedia(dir);
    const results: string[] = [];
    const memory: string[] = [];
    let first = true;
    for (const db of DBS) {
      const storage = join(dir, `storage-${db}`);
      const hlsRoot = join(storage, 'streaming-playlists', 'hls');
      await mkdir(join(hlsRoot, UUID), { recursive: true });
      const hotName = media.fragmented.split('/').pop()!;
      await copyFile(media.fragmented, join(hlsRoot, UUID, hotName));
      const hotSize = (await stat(media.fragmented)).size;
      const hot = [{ path: `${HLS_PREFIX}${UUID}/${hotName}`, size: hotSize }];
      const segments = [];
      for (const s of media.segments) {
        const name = s.split('/').pop()!;
        await copyFile(s, join(hlsRoot, UUID, name));
        segments.push({ path: `${HLS_PREFIX}${UUID}/${name}`, size: (await stat(s)).size });
      }
      const cold: Array<{ path: string; size: number }> = [];
      const coldSegments: Array<{ path: string; size: number }> = [];
      if (first) {
        for (let i = 0; i < COLD_FILES; i++) {
          const uuid = `cold-${String(i).padStart(3, '0')}`;
          await mkdir(join(hlsRoot, uuid), { recursive: true });
          await copyFile(media.fragmented, join(hlsRoot, uuid, hotName));
          cold.push({ path: `${HLS_PREFIX}${uuid}/${hotName}`, size: hotSize });
          for (const s of segments.slice(0, 3)) {
            const name = s.path.split('/').pop()!;
            await copyFile(join(hlsRoot, UUID, name), join(hlsRoot, uuid, name));
            coldSegments.push({ path: `${HLS_PREFIX}${uuid}/${name}`, size: s.size });
          }
        }
      }

      let ours: Awaited<ReturnType<typeof startOurs>>;
      try {
        ours = await startOurs(db, storage);
      } catch (error) {
        // a loaded machine can take longer than the start-up wait: keep the figures measured so far
        memory.push(`${db.padEnd(9)} not measured: ${String(error)}`);
        first = false;
        continue;
      }
      const rssStart = await rssMiB(ours.pid);
      let rssPeak = rssStart;
      const sample = async () => {
        rssPeak = Math.max(rssPeak, await rssMiB(ours.pid).catch(() => 0));
      };
      const nginx = first ? await startNginx(dir, hlsRoot) : undefined;
      try {
        const oursBase = `http://127.0.0.1:${ours.port}`;
        if (!nginx) {
          // the other database: memory only, under the hot 256 KiB load
          await wrk(oursBase, hot, 256 * KiB, [ours.pid], sample);
          memory.push(`${db.padEnd(9)} RSS after start ${fmt(rssStart)} MiB, under load ${fmt(rssPeak)} MiB`);
          continue;
        }
        const nginxBase = `http://127.0.0.1:${nginx.port}`;
        // same bytes from both
        for (const f of [hot[0]!, segments[0]!]) {
          const a = Buffer.from(await (await fetch(oursBase + f.path, { headers: { range: 'bytes=1000-70000' } })).arrayBuffer());
          const b = Buffer.from(await (await fetch(nginxBase + f.path, { headers: { range: 'bytes=1000-70000' } })).arrayBuffer());
          if (!a.equals(b) || a.length !== 69001) throw new Error(`${f.path}: ours and nginx disagree`);
        }
        const header = `${'files'.padEnd(5)} ${'request'.padEnd(10)} | ${'ours req/s'.padStart(10)} ${'CPU s/GiB'.padStart(9)} ${'p99 ms'.padStart(7)} | ${'nginx req/s'.padStart(11)} ${'CPU s/GiB'.padStart(9)} ${'p99 ms'.padStart(7)} | ${'req/s ×'.padStart(7)} ${'CPU/byte ×'.padStart(10)}`;
        results.push(header, '-'.repeat(header.length));
        for (const temperature of ['hot', 'cold'] as const) {
          for (const size of SIZES) {
            const files = size.length === 0 ? (temperature === 'hot' ? segments : coldSegments) : temperature === 'hot' ? hot : cold;
            const loads: Record<'ours' | 'nginx', Load> = {} as Record<'ours' | 'nginx', Load>;
            // alternated runs, the best of each kept: the machine is shared, a run can be starved
            for (let r = 0; r < REPEAT; r++) {
              for (const [name, base, pids] of [
                ['nginx', nginxBase, nginx.pids],
                ['ours', oursBase, [ours.pid]],
              ] as const) {
                if (temperature === 'cold') {
                  await dropPageCache();
                  // the servers' own code pages (node's binary, nginx's) are back in memory, the cold files are not
                  await wrk(base, hot, 64 * KiB, [...pids], undefined, 1);
                } else if (r === 0) await wrk(base, files, size.length, [...pids]); // warm-up (page cache, our cache, JIT)
                const load = await wrk(base, files, size.length, [...pids], name === 'ours' ? sample : undefined);
                if (load.badStatus > 0) throw new Error(`${name}: ${load.badStatus} answers not 2xx (${temperature} ${size.label})`);
                if (load.errors > 0) console.error(`${name}: ${load.errors} socket errors or timeouts (${temperature} ${size.label})`);
                if (!loads[name] || load.requests / load.seconds > loads[name].requests / loads[name].seconds) loads[name] = load;
              }
            }
            const rate = (l: Load) => l.requests / l.seconds;
            const perGiB = (l: Load) => (l.cpuSeconds / l.bytes) * 1024 ** 3;
            results.push(
              `${temperature.padEnd(5)} ${size.label.padEnd(10)} | ${fmt(rate(loads.ours)).padStart(10)} ${fmt(perGiB(loads.ours), 2).padStart(9)} ${fmt(loads.ours.p99ms, 1).padStart(7)} | ${fmt(rate(loads.nginx)).padStart(11)} ${fmt(perGiB(loads.nginx), 2).padStart(9)} ${fmt(loads.nginx.p99ms, 1).padStart(7)} | ${fmt(rate(loads.ours) / rate(loads.nginx), 2).padStart(7)} ${fmt(perGiB(loads.ours) / perGiB(loads.nginx), 2).padStart(10)}`,
            );
            console.error(results.at(-1));
          }
        }
        memory.push(`${db.padEnd(9)} RSS after start ${fmt(rssStart)} MiB, under load ${fmt(rssPeak)} MiB`);
      } finally {
        await nginx?.stop();
        await ours.stop();
        first = false;
      }
    }
    const coldBytes = COLD_FILES * (await stat(media.fragmented)).size;
    console.log(
      `static benchmark: wrk -t2 -c32, best of ${REPEAT} alternated runs of ${SECONDS} s, random ranges; hot = one ${fmt((await stat(media.fragmented)).size / MiB, 1)} MiB fragmented MP4 (whole files: ${media.segments.length} segments of ~${fmt((await stat(media.segments[0]!)).size / MiB, 1)} MiB); ` +
        `cold = ${COLD_FILES} copies (${fmt(coldBytes / MiB)} MiB) with the page cache dropped before each run${(await dropPageCache()) ? '' : ' (NOT dropped: not allowed here)'}; nginx: 1 worker, sendfile`,
    );
    for (const line of results) console.log(line);
    for (const line of memory) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
