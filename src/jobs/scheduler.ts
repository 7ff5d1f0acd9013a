import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../lib/clock.js';
import { settlesWithin } from './wait.js';

/** Given to a tick each time it runs. */
export interface TickContext {
  /** The clock's time when this run began. */
  now: Date;
  /** Aborted when the scheduler stops past its deadline. */
  signal: AbortSignal;
}

export type TickFn = (context: TickContext) => Promise<unknown> | unknown;

/** How one run of a tick ended. */
export type TickOutcome =
  | { name: string; status: 'completed' }
  | { name: string; status: 'failed'; error: unknown };

export interface Scheduler {
  /** Runs `fn` every `intervalMs` once started. */
  every(name: string, intervalMs: number, fn: TickFn): void;
  /** Runs `fn` on a cron expression (node-cron syntax, optional seconds field) once started. */
  cron(name: string, expression: string, fn: TickFn, options?: { timezone?: string }): void;
  /**
   * Runs a tick now, whatever its schedule (even before start()); resolves when that run ends.
   * If the tick is already running, joins that run instead of starting an overlapping one.
   */
  runNow(name: string): Promise<TickOutcome>;
  /** Changes the interval of an `every` tick (re-armed at once when running): a setting changed at run time. */
  reschedule(name: string, intervalMs: number): void;
  /** The interval of an `every` tick (undefined for an unknown or cron tick). */
  intervalOf(name: string): number | undefined;
  start(): void;
  /** Stops the timers, waits for running ticks until the deadline (default 10 s), then aborts them. */
  stop(options?: { deadlineMs?: number }): Promise<void>;
}

interface Tick {
  name: string;
  fn: TickFn;
  schedule: { type: 'every'; intervalMs: number } | { type: 'cron'; expression: string; timezone: string | undefined };
  timer: NodeJS.Timeout | undefined;
  task: ScheduledTask | undefined;
  current: Promise<TickOutcome> | undefined;
}

/**
 * Periodic ticks (redundancy planning, cleanups, refreshes). A tick never overlaps itself: a
 * timer firing while the previous run is still going is skipped. Tests call runNow() instead of
 * waiting for timers.
 */
export function createScheduler(options: { clock: Clock; logger: Logger }): Scheduler {
  const { clock } = options;
  const logger = options.logger.child({ component: 'scheduler' });
  const ticks = new Map<string, Tick>();
  const controller = new AbortController();
  let lifecycle: 'created' | 'running' | 'stopped' = 'created';

  function register(tick: Tick): void {
    if (ticks.has(tick.name)) throw new Error(`scheduler: a tick named "${tick.name}" already exists`);
    if (lifecycle === 'stopped') throw new Error('scheduler: stopped');
    ticks.set(tick.name, tick);
    if (lifecycle === 'running') arm(tick);
  }

  function arm(tick: Tick): void {
    const fire = () => {
      if (tick.current) {
        logger.debug({ tick: tick.name }, 'tick still running; skipping this run');
        return;
      }
      void run(tick);
    };
    if (tick.schedule.type === 'every') {
      tick.timer = setInterval(fire, tick.schedule.intervalMs);
    } else {
      tick.task = createTask(tick.schedule.expression, fire, {
        name: `mirrortube:${tick.name}`,
        noOverlap: true,
        ...(tick.schedule.timezone === undefined ? {} : { timezone: tick.schedule.timezone }),
      });
      void tick.task.start();
    }
  }

  function disarm(tick: Tick): void {
    clearInterval(tick.timer);
    tick.timer = undefined;
    if (tick.task) {
      // destroy() also removes the task from node-cron's own registry.
      void tick.task.destroy();
      tick.task = undefined;
    }
  }

  function run(tick: Tick): Promise<TickOutcome> {
    if (tick.current) return tick.current;
    const started = clock.now();
    const current = (async (): Promise<TickOutcome> => {
      try {
        await tick.fn({ now: started, signal: controller.signal });
        return { name: tick.name, status: 'completed' };
      } catch (error) {
        logger.error({ err: error, tick: tick.name }, 'tick failed');
        return { name: tick.name, status: 'failed', error };
      }
    })().finally(() => {
      tick.current = undefined;
    });
    tick.current = current;
    return current;
  }

  return {
    every(name, intervalMs, fn) {
      if (!(intervalMs > 0)) throw new RangeError(`scheduler: tick "${name}" needs a positive interval`);
      register({ name, fn, schedule: { type: 'every', intervalMs }, timer: undefined, task: undefined, current: undefined });
    },

    cron(name, expression, fn, cronOptions) {
      if (!validate(expression)) throw new Error(`scheduler: tick "${name}" has an invalid cron expression "${expression}"`);
      register({
        name,
        fn,
        schedule: { type: 'cron', expression, timezone: cronOptions?.timezone },
        timer: undefined,
        task: undefined,
        current: undefined,
      });
    },

    runNow(name) {
      const tick = ticks.get(name);
      if (!tick) return Promise.reject(new Error(`scheduler: no tick named "${name}"`));
      if (lifecycle === 'stopped') return Promise.reject(new Error('scheduler: stopped'));
      return run(tick);
    },

    reschedule(name, intervalMs) {
      const tick = ticks.get(name);
      if (!tick || tick.schedule.type !== 'every') throw new Error(`scheduler: no interval tick named "${name}"`);
      if (!(intervalMs > 0)) throw new RangeError(`scheduler: tick "${name}" needs a positive interval`);
      if (tick.schedule.intervalMs === intervalMs) return;
      tick.schedule = { type: 'every', intervalMs };
      if (lifecycle === 'running') {
        disarm(tick);
        arm(tick);
      }
    },

    intervalOf(name) {
      const tick = ticks.get(name);
      return tick?.schedule.type === 'every' ? tick.schedule.intervalMs : undefined;
    },

    start() {
      if (lifecycle !== 'created') throw new Error(`scheduler: cannot start when ${lifecycle}`);
      lifecycle = 'running';
      for (const tick of ticks.values()) arm(tick);
    },

    async stop(stopOptions) {
      if (lifecycle === 'stopped') return;
      lifecycle = 'stopped';
      for (const tick of ticks.values()) disarm(tick);
      const runs = [...ticks.values()].flatMap((tick) => (tick.current ? [tick.current] : []));
      if (runs.length === 0) return;
      const drained = await settlesWithin(Promise.allSettled(runs), stopOptions?.deadlineMs ?? 10_000);
      if (!drained) {
        logger.warn('ticks still running at the stop deadline; aborting them');
        controller.abort(new Error('scheduler stopping'));
      }
    },
  };
}
