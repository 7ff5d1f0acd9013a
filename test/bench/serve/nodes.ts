// Cluster benchmark (run on demand: `npx tsx test/bench/serve/nodes.ts`): static and API req/s of
// ONE node and of TWO nodes (`mirrortube serve` child processes, each with its own storage folder,
// both on one PostgreSQL at 127.0.0.1:5432), each time behind the same nginx (nginx-light, 1 worker,
// an upstream of the nodes, round robin over keep-alive connections), loaded by `wrk -t2 -c32`:
//   - static: random 64 KiB ranges of one 8 MiB web video file (the same bytes in both storages,
//     as a shared object storage would give);
//   - api: GET /api/v1/videos/:id, the id rotating over MT_BENCH_VIDEOS (default 100) public videos,
//     with the API cache off (every request reads the database).
// The baseline is the one-node figure of the same run; the ratio two ÷ one is what a second node
// buys on this machine (on 2 shared cores, little: both nodes and nginx and wrk share them).
// MT_BENCH_SECONDS (default 8) per run.
import { execFile } from 'node:child_process';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '../../../src/db/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { childInstanceEnv, startChildInstance } from '../../support/child-instance.js';
import { createTestDatabase } from '../../support/database.js';
import { freePort, waitFor } from '../../support/ports.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.MT_BENCH_SECONDS ?? 8);
const VIDEOS = Number(process.env.MT_BENCH_VIDEOS ?? 100);
const FILE_SIZE = 8 * 1024 * 1024;
const RANGE_SCRIPT = fileURLToPath(new URL('./range.lua', import.meta.url));
const logger = createLogger({ level: 'silent' });

async function seed(url: string): Promise<number[]> {
  const db = await openDatabase({ url, dataDir: '', logger });
  try {
    const channel = await db.prisma.videoChannel.findFirstOrThrow({ where: { account: { name: 'root' } } });
    const ids: number[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      const uuid = randomUUID();
      const video = await db.prisma.video.create({
        data: {
          uuid,
          name: `Bench video ${i}`,
          description: `A video of the cluster benchmark, number ${i}.`,
          privacy: 1,
          state: 1,
          duration: 60 + i,
          url: `http://127.0.0.1/videos/watch/${uuid}`,
          channelId: channel.id,
          thumbnailFilename: `${uuid}.jpg`,
          previewFilename: `${uuid}-preview.jpg`,
          files: { create: [{ resolution: 240, width: 426, height: 240, fps: 25, size: 1_200_000n, extname: '.mp4', filename: `${uuid}-240.mp4`, torrentFilename: `${uuid}-240.torrent`, infoHash: 'a'.repeat(40) }] },
        },
      });
      ids.push(video.id);
    }
    return ids;
  } finally {
    await db.close();
  }
}

async function startNode(storage: string, url: string, name: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const env = {
    ...childInstanceEnv({ storage, port, password: 'bench-root-password' }),
    MIRRORTUBE_LOG__LEVEL: 'warn',
    MIRRORTUBE_DATABASE__URL: url,
    MIRRORTUBE_NODE__NAME: name,
    MIRRORTUBE_CACHE__API__ENABLED: 'false',
  };
  const started = await startChildInstance(env, port);
  return {
    port,
    stop: async () => {
      started.child.kill('SIGTERM');
      await started.exited;
    },
  };
}

async function startNginx(dir: string, ports: number[]): Promise<{ port: number; stop(): Promise<void> }> {
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
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/nginx-tmp/body;
  proxy_temp_path ${dir}/nginx-tmp/proxy;
  fastcgi_temp_path ${dir}/nginx-tmp/fastcgi;
  uwsgi_temp_path ${dir}/nginx-tmp/uwsgi;
  scgi_temp_path ${dir}/nginx-tmp/scgi;
  upstream mirrortube {
${ports.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mirrortube;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_buffering off;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor('nginx to listen', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined), 10_000, 50);
  return {
    port,
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function wrk(url: string, script: string, args: string[] = [], seconds = SECONDS): Promise<{ rps: number; errors: string }> {
  const { stdout } = await run('/usr/bin/wrk', ['-t2', '-c32', `-d${seconds}s`, '-s', script, url, ...(args.length ? ['--', ...args] : [])], { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const errors = [/Non-2xx or 3xx responses: \d+/.exec(stdout)?.[0], /Socket errors: .*/.exec(stdout)?.[0]].filter(Boolean).join('; ');
  return { rps, errors };
}

const dir = await mkdtemp(join(tmpdir(), 'mirrortube-bench-nodes-'));
const database = await createTestDatabase('postgres');
const storages = [join(dir, 'node-a'), join(dir, 'node-b')];
try {
  const file = randomBytes(FILE_SIZE);
  for (const storage of storages) {
    await mkdir(join(storage, 'web-videos'), { recursive: true });
    await writeFile(join(storage, 'web-videos', 'bench-240.mp4'), file);
  }
  // the first start creates root and its channel; the videos go in while it is stopped
  await (await startNode(storages[0]!, database.url!, 'node-a')).stop();
  const ids = await seed(database.url!);
  const details = join(dir, 'details.lua');
  await writeFile(details, `local ids = {${ids.join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #ids + 1\n  return wrk.format("GET", "/api/v1/videos/" .. ids[i])\nend\n`);
  const results: Record<string, { static: number; api: number }> = {};
  for (const count of [1, 2]) {
    const nodes = [];
    for (let i = 0; i < count; i++) nodes.push(await startNode(storages[i]!, database.url!, `node-${'ab'[i]}`));
    const nginx = await startNginx(join(dir, `nginx-${count}`), nodes.map((n) => n.port));
    try {
      const base = `http://127.0.0.1:${nginx.port}`;
      const staticArgs = ['65536', '/static/web-videos/bench-240.mp4', String(FILE_SIZE)];
      // warm up (JIT, connections)
      await wrk(base, RANGE_SCRIPT, staticArgs, 2);
      await wrk(base, details, [], 2);
      const staticLoad = await wrk(base, RANGE_SCRIPT, staticArgs);
      const apiLoad = await wrk(base, details);
      results[count] = { static: staticLoad.rps, api: apiLoad.rps };
      console.log(
        `${count} node${count > 1 ? 's' : ' '} | static 64 KiB ranges ${staticLoad.rps.toFixed(0).padStart(6)} req/s${staticLoad.errors ? ` [${staticLoad.errors}]` : ''} | api details ${apiLoad.rps.toFixed(0).padStart(6)} req/s${apiLoad.errors ? ` [${apiLoad.errors}]` : ''}`,
      );
    } finally {
      await nginx.stop();
      for (const node of nodes) await node.stop();
    }
  }
  const ratio = (k: 'static' | 'api') => (results[2]![k] / results[1]![k]).toFixed(2);
  console.log(
    `\ntwo nodes ÷ one: static ${ratio('static')}×, api ${ratio('api')}× (wrk -t2 -c32 -d${SECONDS}s through one nginx; ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`,
  );
} finally {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
}
