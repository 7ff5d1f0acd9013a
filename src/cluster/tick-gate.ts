import type { TickGate } from '../jobs/index.js';
import type { TickLeaseStore } from './tick-lease-store.js';

/**
 * The scheduler's gate over the tick lease rows: a cluster tick runs on the node that holds it,
 * once per interval (its timer's rhythm). Another node takes it over once it is overdue by
 * `leaseMs` with no run in progress (its holder died or stopped), so a tick is never run twice in
 * one interval while its holder lives, and never stays unrun longer than interval + lease.
 * A run in progress holds the tick for `leaseMs`, renewed every third of it.
 */
export function createTickGate(deps: { store: TickLeaseStore; holder: string; leaseMs: number }): TickGate {
  const { store, holder, leaseMs } = deps;
  return {
    claim(name, now, intervalMs) {
      const at = now.getTime();
      return store.claim({
        name,
        holder,
        now,
        dueAt: new Date(at + intervalMs),
        runningUntil: new Date(at + leaseMs),
        takeoverBefore: new Date(at - leaseMs),
      });
    },
    renew(name, now) {
      return store.renew(name, holder, new Date(now.getTime() + leaseMs));
    },
    finish(name) {
      return store.finish(name, holder);
    },
    renewEveryMs: Math.max(1, Math.floor(leaseMs / 3)),
  };
}
