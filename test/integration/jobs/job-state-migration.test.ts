import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { applyMigrations, pgliteExecutor, readMigrations } from '../../../src/db/index.js';

// Issue 11 (state columns become enums): the migration that turns Job.state into the JobState enum
// keeps every row's state; a value outside the four (which the API always listed as failed) becomes failed.
describe('Job.state enum migration', () => {
  it('converts the existing rows and refuses unknown states afterwards', async () => {
    const all = readMigrations();
    const at = all.findIndex((m) => m.name.endsWith('_job_state_enum_and_cluster'));
    expect(at).toBeGreaterThan(0);
    const lite = await PGlite.create();
    try {
      await applyMigrations(pgliteExecutor(lite), all.slice(0, at));
      const states = ['pending', 'active', 'completed', 'failed', 'weird'];
      for (const [i, state] of states.entries()) {
        await lite.query(`INSERT INTO "Job" ("kind", "payload", "state", "updatedAt") VALUES ($1, '{}', $2, now())`, [`k${i}`, state]);
      }
      await applyMigrations(pgliteExecutor(lite), all.slice(0, at + 1));
      const rows = await lite.query<{ kind: string; state: string; type: string }>(`SELECT kind, state::text AS state, pg_typeof(state)::text AS type FROM "Job" ORDER BY kind`);
      expect(rows.rows.map((r) => r.state)).toEqual(['pending', 'active', 'completed', 'failed', 'failed']);
      expect(rows.rows[0]!.type).toBe('"JobState"');
      await expect(lite.query(`INSERT INTO "Job" ("kind", "payload", "state", "updatedAt") VALUES ('x', '{}', 'weird', now())`)).rejects.toThrow(/JobState/);
      const defaulted = await lite.query<{ state: string }>(`INSERT INTO "Job" ("kind", "payload", "updatedAt") VALUES ('y', '{}', now()) RETURNING state::text AS state`);
      expect(defaulted.rows[0]!.state).toBe('pending');
    } finally {
      await lite.close();
    }
  });
});
