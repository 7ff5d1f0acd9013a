import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './ports.js';

/** Longest wait for a living child to answer /readyz (a child that exits fails the wait at once). */
const CHILD_START_CAP_MS = 300_000;

const BIN = fileURLToPath(new URL('../../src/bin/mirrortube.js', import.meta.url));

/** A running `mirrortube serve` child: its process, what it printed, and its exit. */
export interface ChildInstance {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The `mirrortube` command in a child process (so a test can SIGKILL it), configured by environment
 * and by extra command-line arguments (e.g. `['--config', file]` for settings env cannot carry, like lists).
 */
export async function startChildInstance(
  env: Record<string, string>,
  port: number,
  args: readonly string[] = [],
): Promise<ChildInstance> {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(
      `mirrortube on port ${port} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output}`);
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      // Start-up follows the work: a busy machine may take minutes to compile and migrate, and a
      // child that dies fails at once above. The cap is only there to end a hang.
      CHILD_START_CAP_MS,
      100,
    );
  } catch (err) {
    // never ready: do not leave it running behind the failed test
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { child, output: () => output, exited };
}

/** Kills (SIGKILL) the children still running and waits for every one to exit: an afterAll's clean-up. */
export async function killChildren(children: readonly { child: ChildProcess; exited: Promise<unknown> }[]): Promise<void> {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.exited;
  }
}

/** The environment every child instance of the tests starts from: its storage, port and root password, on 127.0.0.1. */
export function childInstanceEnv(options: { storage: string; port: number; password: string }): Record<string, string> {
  return {
    MIRRORTUBE_STORAGE__ROOT: options.storage,
    MIRRORTUBE_LISTEN__PORT: String(options.port),
    MIRRORTUBE_WEBSERVER__HOSTNAME: '127.0.0.1',
    MIRRORTUBE_WEBSERVER__PORT: String(options.port),
    MIRRORTUBE_ADMIN__INITIAL_PASSWORD: options.password,
    MIRRORTUBE_LOG__LEVEL: process.env.MT_TEST_LOG ?? 'warn',
    MIRRORTUBE_JOBS__POLL_INTERVAL: '200ms',
    // every test instance and client shares 127.0.0.1: no test reaches these limits
    ...Object.fromEntries(['API', 'LOGIN', 'ACTIVITY_PUB', 'WELL_KNOWN'].map((k) => [`MIRRORTUBE_RATES_LIMIT__${k}__MAX`, '5000000'])),
  };
}
