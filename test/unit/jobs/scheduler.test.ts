import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { createScheduler } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';

const logger = pino({ level: 'silent' });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler', () => {
  it('runNow runs a tick with the clock time, before start too', async () => {
    const clock = createManualClock(new Date('2026-01-01T00:00:00Z'));
    const scheduler = createScheduler({ clock, logger });
    const seen: string[] = [];
    scheduler.every('plan', 60_000, ({ now }) => {
      seen.push(now.toISOString());
    });
    expect(await scheduler.runNow('plan')).toEqual({ name: 'plan', status: 'completed' });
    clock.advance(1000);
    await scheduler.runNow('plan');
    expect(seen).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z']);
    await scheduler.stop();
  });

  it('reports a failing tick as a value and keeps going', async () => {
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    let calls = 0;
    scheduler.every('flaky', 1000, () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });
    const first = await scheduler.runNow('flaky');
    expect(first.status).toBe('failed');
    expect(first.status === 'failed' && (first.error as Error).message).toBe('boom');
    expect((await scheduler.runNow('flaky')).status).toBe('completed');
    await scheduler.stop();
  });

  it('never overlaps runs of one tick', async () => {
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    scheduler.every('slow', 1000, async () => {
      runs += 1;
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await gate.promise;
      running -= 1;
    });
    const a = scheduler.runNow('slow');
    const b = scheduler.runNow('slow');
    expect(b).toBe(a);
    gate.resolve();
    await Promise.all([a, b]);
    expect(runs).toBe(1);
    expect(maxRunning).toBe(1);
    await scheduler.stop();
  });

  it('fires every interval once started, skipping a beat while the previous run goes on', async () => {
    vi.useFakeTimers();
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    let runs = 0;
    let gate = deferred();
    scheduler.every('tick', 1000, async () => {
      runs += 1;
      await gate.promise;
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(0); // not started yet
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3000); // still running: three beats skipped
    expect(runs).toBe(1);
    gate.resolve();
    gate = deferred();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    gate.resolve();
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reschedule changes a running tick\'s interval (a policy set at run time)', async () => {
    vi.useFakeTimers();
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    let runs = 0;
    scheduler.every('plan', 1000, () => {
      runs += 1;
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(3);
    scheduler.reschedule('plan', 10_000);
    expect(scheduler.intervalOf('plan')).toBe(10_000);
    await vi.advanceTimersByTimeAsync(9000);
    expect(runs).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(4);
    expect(() => scheduler.reschedule('nope', 1000)).toThrow(/no interval tick/);
    await scheduler.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires cron ticks and leaves no timer after stop', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.500Z') });
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    let runs = 0;
    scheduler.cron('each-second', '* * * * * *', () => {
      runs += 1;
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBeGreaterThanOrEqual(2);
    await scheduler.stop();
    const after = runs;
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(after);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects bad definitions', () => {
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    scheduler.every('a', 1000, () => undefined);
    expect(() => scheduler.every('a', 1000, () => undefined)).toThrow(/already exists/);
    expect(() => scheduler.cron('b', 'not a cron', () => undefined)).toThrow(/invalid cron/);
    expect(() => scheduler.every('c', 0, () => undefined)).toThrow(/positive/);
    return expect(scheduler.runNow('missing')).rejects.toThrow(/no tick/);
  });

  it('stop waits for a running tick, and aborts it past the deadline', async () => {
    const scheduler = createScheduler({ clock: createManualClock(), logger });
    let aborted = false;
    scheduler.every('stubborn', 1000, ({ signal }) => {
      return new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        });
      });
    });
    const run = scheduler.runNow('stubborn');
    await scheduler.stop({ deadlineMs: 20 });
    expect(aborted).toBe(true);
    expect((await run).status).toBe('completed');
    await expect(scheduler.runNow('stubborn')).rejects.toThrow(/stopped/);
  });
});
