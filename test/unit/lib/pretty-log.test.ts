import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/lib/logger.js';
import { createPrettyStream, formatLogLine } from '../../../src/lib/pretty-log.js';

describe('human-readable logs on a terminal', () => {
  it('formats a pino line: time, level, component, message, fields, error stack', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, hostname: 'h', name: 'mirrortube', component: 'jobs', job: 7, error: 'boom here', msg: 'job attempt failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } });
    const out = formatLogLine(line, false);
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[jobs\] job attempt failed {2}job=7 error="boom here"\n {4}Error: boom\n {8}at x$/);
    expect(out).not.toContain('hostname');
    expect(formatLogLine('not json', false)).toBe('not json');
  });

  it('a logger writing through the stream prints lines, not JSON, with secrets still redacted', async () => {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d: Buffer) => (text += d.toString()));
    const logger = createLogger({ level: 'info', destination: createPrettyStream(sink) });
    logger.child({ component: 'http' }).info({ password: 'hunter2', status: 200 }, 'hello');
    await new Promise((r) => setImmediate(r));
    expect(text).toMatch(/INFO {2}\[http\] hello {2}password=\[redacted\] status=200\n$/);
    expect(text).not.toContain('{');
  });
});
