/**
 * Callbacks to run once a transaction has committed (e.g. waking the workers of a job enqueued in
 * it: before the commit, the row is invisible to them). The transactor that opens a transaction
 * runs them after its commit; a rolled-back transaction drops them.
 */
const pending = new WeakMap<object, Array<() => void>>();

/**
 * Registers `callback` to run after `tx` commits. Returns false when `tx` was not opened by
 * {@link runWithAfterCommit} (nobody will run it): the caller then has to make other arrangements.
 */
export function afterCommit(tx: object, callback: () => void): boolean {
  const callbacks = pending.get(tx);
  if (!callbacks) return false;
  callbacks.push(callback);
  return true;
}

/** Runs `work` in the transaction `open` starts, then (after the commit) what was registered on it. */
export async function runWithAfterCommit<Tx extends object, T>(
  open: (work: (tx: Tx) => Promise<T>) => Promise<T>,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  const callbacks: Array<() => void> = [];
  const result = await open((tx) => {
    pending.set(tx, callbacks);
    return work(tx);
  });
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // an after-commit callback is a best-effort nudge (a wake); its failure is not the work's
    }
  }
  return result;
}
