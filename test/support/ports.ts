import { createServer } from 'node:net';

/** Ports below Linux's ephemeral range (32768–60999): no outgoing connection takes one between our check and the listen. */
const FIRST_PORT = 20_000;
const PORTS = 12_768;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port free on 127.0.0.1 right now, for an instance that listens on it a moment later. Not one the
 * OS hands out (`listen(0)` gives an ephemeral port, which an outgoing connection of another test
 * could take before the instance listens: EADDRINUSE), but a random one below the ephemeral range.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORTS);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${FIRST_PORT} and ${FIRST_PORT + PORTS - 1} on 127.0.0.1`);
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
