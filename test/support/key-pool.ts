import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateActorKeyPair, type ActorKeyPair } from '../../src/accounts/index.js';

/**
 * RSA-2048 key pairs for test instances' actors, made once (global setup) and kept in the temporary
 * folder across runs: three key pairs were a third of a test instance's start. Each test process
 * hands them out in turn, so the instances and users of one test file get distinct keys (up to
 * POOL_SIZE actors; then the pool starts over).
 */
const POOL_SIZE = 64;
const POOL_FILE = join(tmpdir(), `mirrortube-test-actor-keys-${POOL_SIZE}.json`);

function readPool(): ActorKeyPair[] | null {
  try {
    const keys = JSON.parse(readFileSync(POOL_FILE, 'utf8')) as ActorKeyPair[];
    return Array.isArray(keys) && keys.length === POOL_SIZE ? keys : null;
  } catch {
    return null;
  }
}

/** Makes the pool unless a previous run left it (global setup). */
export async function prepareTestKeyPool(): Promise<void> {
  if (readPool()) return;
  const keys = await Promise.all(Array.from({ length: POOL_SIZE }, () => generateActorKeyPair()));
  const partial = `${POOL_FILE}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(keys));
  await rename(partial, POOL_FILE);
}

let pool: ActorKeyPair[] | null | undefined;
let next = 0;

/** The next key pair of the pool (a fresh one when the pool is missing, e.g. a bench without global setup). */
export function nextTestActorKeys(): Promise<ActorKeyPair> {
  pool ??= readPool();
  if (!pool) return generateActorKeyPair();
  const keys = pool[next % pool.length]!;
  next++;
  return Promise.resolve(keys);
}
