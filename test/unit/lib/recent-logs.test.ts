import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/lib/logger.js';
import { createRecentLogs, NOT_IN_RECENT_LOGS } from '../../../src/lib/recent-logs.js';

const line = (level: number, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level, time: 1_700_000_000_000, pid: 1, hostname: 'h', name: 'mirrortube', msg, ...extra });

describe('recent warnings and errors', () => {
  it('keeps the last entries at warn and above, newest first, within its capacity', () => {
    const logs = createRecentLogs({ capacity: 3 });
    logs.write(line(30, 'info: not kept'));
    for (let i = 1; i <= 5; i++) logs.write(line(i === 4 ? 50 : 40, `m${i}`, { component: i % 2 ? 'odd' : 'even' }));
    expect(logs.list().data.map((e) => e.msg)).toEqual(['m5', 'm4', 'm3']);
    expect(logs.list().total).toBe(3);
    expect(logs.list({ level: 'error' }).data.map((e) => e.msg)).toEqual(['m4']);
    expect(logs.list({ component: 'odd' }).data.map((e) => e.msg)).toEqual(['m5', 'm3']);
    expect(logs.list({ limit: 1 })).toMatchObject({ total: 3, data: [{ msg: 'm5' }] });
    expect(logs.list().data[0]).toEqual({ time: '2023-11-14T22:13:20.000Z', level: 'warn', component: 'odd', msg: 'm5', details: null });
  });

  it('keeps the other fields as details, cut when long, and ignores what is not a log line', () => {
    const logs = createRecentLogs({ capacity: 10 });
    logs.write('not json');
    logs.write('42');
    logs.write(line(40, 'with details', { job: 7, host: 'a.example' }));
    logs.write(line(60, 'big', { blob: 'x'.repeat(10_000) }));
    const [big, small] = logs.list().data;
    expect(small).toMatchObject({ level: 'warn', component: null, details: '{"job":7,"host":"a.example"}' });
    expect(big!.level).toBe('fatal');
    expect(big!.details!.length).toBeLessThan(4200);
    expect(logs.list().total).toBe(2);
  });

  it('is fed by the logger, redacted (and without the lines kept for the terminal), even when the logger writes nothing itself', () => {
    const recent = createRecentLogs();
    const logger = createLogger({ level: 'silent', recent }).child({ component: 'delivery' });
    logger.info('not kept');
    logger.warn({ host: 'b.example', accessToken: 'tok-secret', req: { headers: { authorization: 'Bearer abc' } } }, 'delivery failing');
    logger.error({ err: new Error('boom') }, 'it broke');
    logger.warn(NOT_IN_RECENT_LOGS, 'the generated password: hunter2');
    const [error, warn] = recent.list().data;
    expect(warn).toMatchObject({ level: 'warn', component: 'delivery', msg: 'delivery failing' });
    expect(warn!.details).toContain('b.example');
    expect(warn!.details).not.toContain('tok-secret');
    expect(warn!.details).not.toContain('Bearer abc');
    expect(warn!.details).toContain('[redacted]');
    expect(error).toMatchObject({ level: 'error', msg: 'it broke' });
    expect(error!.details).toContain('boom');
    expect(recent.list().total).toBe(2);
  });

  it('leaves the destination at its own level', () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        written.push(String(chunk));
        done();
      },
    });
    const recent = createRecentLogs();
    const logger = createLogger({ level: 'error', destination, recent });
    logger.warn('only in the buffer');
    logger.error('in both');
    expect(recent.list().data.map((e) => e.msg)).toEqual(['in both', 'only in the buffer']);
    expect(written.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['in both']);
  });
});
