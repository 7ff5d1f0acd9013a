import type { Transactor, Tx } from '../../../src/lib/tx.js';

/** A transaction of the in-memory fakes: writes made with it are applied when the work returns, dropped when it throws. */
export interface FakeTx {
  readonly id: number;
  readonly onCommit: (() => void)[];
}

/** Units of work for in-memory stores: all or nothing, like the database's. */
export function createFakeTransactor(): Transactor & { committed: number; rolledBack: number } {
  let next = 1;
  const transactor = {
    committed: 0,
    rolledBack: 0,
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const tx: FakeTx = { id: next++, onCommit: [] };
      let result: T;
      try {
        result = await work(tx as unknown as Tx);
      } catch (err) {
        transactor.rolledBack++;
        throw err;
      }
      for (const apply of tx.onCommit) apply();
      transactor.committed++;
      return result;
    },
  };
  return transactor;
}

/** Applies a write at once, or when the fake transaction it belongs to commits. */
export function writeIn(tx: Tx | undefined, apply: () => void): void {
  if (tx === undefined) apply();
  else (tx as unknown as FakeTx).onCommit.push(apply);
}

/** The id of a fake transaction (to tell which unit of work a write belonged to). */
export const txId = (tx: Tx): number => (tx as unknown as FakeTx).id;
