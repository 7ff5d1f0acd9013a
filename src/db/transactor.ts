import type { Transactor } from '../lib/tx.js';
import type { Prisma } from './open-database.js';

/** The database's transactions, for services that span several stores in one unit of work. */
export function createTransactor(prisma: Prisma): Transactor {
  return { transaction: (work) => prisma.$transaction((tx) => work(tx)) };
}

/** For unit tests of services: runs the work with a dummy transaction the in-memory fakes ignore. */
export const inMemoryTransactor: Transactor = { transaction: (work) => work({} as never) };
