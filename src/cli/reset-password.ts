import type { InstanceConfig } from '../config/index.js';
import { generatePassword, hashPassword } from '../accounts/index.js';
import { openPasswordResetStore } from '../accounts/index.js';
import { createLogger } from '../lib/logger.js';
import { checkPortFree } from './port-check.js';

const MIN_PASSWORD_LENGTH = 6;

/** The first line of a piped standard input (`echo NEW | mirrortube reset-password --user NAME`). */
async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/**
 * `mirrortube reset-password --user NAME` (PeerTube's `npm run reset-password -- -u NAME`): sets a
 * new password, read from standard input when it is piped, otherwise generated and printed; the
 * user's tokens are revoked. On PostgreSQL the server may be running; the embedded database can
 * be opened by one process at a time, so the server must be stopped first.
 */
export async function resetPassword(options: {
  config: InstanceConfig;
  username: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  out: (line: string) => void;
  err: (line: string) => void;
}): Promise<number> {
  const { config } = options;
  if (!config.database.url && !(await checkPortFree(config.listen.hostname, config.listen.port)).ok) {
    options.err(`mirrortube: ${config.listen.hostname}:${config.listen.port} is in use: stop the server first (its embedded database can be opened by one process at a time)`);
    return 1;
  }
  let password = options.stdin.isTTY ? '' : (await readFirstLine(options.stdin)).trim();
  const generated = password === '';
  if (generated) password = generatePassword();
  if (password.length < MIN_PASSWORD_LENGTH) {
    options.err(`mirrortube: the new password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    return 1;
  }
  const store = await openPasswordResetStore({
    url: config.database.url,
    dataDir: config.storage.database,
    poolSize: 1,
    logger: createLogger({ level: 'warn', destination: process.stderr }),
  });
  try {
    if (!(await store.setPassword(options.username, await hashPassword(password)))) {
      options.err(`mirrortube: no user named "${options.username}"`);
      return 1;
    }
  } finally {
    await store.close();
  }
  options.out(generated ? `new password of "${options.username}": ${password}` : `password of "${options.username}" changed`);
  return 0;
}
