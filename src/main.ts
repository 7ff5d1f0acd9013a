import { parseArgs } from 'node:util';
import { loadConfig } from './config/index.js';
import { redundancyPolicyCheck } from './redundancy/policy/config-policy-check.js';
import { createInstance } from './instance.js';
import { SOFTWARE_VERSION } from './http/api/server.js';
import { checkPortFree } from './cli/port-check.js';
import { resetPassword } from './cli/reset-password.js';
import { parseStorageTarget, storageMove } from './cli/storage-move.js';
import { createLogger } from './lib/logger.js';
import { createPrettyStream } from './lib/pretty-log.js';

const USAGE = `mirrortube ${SOFTWARE_VERSION}: a PeerTube-compatible instance with a redundancy engine

Usage: mirrortube [command] [--config FILE]...

Commands:
  serve          start the instance (default)
  check-config   validate the configuration, print it as JSON, and exit
  reset-password --user NAME
                 set a new password for NAME (read from standard input when piped,
                 otherwise generated and printed); the user's sessions end
  storage move --to object-storage|filesystem
                 move every local video's files to object storage (object_storage.*) or back,
                 with progress; resumable (run it again to finish an interrupted move)

Options:
  -c, --config FILE   a YAML file layered over config/default.yaml (repeatable; later wins)
  -u, --user NAME     the user (reset-password)
      --to TARGET     object-storage or filesystem (storage move)
  -h, --help          this help
  -v, --version       the version

Environment: MIRRORTUBE_<KEY_PATH> overrides any key, nested keys joined by "__"
(e.g. MIRRORTUBE_LISTEN__PORT=9001, MIRRORTUBE_DATABASE__URL=postgres://…).`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        user: { type: 'string', short: 'u' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.values.version) {
    console.log(SOFTWARE_VERSION);
    return 0;
  }
  const command = parsed.positionals[0] ?? 'serve';
  const storageCommand = command === 'storage' && parsed.positionals[1] === 'move' && parsed.positionals.length === 2;
  if ((!['serve', 'check-config', 'reset-password'].includes(command) || parsed.positionals.length > 1) && !storageCommand) {
    console.error(`unknown command "${parsed.positionals.join(' ')}"\n\n${USAGE}`);
    return 2;
  }

  const loaded = loadConfig({ files: parsed.values.config ?? [], env: process.env, checks: [redundancyPolicyCheck] });
  if (!loaded.ok) {
    console.error(`mirrortube: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}`);
    return 1;
  }
  if (command === 'check-config') {
    const shown = structuredClone(loaded.config);
    if (shown.admin.initial_password) shown.admin.initial_password = '[redacted]';
    if (shown.database.url) shown.database.url = shown.database.url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
    if (shown.metrics.bearer_token) shown.metrics.bearer_token = '[redacted]';
    if (shown.object_storage.credentials.secret_access_key) shown.object_storage.credentials.secret_access_key = '[redacted]';
    console.log(JSON.stringify(shown, null, 2));
    return 0;
  }

  if (command === 'reset-password') {
    if (!parsed.values.user) {
      console.error(`reset-password needs --user NAME\n\n${USAGE}`);
      return 2;
    }
    return resetPassword({ config: loaded.config, username: parsed.values.user, stdin: process.stdin, out: (l) => console.log(l), err: (l) => console.error(l) });
  }

  if (storageCommand) {
    const to = parseStorageTarget(parsed.values.to);
    if (!to) {
      console.error(`storage move needs --to object-storage or --to filesystem\n\n${USAGE}`);
      return 2;
    }
    if (!loaded.config.object_storage.enabled) {
      console.error('storage move: object storage is not enabled (object_storage.enabled, endpoint, buckets); to move files back, keep it enabled until the move is done');
      return 1;
    }
    const instance = await createInstance(loaded.config, { logger: createLogger({ level: 'warn' }) });
    try {
      return await storageMove({ port: instance.storageMove!, to, out: (l) => console.log(l), err: (l) => console.error(l) });
    } finally {
      await instance.stop();
    }
  }

  // nothing is created (storage, database, root user) when we cannot listen
  const { listen } = loaded.config;
  const port = await checkPortFree(listen.hostname, listen.port);
  if (!port.ok) {
    console.error(port.line);
    return 1;
  }
  // human-readable on a terminal, JSON lines otherwise (files, pipes, journald)
  const pretty = loaded.config.log.format === 'pretty' || (loaded.config.log.format === 'auto' && process.stdout.isTTY === true);
  // the instance builds its logger (its recent warnings feed the operator console)
  const instance = await createInstance(loaded.config, pretty ? { logDestination: createPrettyStream(process.stdout) } : {});
  try {
    await instance.start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    // taken between the check and the listen: the server listens before it creates anything
    console.error(`mirrortube: cannot listen on ${listen.hostname}:${listen.port}: ${code}`);
    await instance.stop().catch(() => undefined);
    return 1;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      instance.logger.info({ signal }, 'stopping');
      instance.stop().then(resolve, (err: unknown) => {
        instance.logger.error({ err }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
