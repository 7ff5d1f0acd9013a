import { pino, type Logger, type LevelWithSilent } from 'pino';

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

export function createLogger(options: { level: LevelWithSilent; name?: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'mirrortube',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}
