import type { EngineContext } from './engine-deps.js';

/** Reports how many copies of ours are in each state (when the engine has metrics). */
export function createCopyReport({ deps }: EngineContext) {
  return async function reportCopies(): Promise<void> {
    if (!deps.metrics) return;
    const byState: Record<string, number> = {};
    for (const copy of await deps.copies.list()) byState[copy.state] = (byState[copy.state] ?? 0) + 1;
    deps.metrics.copies(byState);
  };
}
