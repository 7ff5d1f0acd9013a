/**
 * Runs tasks one at a time per key, in call order; tasks of different keys run concurrently.
 * A failing task does not stop the ones queued after it. Keys are forgotten once idle.
 */
export function createKeyedSerializer() {
  const tails = new Map<string, Promise<unknown>>();
  return async function serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(task);
    tails.set(key, current);
    try {
      return await current;
    } finally {
      if (tails.get(key) === current) tails.delete(key);
    }
  };
}
