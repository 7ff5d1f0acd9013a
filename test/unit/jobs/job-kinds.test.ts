import { describe, expect, expectTypeOf, it } from 'vitest';
import { pino } from 'pino';
import { createJobQueue, type EnqueueResult } from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import type { PrismaClient } from '../../../src/generated/prisma/client.js';

type Kinds = {
  'video-transcoding': { videoUUID: string; resolution: number };
  email: { to: string };
};

describe('job kinds typing', () => {
  it('type-checks enqueue against the declared kinds (checked by tsc)', () => {
    const queue = createJobQueue<Kinds>({
      prisma: {} as PrismaClient,
      clock: createManualClock(),
      logger: pino({ level: 'silent' }),
      workerId: 'w',
      pollIntervalMs: 1000,
      leaseMs: 30_000,
      handlers: {
        'video-transcoding': {
          concurrency: 1,
          run: async (payload) => {
            expectTypeOf(payload).toEqualTypeOf<Kinds['video-transcoding']>();
            return { resolution: payload.resolution };
          },
        },
        email: { concurrency: 2, run: async (payload) => payload.to },
      },
    });
    // Never called: these lines are here for the compiler.
    const neverRun = () => {
      expectTypeOf(queue.enqueue('email', { to: 'a@b' })).toEqualTypeOf<Promise<EnqueueResult>>();
      void queue.enqueue('video-transcoding', { videoUUID: 'u', resolution: 720 }, { priority: 1 });
      // @ts-expect-error unknown kind
      void queue.enqueue('nope', {});
      // @ts-expect-error payload of another kind
      void queue.enqueue('email', { videoUUID: 'u', resolution: 720 });
    };
    expect(typeof neverRun).toBe('function');
  });

  it('requires a handler for every kind', () => {
    const make = () =>
      createJobQueue<Kinds>({
        prisma: {} as PrismaClient,
        clock: createManualClock(),
        logger: pino({ level: 'silent' }),
        workerId: 'w',
        pollIntervalMs: 1000,
        leaseMs: 30_000,
        // @ts-expect-error the email handler is missing
        handlers: { 'video-transcoding': { concurrency: 1, run: async () => undefined } },
      });
    expect(make).not.toThrow();
  });

  it('rejects invalid settings', () => {
    const base = {
      prisma: {} as PrismaClient,
      clock: createManualClock(),
      logger: pino({ level: 'silent' }),
      workerId: 'w',
      pollIntervalMs: 1000,
    };
    expect(() => createJobQueue({ ...base, leaseMs: 0, handlers: {} })).toThrow(RangeError);
    expect(() => createJobQueue({ ...base, leaseMs: 1000, heartbeatMs: 1000, handlers: {} })).toThrow(RangeError);
    expect(() =>
      createJobQueue<{ a: null }>({ ...base, leaseMs: 1000, handlers: { a: { concurrency: 1.5, run: async () => null } } }),
    ).toThrow(/concurrency/);
  });
});
