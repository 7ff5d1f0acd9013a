import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';

const logger = createLogger({ level: 'silent' });

// /readyz asks the database through ping(): true while it answers, false (not a throw) once it is gone
describe.each(['embedded', 'postgres'] as TestDatabaseKind[])('Database.ping (%s)', (kind) => {
  it('answers true while the database is open, false after it is closed', async () => {
    const target = await createTestDatabase(kind);
    try {
      const db = await openDatabase({ url: target.url, dataDir: target.dataDir ?? 'unused', logger });
      expect(await db.ping()).toBe(true);
      await db.close();
      expect(await db.ping()).toBe(false);
    } finally {
      await target.drop();
    }
  });
});
