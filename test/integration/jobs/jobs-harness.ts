// Shared set-up for the job queue's integration tests: a migrated database of either kind, a
// queue factory with test defaults, bounded polling for observable state, and gates handlers wait on.
import { pino } from 'pino';
import { openDatabase, type Database } from '../../../src/db/index.js';
import { createJobQueue, type JobHandlers, type JobKinds, type JobQueue, type JobQueueOptions } from '../../../src/jobs/index.js';
import type { Clock } from '../../../src/lib/clock.js';
import { createTestDatabase, type TestDatabaseKind } from '../../support/database.js';

export const silentLogger = pino({ level: 'silent' });

export interface JobsTestDatabase {
  db: Database;
  /** postgres://… of the test database; null for the embedded one. */
  url: string | null;
  /** Another client (its own connection pool) on the same database: a second process's view. */
  openAnother(): Promise<Database>;
  close(): Promise<void>;
}

export async function openJobsTestDatabase(kind: TestDatabaseKind): Promise<JobsTestDatabase> {
  const target = await createTestDatabase(kind);
  const open = () => openDatabase({ url: target.url, dataDir: target.dataDir ?? 'memory://', logger: silentLogger, poolSize: 8 });
  const db = await open();
  const others: Database[] = [];
  return {
    db,
    url: target.url,
    async openAnother() {
      if (target.url === null) throw new Error('the embedded database has a single client');
      const other = await open();
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await db.close();
      await target.drop();
    },
  };
}

export function makeQueue<K extends JobKinds>(
  db: Database,
  clock: Clock,
  handlers: JobHandlers<K>,
  overrides: Partial<JobQueueOptions<K>> = {},
): JobQueue<K> {
  return createJobQueue<K>({
    prisma: db.prisma,
    clock,
    logger: silentLogger,
    workerId: 'worker-a',
    // Long poll: a test that passes shows the queue reacted to a wake, not to a poll.
    pollIntervalMs: 60_000,
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    handlers,
    ...overrides,
  });
}

/** Polls `probe` until it returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise a test resolves by hand. */
export interface Gate<T = void> {
  promise: Promise<T>;
  open(value: T): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
