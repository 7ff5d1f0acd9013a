import { describe, expect, expectTypeOf, it } from 'vitest';
import { pino } from 'pino';
import { completed, createJobQueue, type EnqueueResult, type JobStore } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';

type Kinds = {
  'video-transcoding': { videoUUID: string; resolution: number };
  email: { to: string };
};

const base = {
  store: {} as JobStore,
  clock: createManualClock(),
  logger: pino({ level: 'silent' }),
  workerId: 'w',
  pollIntervalMs: 1000,
  leaseMs: 30_000,
};

describe('job kinds typing', () => {
  it('type-checks register and enqueue against the declared kinds (checked by tsc)', () => {
    const queue = createJobQueue<Kinds>(base);
    queue.register('video-transcoding', {
      concurrency: 1,
      run: async (payload) => {
        expectTypeOf(payload).toEqualTypeOf<Kinds['video-transcoding']>();
        return completed({ resolution: payload.resolution });
      },
    });
    queue.register('email', { concurrency: 2, run: async (payload) => completed(payload.to) });
    // Never called: these lines are here for the compiler.
    const neverRun = () => {
      expectTypeOf(queue.enqueue('email', { to: 'a@b' })).toEqualTypeOf<Promise<EnqueueResult>>();
      void queue.enqueue('video-transcoding', { videoUUID: 'u', resolution: 720 }, { priority: 1 });
      // @ts-expect-error unknown kind
      void queue.enqueue('nope', {});
      // @ts-expect-error payload of another kind
      void queue.enqueue('email', { videoUUID: 'u', resolution: 720 });
      // @ts-expect-error a handler of another kind's payload
      queue.register('email', { concurrency: 1, run: async (payload: { videoUUID: string }) => completed(payload.videoUUID) });
      // @ts-expect-error a handler must say how the job ended
      queue.register('email', { concurrency: 1, run: async () => 'done' });
    };
    expect(typeof neverRun).toBe('function');
  });

  it('registering a kind twice, or after start, is a programming error', async () => {
    const queue = createJobQueue<Kinds>(base);
    queue.register('email', { concurrency: 1, run: async () => completed() });
    expect(() => queue.register('email', { concurrency: 1, run: async () => completed() })).toThrow(/twice/);
    await queue.stop();
    expect(() => queue.register('video-transcoding', { concurrency: 1, run: async () => completed() })).toThrow(/cannot register/);
  });

  it('rejects invalid settings', () => {
    expect(() => createJobQueue({ ...base, leaseMs: 0 })).toThrow(RangeError);
    expect(() => createJobQueue({ ...base, leaseMs: 1000, heartbeatMs: 1000 })).toThrow(RangeError);
    expect(() => createJobQueue<{ a: null }>(base).register('a', { concurrency: 1.5, run: async () => completed() })).toThrow(/concurrency/);
  });
});
