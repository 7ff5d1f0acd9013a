import pg from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, pgExecutor, pgliteExecutor, readMigrations } from '../../src/db/index.js';

const execFileAsync = promisify(execFile);

/** The PostgreSQL server of this machine and CI (trust auth). Override with MT_TEST_PG_URL. */
export const TEST_PG_ADMIN_URL = process.env.MT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDatabaseKind = 'postgres' | 'embedded';

export interface TestDatabase {
  /** postgres://… of a new database on the server; null for the embedded kind */
  url: string | null;
  /** the embedded kind's data folder (already migrated); null for PostgreSQL */
  dataDir: string | null;
  drop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Templates. Running every migration for each of the suite's many databases was most of an
// instance's start-up, so the migrations run once per set of migrations into a template, and each
// test database is a copy of it: `CREATE DATABASE … TEMPLATE` on PostgreSQL, a copied data folder
// for the embedded PGlite. The copies include the migration runner's bookkeeping table, so
// `openDatabase` finds nothing to apply. The templates are named by a fingerprint of the migrations:
// a changed or added migration makes (and uses) a new template, never a stale one.
// ---------------------------------------------------------------------------------------------

/** Fingerprint of prisma/migrations/ (names and contents). */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const m of readMigrations()) hash.update(`${m.name}\0${m.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

const TEMPLATE_PREFIX = 'mt_template_';
/** Name of the PostgreSQL template database holding the current migrations. */
export const postgresTemplateName = (fingerprint = migrationsFingerprint()) => `${TEMPLATE_PREFIX}${fingerprint}`;
/** Folder of the embedded template (a PGlite data folder holding the current migrations). */
export const embeddedTemplateDir = (fingerprint = migrationsFingerprint()) => join(tmpdir(), `mirrortube-template-${fingerprint}`);

/** Advisory lock (on the admin database) under which a run checks for and builds the PostgreSQL template. */
const TEMPLATE_LOCK_ID = 727_002;
/** Unused embedded templates of other migrations are removed after this long. */
const STALE_EMBEDDED_TEMPLATE_MS = 24 * 3600_000;

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Builds the PostgreSQL template if it is missing. Concurrent runs (other worktrees, parallel
 * vitest processes) serialise on an advisory lock; the template is migrated under a build name and
 * renamed when complete, and nobody may connect to it afterwards (`ALLOW_CONNECTIONS false`), so
 * `CREATE DATABASE … TEMPLATE` never meets a connection to its source.
 */
export async function ensurePostgresTemplate(): Promise<string> {
  const name = postgresTemplateName();
  const building = `${name}_build`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_ID]);
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const client = new pg.Client({ connectionString: databaseUrl(building) });
      await client.connect();
      try {
        await applyMigrations(pgExecutor(client), readMigrations());
      } finally {
        await client.end();
      }
      await admin.query(`ALTER DATABASE ${building} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_ID]).catch(() => undefined);
    }
  });
  return name;
}

/**
 * Builds the embedded template if it is missing: a PGlite data folder, migrated and closed cleanly,
 * built beside its final place and renamed into it (a concurrent builder's rename wins, ours is dropped).
 */
export async function ensureEmbeddedTemplate(): Promise<string> {
  const dir = embeddedTemplateDir();
  if (await exists(join(dir, 'PG_VERSION'))) return dir;
  const building = await mkdtemp(`${dir}-build-`);
  try {
    const lite = await PGlite.create(join(building, 'db'));
    try {
      await applyMigrations(pgliteExecutor(lite), readMigrations());
      await lite.exec('CHECKPOINT');
    } finally {
      await lite.close();
    }
    await rename(join(building, 'db'), dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(join(dir, 'PG_VERSION')))) throw err;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

/** Once per test run (global set-up): both templates ready before any test starts; old embedded ones removed. */
export async function prepareTestTemplates(): Promise<void> {
  await ensurePostgresTemplate();
  const dir = await ensureEmbeddedTemplate();
  const now = new Date();
  await utimes(dir, now, now);
  const current = dir.slice(tmpdir().length + 1);
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith('mirrortube-template-') || entry === current) continue;
    const path = join(tmpdir(), entry);
    const info = await stat(path).catch(() => undefined);
    if (info && now.getTime() - info.mtimeMs > STALE_EMBEDDED_TEMPLATE_MS) await rm(path, { recursive: true, force: true });
  }
}

/**
 * A copy of the template's ~1,000 files: `cp -a` takes a tenth of the time node's recursive `cp`
 * does (0.2 s against 1.2–3.3 s on a loaded 2-core machine), and every embedded test database is one.
 */
async function copyFolder(from: string, to: string): Promise<void> {
  if (await stat(to).catch(() => undefined)) throw new Error(`${to} exists already: a test database is never copied over another`);
  await mkdir(dirname(to), { recursive: true });
  await execFileAsync('cp', ['-a', from, to]);
}

let postgresTemplate: Promise<string> | undefined;
let embeddedTemplate: Promise<string> | undefined;

/**
 * A fresh database for one test, already migrated: a new database on the real PostgreSQL server,
 * or a new embedded data folder (at `dataDir`, else `<storage>/db` — where an instance with that
 * storage root keeps it —, else a temporary folder). `drop()` removes it.
 */
export async function createTestDatabase(kind: TestDatabaseKind, options: { dataDir?: string; storage?: string } = {}): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const template = await (embeddedTemplate ??= ensureEmbeddedTemplate());
    const temporary = options.dataDir || options.storage ? null : await mkdtemp(join(tmpdir(), 'mirrortube-testdb-'));
    const dataDir = options.dataDir ?? join(options.storage ?? temporary!, 'db');
    await copyFolder(template, dataDir);
    return { url: null, dataDir, drop: () => rm(temporary ?? dataDir, { recursive: true, force: true }) };
  }

  const template = await (postgresTemplate ??= ensurePostgresTemplate());
  const name = `mt_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (err) {
        // 55006: the template has a connection (only while someone builds or inspects it by hand)
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
  return {
    url: databaseUrl(name),
    dataDir: null,
    drop: () => withAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
