import type { ActivitySender } from '../../../src/federation/follows/follows.js';

export interface SentActivity {
  activity: Record<string, unknown>;
  signerActorId: number;
  inboxes: string[];
  /** whether it was queued inside a transaction */
  inTransaction: boolean;
}

/**
 * An ActivitySender that keeps what it was asked to queue (as the durable delivery job would be),
 * in order. `failNext()` makes the next send throw (a delivery that cannot be queued).
 * `checkpoint()` returns a function that drops what was queued since (the transaction's rollback).
 */
export function createFakeSender() {
  let sent: SentActivity[] = [];
  let failures = 0;
  const sender: ActivitySender = {
    async send(activity, options, tx) {
      if (failures > 0) {
        failures--;
        throw new Error('the delivery could not be queued');
      }
      sent.push({ activity: structuredClone(activity), signerActorId: options.signerActorId, inboxes: [...options.inboxes], inTransaction: tx !== undefined });
    },
  };
  return {
    sender,
    sent: () => [...sent],
    /** activity types, with the object's type: `Create CacheFile`, `Undo Create` */
    kinds: () => sent.map((s) => `${String(s.activity.type)} ${String((s.activity.object as { type?: unknown } | undefined)?.type)}`),
    failNext(): void {
      failures++;
    },
    checkpoint(): () => void {
      const length = sent.length;
      return () => {
        sent = sent.slice(0, length);
      };
    },
  };
}

export type FakeSender = ReturnType<typeof createFakeSender>;
