import type { Prisma as P } from '../generated/prisma/client.js';

/**
 * An open database transaction as services see it: a value they receive from one store and pass to
 * the next (or to `jobs.enqueue`), so that jobs and deliveries commit with the change that made them.
 * Only stores look inside it; this module is the one place outside stores that names Prisma's type.
 */
export type Tx = P.TransactionClient;

/** Runs a unit of work in one transaction; stores' methods take the `Tx` it hands out. */
export interface Transactor {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}
