import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { RecentLogs } from './recent-logs.js';

export type { Logger };

/** Paths redacted from every log line: keys, tokens, passwords, stream keys. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'privateKeyPem',
  '*.privateKeyPem',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'streamKey',
  '*.streamKey',
  'client_secret',
  '*.client_secret',
];

/**
 * The instance's logger. With `recent`, the lines at its level and above (warn by default) also go
 * to that buffer, already serialized and redacted, whatever `level` says (the console lists the
 * recent warnings of an instance that logs only errors, or nothing).
 */
export function createLogger(options: { level: LevelWithSilent; name?: string; destination?: NodeJS.WritableStream; recent?: RecentLogs }): Logger {
  const settings = {
    name: options.name ?? 'mirrortube',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const destination = options.destination ?? process.stdout;
  if (!options.recent) return pino({ ...settings, level: options.level }, destination);
  const streams: { level: pino.Level; stream: { write(line: string): void } }[] = [{ level: options.recent.level, stream: options.recent }];
  if (options.level !== 'silent') streams.push({ level: options.level, stream: destination });
  // the logger writes what either stream wants; each stream gets its levels only
  const lowest = options.level === 'silent' || pino.levels.values[options.recent.level]! < pino.levels.values[options.level]! ? options.recent.level : options.level;
  return pino({ ...settings, level: lowest }, pino.multistream(streams));
}
