import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations of prisma/migrations/, oldest first. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** The little a migration runner needs from a driver: run a multi-statement script, query rows. */
export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

const HISTORY_TABLE = '_mirrortube_migrations';
/** Arbitrary constant: PostgreSQL advisory lock that serialises migrations between processes. */
const LOCK_ID = 727_001;

/**
 * Applies the migrations the database has not seen yet, each in its own transaction, and records
 * them. Concurrent starts against one PostgreSQL server wait for each other on an advisory lock.
 * A migration whose file changed after it was applied stops start-up (checksum mismatch).
 */
export async function applyMigrations(db: SqlExecutor, migrations: Migration[]): Promise<string[]> {
  await db.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
  try {
    await db.exec(
      `CREATE TABLE IF NOT EXISTS "${HISTORY_TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const rows = await db.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${HISTORY_TABLE}"`);
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const seen = applied.get(m.name);
      if (seen !== undefined) {
        if (seen !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied (checksum mismatch)`);
        continue;
      }
      await db.exec(
        `BEGIN;\n${m.sql}\nINSERT INTO "${HISTORY_TABLE}" (name, checksum) VALUES ('${m.name.replace(/'/g, "''")}', '${m.checksum}');\nCOMMIT;`,
      );
      done.push(m.name);
    }
    return done;
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
  }
}
