import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createScheduler, type TickGate } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';

const logger = pino({ level: 'silent' });

function recordingGate(grant: (name: string) => boolean) {
  const calls: string[] = [];
  const gate: TickGate = {
    claim: async (name, now, intervalMs) => {
      calls.push(`claim ${name} ${now.toISOString()} ${intervalMs}`);
      return grant(name);
    },
    renew: async (name) => {
      calls.push(`renew ${name}`);
      return true;
    },
    finish: async (name) => {
      calls.push(`finish ${name}`);
    },
    renewEveryMs: 5,
  };
  return { gate, calls };
}

describe('scheduler: cluster ticks through a gate', () => {
  it('runs a cluster tick only when the gate grants it, and releases it after the run', async () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    let granted = false;
    const { gate, calls } = recordingGate(() => granted);
    const scheduler = createScheduler({ clock, logger, gate });
    let runs = 0;
    scheduler.every('plan', 60_000, () => {
      runs += 1;
    });
    expect(await scheduler.runScheduled('plan')).toEqual({ name: 'plan', status: 'skipped' });
    expect(runs).toBe(0);
    granted = true;
    expect(await scheduler.runScheduled('plan')).toEqual({ name: 'plan', status: 'completed' });
    expect(runs).toBe(1);
    expect(calls).toEqual(['claim plan 2026-01-01T00:00:00.000Z 60000', 'claim plan 2026-01-01T00:00:00.000Z 60000', 'finish plan']);
    // runNow is an explicit request: it runs here whatever the gate says
    granted = false;
    expect((await scheduler.runNow('plan')).status).toBe('completed');
    expect(runs).toBe(2);
    await scheduler.stop();
  });

  it('node ticks never ask the gate', async () => {
    const { gate, calls } = recordingGate(() => false);
    const scheduler = createScheduler({ clock: createManualClock(), logger, gate });
    let runs = 0;
    scheduler.every('seeding', 1000, () => void (runs += 1), { scope: 'node' });
    expect((await scheduler.runScheduled('seeding')).status).toBe('completed');
    expect(runs).toBe(1);
    expect(calls).toEqual([]);
    await scheduler.stop();
  });

  it('renews the hold while a long run goes on, and a failing claim skips the run', async () => {
    let fail = false;
    const { gate, calls } = recordingGate(() => {
      if (fail) throw new Error('database down');
      return true;
    });
    const scheduler = createScheduler({ clock: createManualClock(), logger, gate });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    scheduler.every('slow', 1000, () => held);
    const run = scheduler.runScheduled('slow');
    // a second timer run while the first holds the tick joins it
    const joined = scheduler.runScheduled('slow');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (calls.filter((c) => c === 'renew slow').length >= 2) {
          clearInterval(poll);
          resolve();
        }
      }, 1);
    });
    release();
    expect(await run).toEqual({ name: 'slow', status: 'completed' });
    expect(await joined).toEqual({ name: 'slow', status: 'completed' });
    expect(calls.filter((c) => c.startsWith('claim')).length).toBe(1);
    expect(calls.at(-1)).toBe('finish slow');
    fail = true;
    expect(await scheduler.runScheduled('slow')).toEqual({ name: 'slow', status: 'skipped' });
    await scheduler.stop();
  });
});
