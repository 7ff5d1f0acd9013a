import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { prepareTestTemplates, TEST_PG_ADMIN_URL } from './support/database.js';
import { prepareTestKeyPool } from './support/key-pool.js';

/**
 * Once per run, before any test file: fails at once, with a clear message, when the test PostgreSQL
 * server is not reachable; then migrates the template databases every test database is copied from,
 * and makes the pool of actor key pairs test instances take their keys from.
 */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `The integration tests need a PostgreSQL server: ${TEST_PG_ADMIN_URL} is not reachable (${(err as Error).message}). ` +
        'Start one (see README, "Running the tests") or point MT_TEST_PG_URL at a server where this user may create databases.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const started = performance.now();
  await Promise.all([prepareTestTemplates(), prepareTestKeyPool()]);
  if (process.env.MT_TEST_LOG) console.log(`test database templates ready in ${Math.round(performance.now() - started)} ms`);
}
