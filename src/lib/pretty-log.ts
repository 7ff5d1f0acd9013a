import { Writable } from 'node:stream';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component', 'err', 'v']);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const show = (v: unknown) => (typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v));

/** One pino JSON line as a human-readable line (time, level, [component], message, key=value …, error stack). */
export function formatLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (entry === null || typeof entry !== 'object') return line;
  const t = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
  const [label, tint] = LEVELS[Number(entry.level)] ?? ['LOG  ', ''];
  const level = color ? `${tint}${label}\x1b[0m` : label;
  const component = typeof entry.component === 'string' ? ` [${entry.component}]` : '';
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  let out = `${time} ${level}${component} ${typeof entry.msg === 'string' ? entry.msg : ''}${fields ? `  ${color ? '\x1b[90m' : ''}${fields}${color ? '\x1b[0m' : ''}` : ''}`;
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err && typeof err === 'object') out += `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').join('\n    ')}`;
  return out;
}

/**
 * A destination for pino that writes human-readable lines (for a terminal); JSON stays the format
 * when the output is a file or a pipe (journald, log shippers).
 */
export function createPrettyStream(out: NodeJS.WritableStream & { isTTY?: boolean }): Writable {
  let pending = '';
  const color = out.isTTY === true;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += String(chunk);
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line !== '') out.write(`${formatLogLine(line, color)}\n`);
        nl = pending.indexOf('\n');
      }
      done();
    },
    final(done) {
      if (pending !== '') out.write(`${formatLogLine(pending, color)}\n`);
      done();
    },
  });
}
