import { describe, expect, it } from 'vitest';
import {
  admitAttempt,
  describeHost,
  hostAfterAttempt,
  pauseDurationMs,
  type AttemptResult,
  type HostPatch,
  type HostState,
  type PausePolicy,
} from '../../../src/federation/delivery/index.js';

const MIN = 60_000;
const policy: PausePolicy = { threshold: 5, baseMs: MIN, maxMs: 60 * MIN, probeHoldMs: 15_000 };
const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const healthy: HostState = { blocked: false, consecutiveFailures: 0, pausedUntil: null, lastError: null, lastSuccessAt: null };
const down503: AttemptResult = { type: 'unavailable', status: 503, retryAfterMs: undefined, detail: 'HTTP 503' };
const refused: AttemptResult = { type: 'unavailable', status: undefined, retryAfterMs: undefined, detail: 'network error: ECONNREFUSED' };
const ok: AttemptResult = { type: 'delivered', status: 202 };

const apply = (state: HostState, patch: HostPatch): HostState => ({ ...state, ...patch });

describe('pauseDurationMs', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, MIN],
    [6, 2 * MIN],
    [7, 4 * MIN],
    [10, 32 * MIN],
    [11, 60 * MIN],
    [12, 60 * MIN],
    [5000, 60 * MIN],
  ])('after %i consecutive failures pauses %i ms', (failures, expected) => {
    expect(pauseDurationMs(failures, policy)).toBe(expected);
  });
});

describe('admitAttempt', () => {
  it('opens a healthy or failing host', () => {
    expect(admitAttempt(healthy, T0, policy)).toEqual({ type: 'open' });
    expect(admitAttempt({ ...healthy, consecutiveFailures: 4 }, T0, policy)).toEqual({ type: 'open' });
  });

  it('refuses a blocked host, even a healthy one', () => {
    expect(admitAttempt({ ...healthy, blocked: true }, T0, policy)).toEqual({ type: 'blocked' });
  });

  it('keeps a paused host closed until its pause ends', () => {
    const paused = { ...healthy, consecutiveFailures: 5, pausedUntil: at(MIN) };
    expect(admitAttempt(paused, at(MIN - 1), policy)).toEqual({ type: 'paused', until: at(MIN) });
  });

  it('lets one probe through when the pause ends, and holds the others', () => {
    const paused = { ...healthy, consecutiveFailures: 5, pausedUntil: at(MIN) };
    const first = admitAttempt(paused, at(MIN), policy);
    expect(first).toEqual({ type: 'probe', patch: { pausedUntil: at(MIN + 15_000) } });
    const afterClaim = apply(paused, first.type === 'probe' ? first.patch : {});
    expect(admitAttempt(afterClaim, at(MIN + 1), policy)).toEqual({ type: 'paused', until: at(MIN + 15_000) });
  });

  it('honours a Retry-After pause of a host below the threshold', () => {
    expect(admitAttempt({ ...healthy, pausedUntil: at(30_000) }, T0, policy)).toEqual({ type: 'paused', until: at(30_000) });
    expect(admitAttempt({ ...healthy, pausedUntil: at(30_000) }, at(30_000), policy)).toEqual({ type: 'open' });
  });
});

describe('hostAfterAttempt', () => {
  it('pauses a host after 5 consecutive failures, not before', () => {
    let state = healthy;
    for (let i = 1; i <= 4; i++) {
      state = apply(state, hostAfterAttempt(state, down503, { probe: false }, T0, policy));
      expect(state).toMatchObject({ consecutiveFailures: i, pausedUntil: null, lastError: 'HTTP 503' });
    }
    state = apply(state, hostAfterAttempt(state, refused, { probe: false }, T0, policy));
    expect(state).toMatchObject({ consecutiveFailures: 5, pausedUntil: at(MIN), lastError: 'network error: ECONNREFUSED' });
  });

  it('does not count failures of requests that were in flight when the host got paused', () => {
    const paused = { ...healthy, consecutiveFailures: 5, pausedUntil: at(MIN) };
    const patch = hostAfterAttempt(paused, down503, { probe: false }, at(1000), policy);
    expect(patch).toEqual({ pausedUntil: at(MIN), lastError: 'HTTP 503' });
  });

  it('doubles the pause with each failed probe, up to an hour', () => {
    let state: HostState = { ...healthy, consecutiveFailures: 5, pausedUntil: at(MIN) };
    let now = MIN;
    const pauses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const admission = admitAttempt(state, at(now), policy);
      expect(admission.type).toBe('probe');
      if (admission.type === 'probe') state = apply(state, admission.patch);
      state = apply(state, hostAfterAttempt(state, refused, { probe: true }, at(now), policy));
      const pause = state.pausedUntil!.getTime() - at(now).getTime();
      pauses.push(pause / MIN);
      now += pause;
    }
    expect(pauses).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
    expect(state.consecutiveFailures).toBe(13);
  });

  it('resets a host on one success: failures, pause, last success', () => {
    const tripped: HostState = { ...healthy, consecutiveFailures: 9, pausedUntil: at(15_000), lastError: 'HTTP 502' };
    expect(hostAfterAttempt(tripped, ok, { probe: true }, T0, policy)).toEqual({ consecutiveFailures: 0, lastSuccessAt: T0, pausedUntil: null });
    // A request in flight since before the host tripped also proves it is back.
    expect(hostAfterAttempt(tripped, ok, { probe: false }, T0, policy)).toEqual({ consecutiveFailures: 0, lastSuccessAt: T0, pausedUntil: null });
    expect(hostAfterAttempt({ ...healthy, consecutiveFailures: 3 }, ok, { probe: false }, T0, policy)).toEqual({
      consecutiveFailures: 0,
      lastSuccessAt: T0,
    });
  });

  it('counts a refusal (4xx) as the host being up', () => {
    const rejected: AttemptResult = { type: 'rejected', status: 403, detail: 'HTTP 403' };
    expect(hostAfterAttempt({ ...healthy, consecutiveFailures: 3 }, rejected, { probe: false }, T0, policy)).toEqual({
      consecutiveFailures: 0,
      lastError: 'HTTP 403',
    });
  });

  it('pauses the host for a Retry-After without counting a 429 as a failure', () => {
    const throttled: AttemptResult = { type: 'throttled', status: 429, retryAfterMs: 90_000, detail: 'HTTP 429' };
    expect(hostAfterAttempt({ ...healthy, consecutiveFailures: 2 }, throttled, { probe: false }, T0, policy)).toEqual({
      consecutiveFailures: 0,
      pausedUntil: at(90_000),
      lastError: 'HTTP 429',
    });
    const noHint: AttemptResult = { type: 'throttled', status: 429, retryAfterMs: undefined, detail: 'HTTP 429' };
    expect(hostAfterAttempt(healthy, noHint, { probe: false }, T0, policy)).toMatchObject({ pausedUntil: null });
  });

  it('takes the longer of the failure pause and a 503 Retry-After', () => {
    const longHint: AttemptResult = { ...down503, retryAfterMs: 10 * MIN };
    expect(hostAfterAttempt({ ...healthy, consecutiveFailures: 4 }, longHint, { probe: false }, T0, policy)).toMatchObject({
      consecutiveFailures: 5,
      pausedUntil: at(10 * MIN),
    });
    expect(hostAfterAttempt(healthy, longHint, { probe: false }, T0, policy)).toMatchObject({ consecutiveFailures: 1, pausedUntil: at(10 * MIN) });
  });
});

describe('describeHost', () => {
  const row = (state: Partial<HostState>) => ({ host: 'a.example', ...healthy, ...state });
  it.each([
    [{}, 'healthy'],
    [{ consecutiveFailures: 2 }, 'failing'],
    [{ consecutiveFailures: 5, pausedUntil: at(MIN) }, 'paused'],
    // Its pause is over but no probe has succeeded yet.
    [{ consecutiveFailures: 5, pausedUntil: at(-1) }, 'paused'],
    [{ pausedUntil: at(MIN) }, 'paused'],
    [{ pausedUntil: at(-MIN) }, 'healthy'],
    [{ blocked: true, consecutiveFailures: 7 }, 'blocked'],
  ] as const)('%j is %s', (state, expected) => {
    expect(describeHost(row(state), T0, 5).state).toBe(expected);
  });
});
