import { mkdirSync } from 'node:fs';
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, readMigrations, type SqlExecutor } from './migrate.js';
import type { Logger } from '../lib/logger.js';
import { watchWrites, type WriteWatch } from './write-watch.js';

export type Prisma = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'embedded';
  /** true when the database answers a trivial query (readiness probes), false when it does not */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for a server; null for the embedded database in `dataDir` */
  url: string | null;
  /** folder of the embedded database; 'memory://' keeps it in memory (tests) */
  dataDir: string;
  poolSize?: number;
  /** the embedded database's shared_buffers, in bytes (PostgreSQL's own default, 128 MB, when absent) */
  embeddedSharedBuffers?: number;
  logger: Logger;
  /** committed writes to these tables are reported (read caches invalidate on them) */
  watch?: WriteWatch;
}

/**
 * Interactive transactions: Prisma's defaults (2 s to get a connection, 5 s to finish) fail on a
 * loaded machine, where the embedded database's one connection or a busy pool makes a transaction
 * wait its turn; a stuck transaction is still ended.
 */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 };

/** Opens the database, applies pending migrations, and returns a Prisma client over it. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const log = options.logger.child({ component: 'db' });
  // Each kind's driver is imported only when used: PGlite and its adapter weigh about 40 MB of
  // memory in a process that talks to a PostgreSQL server, and pg with its adapter about 8 MB in
  // one on the embedded database.
  if (options.url) {
    const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle connection closed by the server (restart, failover) must not crash the process.
    pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
    const client = await pool.connect();
    try {
      const applied = await applyMigrations(pgExecutor(client), readMigrations());
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
    } finally {
      client.release();
    }
    const prisma = new PrismaClient({ adapter: watched(new PrismaPg(pool), options.watch), transactionOptions: TRANSACTION_OPTIONS });
    return {
      prisma,
      kind: 'postgres',
      ping: () => pingThrough(prisma),
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const lite = await PGlite.create(options.dataDir, embeddedOptions(PGlite.defaultStartParams, options.embeddedSharedBuffers));
  const applied = await applyMigrations(pgliteExecutor(lite), readMigrations());
  if (applied.length > 0) log.info({ applied, dataDir: options.dataDir }, 'migrations applied (embedded database)');
  const prisma = new PrismaClient({ adapter: watched(new PrismaPGlite(lite), options.watch), transactionOptions: TRANSACTION_OPTIONS });
  return {
    prisma,
    kind: 'embedded',
    ping: () => pingThrough(prisma),
    close: async () => {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}

async function pingThrough(prisma: PrismaClient): Promise<boolean> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded PostgreSQL runs inside this process's memory: its shared buffers (PostgreSQL's
 * default 128 MB, which PGlite touches whole at start) count in the instance's RSS, where a server's
 * would not. A smaller pool is given on the command line (it wins over postgresql.conf, so an
 * existing data folder gets it too); pages beyond it are read from the data folder's files, which
 * the operating system caches.
 */
export function embeddedOptions(defaultStartParams: readonly string[], sharedBuffers: number | undefined): { startParams?: string[] } {
  if (sharedBuffers === undefined) return {};
  const kB = Math.max(128, Math.floor(sharedBuffers / 1024));
  return { startParams: [...defaultStartParams, '-c', `shared_buffers=${kB}kB`] };
}

function watched<F extends SqlDriverAdapterFactory>(factory: F, watch: WriteWatch | undefined): SqlDriverAdapterFactory {
  return watch ? watchWrites(factory, watch) : factory;
}

/** The migration runner over one PostgreSQL connection (also used by the tests' template databases). */
export function pgExecutor(client: pg.ClientBase): SqlExecutor {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  };
}

/** The migration runner over an embedded PGlite database. */
export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
  };
}
