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

/**
 * Where a tick runs when several nodes share the database: `cluster` ticks (the default) run on one
 * node per interval, through the scheduler's {@link TickGate}; `node` ticks run on every node (work
 * on this node's memory or disk: its seeder, its folders' sizes, its in-memory viewers).
 */
export type TickScope = 'cluster' | 'node';

export interface TickOptions {
  scope?: TickScope;
}

/**
 * Decides which node runs a cluster tick (src/cluster: a lease row per tick). Without a gate every
 * tick runs on this node (one process).
 */
export interface TickGate {
  /** Claims this interval's run of the tick for this node; false when another node has it or already ran it. */
  claim(name: string, now: Date, intervalMs: number): Promise<boolean>;
  /** Extends the hold of a run in progress (called every `renewEveryMs`); false when it was lost. */
  renew(name: string, now: Date): Promise<boolean>;
  /** The run ended: the tick is free for whoever is due next. */
  finish(name: string, now: Date): Promise<void>;
  renewEveryMs: number;
}

export interface Scheduler {
  /** Runs `fn` every `intervalMs` once started (on one node of the cluster unless `scope: 'node'`). */
  every(name: string, intervalMs: number, fn: TickFn, options?: TickOptions): void;
  /** Runs `fn` on a cron expression (node-cron syntax, optional seconds field) once started. */
  cron(name: string, expression: string, fn: TickFn, options?: { timezone?: string } & TickOptions): void;
  /**
   * What the tick's timer does, now: a cluster tick is first claimed through the gate (`skipped`
   * when another node has this interval's run), then run. Resolves when that run ends.
   */
  runScheduled(name: string): Promise<TickOutcome | { name: string; status: 'skipped' }>;
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
  scope: TickScope;
  schedule: { type: 'every'; intervalMs: number } | { type: 'cron'; expression: string; timezone: string | undefined };
  timer: NodeJS.Timeout | undefined;
  task: ScheduledTask | undefined;
  current: Promise<TickOutcome> | undefined;
  /** a timer's run of a cluster tick: the claim, then the run */
  gated: Promise<TickOutcome | { name: string; status: 'skipped' }> | undefined;
}

/** A cron tick's claim holds its run for this long (the cron fires at the same moment on every node). */
const CRON_CLAIM_MS = 1000;

/**
 * Periodic ticks (redundancy planning, cleanups, refreshes). A tick never overlaps itself: a
 * timer firing while the previous run is still going is skipped. Tests call runNow() instead of
 * waiting for timers.
 */
export function createScheduler(options: { clock: Clock; logger: Logger; gate?: TickGate }): Scheduler {
  const { clock, gate } = options;
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

  /** A cluster tick's run on the timer: claimed through the gate first, its hold renewed while it runs. */
  function runGated(tick: Tick): Promise<TickOutcome | { name: string; status: 'skipped' }> {
    if (!gate || tick.scope === 'node') return run(tick);
    if (tick.gated) return tick.gated;
    if (tick.current) return tick.current; // a runNow() in progress: join it
    const intervalMs = tick.schedule.type === 'every' ? tick.schedule.intervalMs : CRON_CLAIM_MS;
    const gated = (async (): Promise<TickOutcome | { name: string; status: 'skipped' }> => {
      let claimed: boolean;
      try {
        claimed = await gate.claim(tick.name, clock.now(), intervalMs);
      } catch (err) {
        logger.warn({ err, tick: tick.name }, 'claiming a cluster tick failed; skipping this run');
        return { name: tick.name, status: 'skipped' };
      }
      if (!claimed) {
        logger.debug({ tick: tick.name }, 'another node runs this tick');
        return { name: tick.name, status: 'skipped' };
      }
      const renewal = setInterval(() => {
        gate.renew(tick.name, clock.now()).catch((err: unknown) => logger.warn({ err, tick: tick.name }, 'renewing a cluster tick failed'));
      }, gate.renewEveryMs);
      try {
        return await run(tick);
      } finally {
        clearInterval(renewal);
        await gate.finish(tick.name, clock.now()).catch((err: unknown) => logger.warn({ err, tick: tick.name }, 'releasing a cluster tick failed'));
      }
    })().finally(() => {
      tick.gated = undefined;
    });
    tick.gated = gated;
    return gated;
  }

  function arm(tick: Tick): void {
    const fire = () => {
      if (tick.current || tick.gated) {
        logger.debug({ tick: tick.name }, 'tick still running; skipping this run');
        return;
      }
      void runGated(tick);
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
    every(name, intervalMs, fn, tickOptions) {
      if (!(intervalMs > 0)) throw new RangeError(`scheduler: tick "${name}" needs a positive interval`);
      register({ name, fn, scope: tickOptions?.scope ?? 'cluster', schedule: { type: 'every', intervalMs }, timer: undefined, task: undefined, current: undefined, gated: undefined });
    },

    cron(name, expression, fn, cronOptions) {
      if (!validate(expression)) throw new Error(`scheduler: tick "${name}" has an invalid cron expression "${expression}"`);
      register({
        name,
        fn,
        scope: cronOptions?.scope ?? 'cluster',
        schedule: { type: 'cron', expression, timezone: cronOptions?.timezone },
        timer: undefined,
        task: undefined,
        current: undefined,
        gated: undefined,
      });
    },

    runScheduled(name) {
      const tick = ticks.get(name);
      if (!tick) return Promise.reject(new Error(`scheduler: no tick named "${name}"`));
      if (lifecycle === 'stopped') return Promise.reject(new Error('scheduler: stopped'));
      return runGated(tick);
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
      const runs = [...ticks.values()].flatMap((tick) => [tick.current, tick.gated].filter((run) => run !== undefined));
      if (runs.length === 0) return;
      const drained = await settlesWithin(Promise.allSettled(runs), stopOptions?.deadlineMs ?? 10_000);
      if (!drained) {
        logger.warn('ticks still running at the stop deadline; aborting them');
        controller.abort(new Error('scheduler stopping'));
      }
    },
  };
}
