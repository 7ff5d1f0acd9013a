// How long a test instance takes to start, per database kind, and the fixed costs inside it:
// a migrated database made the old way (new database, every migration) against a copy of the
// migrated template (what test/support/database.ts does), both measured in this run; one RSA-2048
// key pair (each instance makes three: root's account and channel, the instance actor).
// `npm run bench -- instance-start` (ROUNDS=5 by default)
import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/db/index.js';
import { generateActorKeyPair } from '../../src/accounts/actor-keys.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, prepareTestTemplates, TEST_PG_ADMIN_URL, type TestDatabaseKind } from '../support/database.js';
import { startTestInstance } from '../support/instance.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const logger = createLogger({ level: 'silent' });

async function median(what: string, fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m = times[Math.floor(times.length / 2)]!;
  console.log(`${what.padEnd(52)} median ${m.toFixed(0).padStart(6)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
  return m;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

/** The old way: an empty database, migrated by openDatabase. */
async function migrateFresh(kind: TestDatabaseKind): Promise<void> {
  if (kind === 'postgres') {
    const name = `mt_bench_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${name}`;
    await (await openDatabase({ url: url.toString(), dataDir: 'unused', logger })).close();
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'mirrortube-bench-'));
    await (await openDatabase({ url: null, dataDir: join(dir, 'db'), logger })).close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromTemplate(kind: TestDatabaseKind): Promise<void> {
  const target = await createTestDatabase(kind);
  await (await openDatabase({ url: target.url, dataDir: target.dataDir ?? 'unused', logger })).close();
  await target.drop();
}

const t0 = performance.now();
await prepareTestTemplates();
console.log(`templates ready (built or found) in ${(performance.now() - t0).toFixed(0)} ms`);
await median('RSA-2048 key pair', async () => void (await generateActorKeyPair()));
for (const kind of ['postgres', 'embedded'] as TestDatabaseKind[]) {
  const before = await median(`${kind}: new database, every migration (before)`, () => migrateFresh(kind));
  const after = await median(`${kind}: copy of the template (after)`, () => fromTemplate(kind));
  const instance = await median(`${kind}: startTestInstance + stop (after)`, async () => {
    const t = await startTestInstance({ db: kind });
    await t.stop();
  });
  console.log(`${kind}: an instance start was about ${(instance + before - after).toFixed(0)} ms before, ${instance.toFixed(0)} ms now`);
}
