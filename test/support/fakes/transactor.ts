import type { Transactor, Tx } from '../../../src/lib/tx.js';

/** Something that can be put back as it was: a fake store, the fake sender. */
export interface Checkpointed {
  checkpoint(): () => void;
}

/**
 * A Transactor over in-memory fakes: the work gets a token transaction; when it throws, every
 * participant is put back as it was before (the writes and queued deliveries are rolled back).
 */
export function createFakeTransactor(...participants: Checkpointed[]): Transactor & { transactions: () => number } {
  let count = 0;
  return {
    transactions: () => count,
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      count++;
      const restores = participants.map((p) => p.checkpoint());
      try {
        return await work({ fakeTransaction: count } as unknown as Tx);
      } catch (err) {
        for (const restore of restores) restore();
        throw err;
      }
    },
  };
}
