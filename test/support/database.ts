import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** The PostgreSQL server of this machine and CI (trust auth). Override with MT_TEST_PG_URL. */
export const TEST_PG_ADMIN_URL = process.env.MT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDatabaseKind = 'postgres' | 'embedded';

/**
 * A fresh, empty database for one test instance: a new database on the real PostgreSQL server
 * (dropped by `drop()`), or `null` for the embedded default (the instance keeps it in its storage).
 */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<{ url: string | null; drop(): Promise<void> }> {
  if (kind === 'embedded') return { url: null, drop: async () => {} };
  const name = `mt_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
