import type { AttemptResult } from './attempt-result.js';

/** A remote host's delivery health, as kept in its `RemoteServer` row. */
export interface HostState {
  readonly blocked: boolean;
  readonly consecutiveFailures: number;
  readonly pausedUntil: Date | null;
  readonly lastError: string | null;
  readonly lastSuccessAt: Date | null;
}

/** The fields a transition changes (absent: unchanged). */
export type HostPatch = {
  -readonly [F in 'consecutiveFailures' | 'pausedUntil' | 'lastError' | 'lastSuccessAt']?: HostState[F];
};

export interface PausePolicy {
  /** Consecutive failures after which the host is paused ("tripped"). */
  readonly threshold: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** How long a probe holds a tripped host whose pause ended (see {@link admitAttempt}). */
  readonly probeHoldMs: number;
}

/** Whether a delivery to this host may be attempted now. */
export type Admission =
  | { readonly type: 'blocked' }
  | { readonly type: 'paused'; readonly until: Date }
  | { readonly type: 'open' }
  /** The host looked dead and its pause is over: this attempt is the one probe; `patch` claims it. */
  | { readonly type: 'probe'; readonly patch: HostPatch };

const LAST_ERROR_MAX_CHARS = 1000;

/** A host with this many consecutive failures or more is judged down (deliveries wait for it). */
export function isTripped(state: Pick<HostState, 'consecutiveFailures'>, policy: Pick<PausePolicy, 'threshold'>): boolean {
  return state.consecutiveFailures >= policy.threshold;
}

/**
 * The pause that follows the `consecutiveFailures`-th failure: nothing below the threshold, then
 * base, 2·base, 4·base, … capped at max (1 min, 2, 4, … 60 min by default).
 */
export function pauseDurationMs(consecutiveFailures: number, policy: Pick<PausePolicy, 'threshold' | 'baseMs' | 'maxMs'>): number {
  if (consecutiveFailures < policy.threshold) return 0;
  const exponent = consecutiveFailures - policy.threshold;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/**
 * Decides whether to attempt a delivery now. Evaluated under the host row's lock, so of all the
 * deliveries waiting for a tripped host whose pause has ended, exactly one becomes the probe (its
 * patch pushes `pausedUntil` by the probe hold, so the others see the host paused again).
 */
export function admitAttempt(state: HostState, now: Date, policy: PausePolicy): Admission {
  if (state.blocked) return { type: 'blocked' };
  if (state.pausedUntil !== null && state.pausedUntil.getTime() > now.getTime()) return { type: 'paused', until: state.pausedUntil };
  if (isTripped(state, policy)) {
    return { type: 'probe', patch: { pausedUntil: new Date(now.getTime() + policy.probeHoldMs) } };
  }
  return { type: 'open' };
}

/**
 * The host's new state after an attempt, given the state read under lock at the end of the attempt.
 * - Any answer that shows the host is up (delivered, rejected, throttled) resets its failure count.
 * - An `unavailable` answer counts one failure, unless the host is already paused (by a concurrent
 *   attempt that tripped it, or a Retry-After): many requests in flight when a host dies count once
 *   per attempt up to the threshold, not all of them on top of the pause.
 * - A failed probe counts and pauses for twice as long as before (capped).
 * - A `Retry-After` (429 or 5xx) pauses the host at least that long: every delivery to it waits.
 */
export function hostAfterAttempt(
  state: HostState,
  result: AttemptResult,
  attempt: { readonly probe: boolean },
  now: Date,
  policy: PausePolicy,
): HostPatch {
  const nowMs = now.getTime();
  // The probe's own hold is not a pause to keep.
  const currentPause = attempt.probe ? null : state.pausedUntil;
  const pauseActive = currentPause !== null && currentPause.getTime() > nowMs;
  const until = (ms: number) => new Date(nowMs + ms);
  const latest = (a: Date | null, b: Date | null): Date | null => (a === null ? b : b === null ? a : a.getTime() >= b.getTime() ? a : b);

  switch (result.type) {
    case 'delivered':
    case 'rejected': {
      const patch: HostPatch = { consecutiveFailures: 0 };
      if (result.type === 'delivered') patch.lastSuccessAt = now;
      else patch.lastError = truncate(result.detail);
      // A host that had tripped is back: lift its pause. A Retry-After pause stays until it ends.
      if (attempt.probe || isTripped(state, policy)) patch.pausedUntil = null;
      return patch;
    }
    case 'throttled': {
      const retryAfter = result.retryAfterMs === undefined ? null : until(result.retryAfterMs);
      return { consecutiveFailures: 0, pausedUntil: latest(pauseActive ? currentPause : null, retryAfter), lastError: truncate(result.detail) };
    }
    case 'unavailable': {
      const retryAfter = result.retryAfterMs === undefined ? null : until(result.retryAfterMs);
      if (!attempt.probe && pauseActive) {
        return { pausedUntil: latest(currentPause, retryAfter), lastError: truncate(result.detail) };
      }
      const failures = state.consecutiveFailures + 1;
      const pause = pauseDurationMs(failures, policy);
      return {
        consecutiveFailures: failures,
        pausedUntil: latest(pause > 0 ? until(pause) : null, retryAfter),
        lastError: truncate(result.detail),
      };
    }
  }
}

function truncate(text: string): string {
  return text.length <= LAST_ERROR_MAX_CHARS ? text : `${text.slice(0, LAST_ERROR_MAX_CHARS)}…`;
}
