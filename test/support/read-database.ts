import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type SqlQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * Reads the database of a `mirrortube` child process, on either database.
 * PostgreSQL (`url`): a client on its database, at any time.
 * Embedded (`url` null): PGlite belongs to one process, so the instance must NOT be running (read
 * after a SIGKILL or a clean stop). Its data folder (`<storage>/db`) is copied and the copy opened
 * here: the copy recovers as the instance's own restart would, and the instance's folder is left
 * exactly as the crash left it.
 */
export async function readDatabase<T>(target: { url: string | null; storage: string }, read: (query: SqlQuery) => Promise<T>): Promise<T> {
  if (target.url) {
    const client = new pg.Client({ connectionString: target.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await read(async (sql, params) => (await client.query(sql, params)).rows);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const copy = await mkdtemp(join(tmpdir(), 'mt-db-copy-'));
  try {
    await cp(join(target.storage, 'db'), copy, { recursive: true });
    const lite = await PGlite.create(copy);
    try {
      return await read(async <R>(sql: string, params?: unknown[]) => (await lite.query<R>(sql, params)).rows);
    } finally {
      await lite.close();
    }
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
