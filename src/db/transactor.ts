import { runWithAfterCommit } from '../lib/after-commit.js';
import type { Transactor } from '../lib/tx.js';
import type { Prisma } from './open-database.js';

/**
 * The database's transactions, for services that span several stores in one unit of work. What
 * was registered with `afterCommit(tx, …)` (the wake of a job enqueued in it) runs after the commit.
 */
export function createTransactor(prisma: Prisma): Transactor {
  return { transaction: (work) => runWithAfterCommit((inTx) => prisma.$transaction((tx) => inTx(tx)), work) };
}

/** For unit tests of services: runs the work with a dummy transaction the in-memory fakes ignore. */
export const inMemoryTransactor: Transactor = { transaction: (work) => runWithAfterCommit((inTx) => inTx({} as never), work) };
