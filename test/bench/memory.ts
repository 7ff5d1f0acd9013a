// Memory benchmark (run on demand: `npx tsx test/bench/memory.ts`): one mirrortube instance (a child
// process, `mirrortube serve`, as operators run it) per database, its RSS (/proc/<pid>/status) read
//   - after start: ready, then idle for MT_BENCH_IDLE_SECONDS (default 5);
//   - after MT_BENCH_API_REQUESTS (default 2000) anonymous API reads (video lists, config, a video);
//   - after MT_BENCH_ACTIVITIES (default 1000) signed ActivityPub `View` activities POSTed to /inbox
//     by a remote actor (a local HTTP server serving its key), verified, stored and processed;
// and the highest RSS of the run (VmHWM), on PostgreSQL (127.0.0.1:5432) and on the embedded
// database (MT_BENCH_DBS=postgres,embedded; the embedded one starts on a new data folder, as a first
// start does); then its RSS after a restart on the same storage, idle. 16 requests at a time.
//
// Baseline (issue 12; PeerTube cannot run here): PeerTube 6.3 uses about 175 MB after start and
// about 300 MB while federating (its PostgreSQL and Redis are separate processes).
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '../../src/federation/signatures/index.js';
import { createTestDatabase, type TestDatabaseKind } from '../support/database.js';
import { childInstanceEnv, startChildInstance } from '../support/child-instance.js';
import { freePort } from '../support/ports.js';

const DBS = (process.env.MT_BENCH_DBS ?? 'postgres,embedded').split(',') as TestDatabaseKind[];
const IDLE_SECONDS = Number(process.env.MT_BENCH_IDLE_SECONDS ?? 5);
const API_REQUESTS = Number(process.env.MT_BENCH_API_REQUESTS ?? 2000);
const ACTIVITIES = Number(process.env.MT_BENCH_ACTIVITIES ?? 1000);
const CONCURRENCY = 16;
const PEERTUBE = { start: 175, federating: 300 };

async function status(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) / 1024;
  return { rss: mib('VmRSS'), hwm: mib('VmHWM') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** A remote instance's actor on 127.0.0.1: its document (with the key) and an inbox that accepts everything. */
async function startRemoteActor() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  let base = '';
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      res.writeHead(202).end();
      return;
    }
    if (req.url?.startsWith('/accounts/bench')) {
      const actor = `${base}/accounts/bench`;
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      res.end(
        JSON.stringify({
          '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
          id: actor,
          type: 'Person',
          preferredUsername: 'bench',
          inbox: `${actor}/inbox`,
          outbox: `${actor}/outbox`,
          followers: `${actor}/followers`,
          following: `${actor}/following`,
          endpoints: { sharedInbox: `${base}/inbox` },
          publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem: publicKey },
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { actor: `${base}/accounts/bench`, base, privateKey, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function measure(db: TestDatabaseKind): Promise<string[]> {
  const storage = await mkdtemp(join(tmpdir(), 'mt-bench-memory-'));
  const port = await freePort();
  const database = await createTestDatabase(db);
  const remote = await startRemoteActor();
  const env = {
    ...childInstanceEnv({ storage, port, password: 'bench-root-password' }),
    MIRRORTUBE_LOG__LEVEL: 'warn',
    MIRRORTUBE_FEDERATION__ALLOW_PRIVATE_ADDRESSES: 'true',
    ...(database.url ? { MIRRORTUBE_DATABASE__URL: database.url } : {}),
  };
  let started = await startChildInstance(env, port);
  const pid = started.child.pid!;
  const lines: string[] = [];
  const row = (label: string, rss: number, baseline?: number) =>
    lines.push(`${db.padEnd(9)} ${label.padEnd(34)} ${rss.toFixed(0).padStart(5)} MiB${baseline ? `   (PeerTube 6.3: ~${baseline} MB)` : ''}`);
  try {
    row('RSS at ready', (await status(pid)).rss);
    await sleep(IDLE_SECONDS * 1000);
    row(`RSS after start (idle ${IDLE_SECONDS} s)`, (await status(pid)).rss, PEERTUBE.start);

    const paths = ['/api/v1/videos?count=15', '/api/v1/config', '/api/v1/videos?count=15&sort=-publishedAt', '/api/v1/accounts/root', '/.well-known/nodeinfo', '/api/v1/video-channels'];
    const refused = new Map<number, number>();
    await inParallel(API_REQUESTS, async (i) => {
      const code = await send(port, 'GET', paths[i % paths.length]!);
      if (code >= 500) refused.set(code, (refused.get(code) ?? 0) + 1);
    });
    if (refused.size > 0) lines.push(`${db.padEnd(9)} API answers ≥ 500: ${JSON.stringify(Object.fromEntries(refused))}`);
    row(`RSS after ${API_REQUESTS} API requests`, (await status(pid)).rss);

    const codes = new Map<number, number>();
    const url = `http://127.0.0.1:${port}/inbox`;
    const activities = Array.from({ length: ACTIVITIES }, (_, i) => {
      const body = Buffer.from(
        JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.actor}/views/${i}`, type: 'View', actor: remote.actor, object: `http://127.0.0.1:${port}/videos/watch/${i}` }),
      );
      const h = signRequest({ method: 'POST', url, body, keyId: `${remote.actor}#main-key`, privateKeyPem: remote.privateKey, now: new Date() });
      return { body, headers: { host: h.Host, date: h.Date, digest: h.Digest!, signature: h.Signature, 'content-type': 'application/activity+json' } };
    });
    await inParallel(ACTIVITIES, async (i) => {
      const code = await send(port, 'POST', '/inbox', activities[i]!.headers, activities[i]!.body);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    });
    lines.push(`${db.padEnd(9)} inbox answers: ${JSON.stringify(Object.fromEntries(codes))}`);
    await sleep(IDLE_SECONDS * 1000); // the processing jobs run
    row(`RSS after ${ACTIVITIES} inbox activities`, (await status(pid)).rss, PEERTUBE.federating);
    row('highest RSS of the run (VmHWM)', (await status(pid)).hwm);

    // a first start also creates the embedded database (initdb): started again on the same storage
    started.child.kill('SIGTERM');
    await started.exited;
    started = await startChildInstance(env, port);
    await sleep(IDLE_SECONDS * 1000);
    row(`RSS after a restart (idle ${IDLE_SECONDS} s)`, (await status(started.child.pid!)).rss, PEERTUBE.start);
  } finally {
    started.child.kill('SIGTERM');
    await started.exited;
    await remote.close();
    await database.drop();
    await rm(storage, { recursive: true, force: true });
  }
  return lines;
}

const all: string[] = [];
for (const db of DBS) {
  try {
    all.push(...(await measure(db)));
  } catch (error) {
    all.push(`${db.padEnd(9)} not measured: ${String(error)}`);
  }
}
console.log(`memory benchmark: mirrortube serve (node ${process.version}), ${CONCURRENCY} requests at a time`);
console.log(all.join('\n'));
