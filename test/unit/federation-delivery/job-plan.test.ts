import { describe, expect, it } from 'vitest';
import { planAfterAttempt, planBeforeAttempt, type AttemptResult, type DeliveryProgress } from '../../../src/federation/delivery/index.js';

const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 24 * 3600_000;
const progress = (p: Partial<DeliveryProgress> = {}): DeliveryProgress => ({
  priorAttempts: 0,
  jobAttempts: 1,
  maxAttempts: 8,
  expiresAt: at(7 * DAY),
  ...p,
});
const down: AttemptResult = { type: 'unavailable', status: 500, retryAfterMs: undefined, detail: 'HTTP 500' };

describe('planBeforeAttempt', () => {
  it('goes ahead on an open host or as the probe', () => {
    expect(planBeforeAttempt({ type: 'open' }, progress(), T0)).toBeNull();
    expect(planBeforeAttempt({ type: 'probe', patch: {} }, progress(), T0)).toBeNull();
  });

  it('skips a blocked host', () => {
    expect(planBeforeAttempt({ type: 'blocked' }, progress(), T0)).toEqual({ type: 'skip', reason: 'host-blocked' });
  });

  it('defers to the end of the pause without counting this attempt', () => {
    expect(planBeforeAttempt({ type: 'paused', until: at(60_000) }, progress({ priorAttempts: 2, jobAttempts: 3 }), T0)).toEqual({
      type: 'defer',
      until: at(60_000),
      priorAttempts: 4,
    });
  });

  it('gives up an expired delivery, and one whose host stays paused past its expiry', () => {
    expect(planBeforeAttempt({ type: 'open' }, progress({ expiresAt: T0 }), T0)).toMatchObject({ type: 'give-up' });
    expect(planBeforeAttempt({ type: 'paused', until: at(DAY) }, progress({ expiresAt: at(DAY - 1) }), T0)).toEqual({
      type: 'give-up',
      reason: `expired: not delivered by ${at(DAY - 1).toISOString()}`,
    });
  });
});

describe('planAfterAttempt', () => {
  const open = { probe: false, hostPausedUntil: null };

  it('completes a delivered job', () => {
    expect(planAfterAttempt({ type: 'delivered', status: 202 }, open, progress(), T0)).toEqual({ type: 'done' });
  });

  it('never retries a refusal', () => {
    expect(planAfterAttempt({ type: 'rejected', status: 404, detail: 'HTTP 404' }, open, progress(), T0)).toEqual({
      type: 'give-up',
      reason: 'the inbox refused the activity (HTTP 404)',
    });
  });

  it('retries a counted failure until the budget, counting earlier jobs of the delivery', () => {
    expect(planAfterAttempt(down, open, progress({ jobAttempts: 7 }), T0)).toEqual({ type: 'retry', reason: 'HTTP 500' });
    expect(planAfterAttempt(down, open, progress({ jobAttempts: 8 }), T0)).toEqual({ type: 'give-up', reason: 'gave up after 8 attempts (HTTP 500)' });
    expect(planAfterAttempt(down, open, progress({ priorAttempts: 5, jobAttempts: 3, maxAttempts: 8 }), T0)).toMatchObject({ type: 'give-up' });
    const throttled: AttemptResult = { type: 'throttled', status: 429, retryAfterMs: 1000, detail: 'HTTP 429' };
    expect(planAfterAttempt(throttled, { probe: false, hostPausedUntil: at(1000) }, progress(), T0)).toEqual({ type: 'retry', reason: 'HTTP 429' });
  });

  it('does not count a failed probe: the delivery waits for the longer pause', () => {
    expect(planAfterAttempt(down, { probe: true, hostPausedUntil: at(120_000) }, progress({ priorAttempts: 5, jobAttempts: 1 }), T0)).toEqual({
      type: 'defer',
      until: at(120_000),
      priorAttempts: 5,
    });
  });

  it('a failed probe on the last attempt of the budget still waits instead of giving up', () => {
    expect(planAfterAttempt(down, { probe: true, hostPausedUntil: at(60_000) }, progress({ priorAttempts: 7, jobAttempts: 1 }), T0)).toMatchObject({
      type: 'defer',
      priorAttempts: 7,
    });
  });
});
