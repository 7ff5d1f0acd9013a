import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/lib/logger.js';

// The embedded database's page cache lives in our process: it is started with
// database.embedded_shared_buffers (32MB by default) instead of PostgreSQL's 128MB, and still answers.
const logger = createLogger({ level: 'silent' });

describe('embedded database settings', () => {
  it('defaults to 32MB of shared buffers', () => {
    const loaded = loadConfig({ env: {} });
    expect(loaded.ok && loaded.config.database.embedded_shared_buffers).toBe(32 * 1024 * 1024);
    const refused = loadConfig({ env: { MIRRORTUBE_DATABASE__EMBEDDED_SHARED_BUFFERS: '64kB' } });
    expect(refused.ok).toBe(false);
  });

  it('starts PGlite with the configured shared buffers, migrates and answers queries', async () => {
    const db = await openDatabase({ url: null, dataDir: 'memory://', embeddedSharedBuffers: 16 * 1024 * 1024, logger });
    try {
      const [row] = await db.prisma.$queryRawUnsafe<Array<{ shared_buffers: string }>>('SHOW shared_buffers');
      expect(row!.shared_buffers).toBe('16MB');
      expect(await db.prisma.user.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
