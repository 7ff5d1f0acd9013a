import { createServer } from 'node:net';

/** Ports below Linux's ephemeral range (32768–60999): no outgoing connection takes one between our check and the listen. */
const FIRST_PORT = 20_000;
const PORTS = 12_768;
/**
 * The range is cut into slices, one per vitest worker (VITEST_POOL_ID runs from 1 to maxWorkers; 0 outside
 * vitest), so two test processes never hand out the same port. A random check alone let two workers pick
 * one port between their checks and their listens (CI: `listen EADDRINUSE 127.0.0.1:22299`).
 */
const SLICES = 4;
const SLICE_SIZE = Math.floor(PORTS / SLICES);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** This process's slice of the range: [first, first + SLICE_SIZE). */
export function portSlice(poolId = process.env.VITEST_POOL_ID): { first: number; size: number } {
  const id = Number(poolId ?? 0);
  const index = Number.isSafeInteger(id) && id >= 0 ? id % SLICES : 0;
  return { first: FIRST_PORT + index * SLICE_SIZE, size: SLICE_SIZE };
}

/** The next candidate in this process's slice: handed out in turn from a random start, so a port given to
 * an instance that has not listened yet is not given again before the slice wraps around. */
let cursor: number | undefined;

/**
 * A port free on 127.0.0.1 right now, for an instance that listens on it a moment later. Not one the
 * OS hands out (`listen(0)` gives an ephemeral port, which an outgoing connection of another test
 * could take before the instance listens: EADDRINUSE), but one below the ephemeral range, from this
 * worker's own slice, never the same twice in a row.
 */
export async function freePort(): Promise<number> {
  const { first, size } = portSlice();
  cursor ??= Math.floor(Math.random() * size);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = first + (cursor % size);
    cursor = (cursor + 1) % size;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${first} and ${first + size - 1} on 127.0.0.1`);
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`; throws with `what` otherwise. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
