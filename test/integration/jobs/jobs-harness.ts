// Shared set-up for the job queue's integration tests: a migrated database of either kind, a
// queue factory with test defaults, bounded polling for observable state, and gates handlers wait on.
import { pino } from 'pino';
import { openDatabase, type Database } from '../../../src/db/index.js';
import type { PrismaClient } from '../../../src/generated/prisma/client.js';
import {
  completed,
  createJobQueue,
  createJobStore,
  type JobContext,
  type JobHandler,
  type JobKind,
  type JobKinds,
  type JobOutcome,
  type JobQueue,
  type JobQueueOptions,
} from '../../../src/jobs/index.js';
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

/** A test handler: `run` may resolve with any value, stored as the completed job's result (or with a JobOutcome). */
export type TestHandler<P> = Omit<JobHandler<P>, 'run'> & { run(payload: P, context: JobContext): Promise<unknown> };
export type TestHandlers<K extends JobKinds> = { [T in JobKind<K>]: TestHandler<K[T]> };

const OUTCOME_TYPES = new Set(['completed', 'skipped', 'retry', 'failed']);
const asOutcome = (value: unknown): JobOutcome =>
  typeof value === 'object' && value !== null && OUTCOME_TYPES.has((value as { type?: unknown }).type as string) ? (value as JobOutcome) : completed(value);

/** A queue on `db` with test defaults, the handlers registered (not started). */
export function makeQueue<K extends JobKinds>(
  db: Database,
  clock: Clock,
  handlers: TestHandlers<K>,
  overrides: Partial<JobQueueOptions> & { prisma?: PrismaClient } = {},
): JobQueue<K> {
  const { prisma = db.prisma, ...options } = overrides;
  const workerId = options.workerId ?? 'worker-a';
  const queue = createJobQueue<K>({
    store: createJobStore(prisma, workerId),
    clock,
    logger: silentLogger,
    workerId,
    // Long poll: a test that passes shows the queue reacted to a wake, not to a poll.
    pollIntervalMs: 60_000,
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    ...options,
  });
  for (const kind of Object.keys(handlers) as Array<JobKind<K>>) {
    const handler = handlers[kind];
    queue.register(kind, { ...handler, run: async (payload, context) => asOutcome(await handler.run(payload, context)) });
  }
  return queue;
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
