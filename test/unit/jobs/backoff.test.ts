import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextRunAt } from '../../../src/jobs/index.js';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [5000, 60_000],
  ])('after %i failed attempts waits %i ms', (attempts, expected) => {
    expect(backoffDelayMs(attempts, policy)).toBe(expected);
  });

  it('treats 0 or fewer attempts like the first', () => {
    expect(backoffDelayMs(0, policy)).toBe(1000);
    expect(backoffDelayMs(-3, policy)).toBe(1000);
  });

  it('never exceeds the cap even when the base is above it', () => {
    expect(backoffDelayMs(1, { baseMs: 10_000, maxMs: 5000 })).toBe(5000);
  });

  it('nextRunAt adds the delay to now', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(nextRunAt(now, 3, policy).toISOString()).toBe('2026-01-01T00:00:04.000Z');
  });
});
