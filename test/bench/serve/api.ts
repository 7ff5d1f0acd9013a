// Hot REST API benchmark (run on demand: `npx tsx test/bench/serve/api.ts`): one mirrortube instance
// (a child process, `mirrortube serve`) with MT_BENCH_VIDEOS (default 200) public videos, each with an
// HLS playlist of two files and a web video file, loaded by `wrk -t2 -c32 --latency` on
//   - video details: GET /api/v1/videos/:id, the id rotating over every video;
//   - the list: GET /api/v1/videos?count=15;
// on PostgreSQL (127.0.0.1:5432) and on the embedded database (MT_BENCH_DBS=postgres,embedded), each
// with the API cache on (the default, `cache.api`) and off (`cache.api.enabled: false`: every request
// takes the query path). Prints req/s and p99 latency, and the ratio to PeerTube 6.3's figures.
//
// Baseline (PeerTube cannot run here; measured on this machine with the same wrk command, issue 12):
// PeerTube 6.3 answered 154–169 req/s for video details and 160–193 req/s for the list.
// MT_BENCH_SECONDS (default 10) per run.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../../src/db/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { freePort } from '../../support/ports.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.MT_BENCH_SECONDS ?? 10);
const VIDEOS = Number(process.env.MT_BENCH_VIDEOS ?? 200);
const DBS = (process.env.MT_BENCH_DBS ?? 'postgres,embedded').split(',') as TestDatabaseKind[];
const PEERTUBE = { details: [154, 169], list: [160, 193] } as const;
const logger = createLogger({ level: 'silent' });

/** Public videos under root's channel, inserted through the database (transcoding is not what we measure). */
async function seed(url: string | null, dataDir: string): Promise<number[]> {
  const db = await openDatabase({ url, dataDir, logger });
  try {
    const channel = await db.prisma.videoChannel.findFirstOrThrow({ where: { account: { name: 'root' } } });
    const ids: number[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      const uuid = randomUUID();
      const video = await db.prisma.video.create({
        data: {
          uuid,
          name: `Bench video ${i}`,
          description: `A video of the API benchmark, number ${i}. `.repeat(8),
          privacy: 1,
          state: 1,
          category: 15,
          licence: 1,
          language: 'en',
          tags: ['bench', 'api'],
          duration: 60 + i,
          aspectRatio: 1.7778,
          views: i * 3,
          url: `http://127.0.0.1/videos/watch/${uuid}`,
          channelId: channel.id,
          thumbnailFilename: `${uuid}.jpg`,
          previewFilename: `${uuid}-preview.jpg`,
          files: { create: [{ resolution: 240, width: 426, height: 240, fps: 25, size: 1_200_000n, extname: '.mp4', filename: `${uuid}-240.mp4`, torrentFilename: `${uuid}-240.torrent`, infoHash: 'a'.repeat(40) }] },
          streamingPlaylists: {
            create: {
              playlistFilename: 'master.m3u8',
              segmentsSha256Filename: `${uuid}-segments-sha256.json`,
              files: {
                create: [240, 144].map((r) => ({
                  resolution: r,
                  width: Math.round((r * 16) / 9),
                  height: r,
                  fps: 25,
                  size: 900_000n,
                  extname: '.mp4',
                  filename: `${uuid}-${r}-fragmented.mp4`,
                  playlistFilename: `${uuid}-${r}.m3u8`,
                  torrentFilename: `${uuid}-${r}-hls.torrent`,
                  infoHash: 'b'.repeat(40),
                })),
              },
            },
          },
        },
      });
      ids.push(video.id);
    }
    return ids;
  } finally {
    await db.close();
  }
}

interface Started {
  port: number;
  stop(): Promise<void>;
}

async function start(storage: string, url: string | null, extraEnv: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const env = { ...childInstanceEnv({ storage, port, password: 'bench-root-password' }), MIRRORTUBE_LOG__LEVEL: 'warn', ...(url ? { MIRRORTUBE_DATABASE__URL: url } : {}), ...extraEnv };
  const started = await startChildInstance(env, port);
  return {
    port,
    stop: async () => {
      started.child.kill('SIGTERM');
      await started.exited;
    },
  };
}

/** wrk's latency figure (e.g. `12.34ms`) in milliseconds */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

async function wrk(url: string, script?: string): Promise<{ rps: number; p99: number; errors: string }> {
  const args = ['-t2', '-c32', `-d${SECONDS}s`, '--latency', ...(script ? ['-s', script] : []), url];
  const { stdout } = await run('/usr/bin/wrk', args, { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const errors = [/Non-2xx or 3xx responses: \d+/.exec(stdout)?.[0], /Socket errors: .*/.exec(stdout)?.[0]].filter(Boolean).join('; ');
  return { rps, p99, errors };
}

const range = (r: readonly number[]) => `${r[0]}–${r[1]}`;
const ratio = (rps: number, r: readonly number[]) => `${(rps / r[1]!).toFixed(1)}–${(rps / r[0]!).toFixed(1)}×`;

const rows: string[] = [];
for (const kind of DBS) {
  const storage = await mkdtemp(join(tmpdir(), 'mirrortube-bench-api-'));
  const database = await createTestDatabase(kind);
  try {
    // first start creates the schema and root's channel; then the videos go in while it is stopped
    // (the embedded database has one owner at a time)
    await (await start(storage, database.url, {})).stop();
    const ids = await seed(database.url, join(storage, 'db'));
    const script = join(storage, 'details.lua');
    await writeFile(script, `local ids = {${ids.join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #ids + 1\n  return wrk.format("GET", "/api/v1/videos/" .. ids[i])\nend\n`);
    for (const cache of [true, false]) {
      const instance = await start(storage, database.url, cache ? {} : { MIRRORTUBE_CACHE__API__ENABLED: 'false' });
      try {
        const base = `http://127.0.0.1:${instance.port}`;
        // warm up (JIT, connections, cache)
        await run('/usr/bin/wrk', ['-t2', '-c32', '-d2s', '-s', script, base]);
        await run('/usr/bin/wrk', ['-t2', '-c32', '-d2s', `${base}/api/v1/videos?count=15`]);
        const details = await wrk(base, script);
        const list = await wrk(`${base}/api/v1/videos?count=15`);
        const label = `${kind.padEnd(9)} cache ${cache ? 'on ' : 'off'}`;
        rows.push(
          `${label} | details ${details.rps.toFixed(0).padStart(6)} req/s p99 ${details.p99.toFixed(1).padStart(6)} ms (${ratio(details.rps, PEERTUBE.details)} PeerTube ${range(PEERTUBE.details)})${details.errors ? ` [${details.errors}]` : ''}`,
          `${label} | list    ${list.rps.toFixed(0).padStart(6)} req/s p99 ${list.p99.toFixed(1).padStart(6)} ms (${ratio(list.rps, PEERTUBE.list)} PeerTube ${range(PEERTUBE.list)})${list.errors ? ` [${list.errors}]` : ''}`,
        );
        console.log(rows.slice(-2).join('\n'));
      } finally {
        await instance.stop();
      }
    }
  } finally {
    await database.drop();
    await rm(storage, { recursive: true, force: true });
  }
}
console.log(`\nwrk -t2 -c32 -d${SECONDS}s --latency, ${VIDEOS} videos (details: id rotating over all of them); ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n${rows.join('\n')}`);
