import { isTripped, type HostState } from './host-policy.js';

/**
 * How a remote host looks to delivery:
 * `healthy` (no recent failure), `failing` (failures below the pause threshold),
 * `paused` (deliveries wait until `pausedUntil`), `blocked` (an admin blocked it: nothing is sent).
 */
export type HostHealthState = 'healthy' | 'failing' | 'paused' | 'blocked';

export interface HostHealth {
  host: string;
  state: HostHealthState;
  consecutiveFailures: number;
  pausedUntil: Date | null;
  lastError: string | null;
  lastSuccessAt: Date | null;
}

/** The health of one host at `now`. A tripped host whose pause ended shows as paused until a probe succeeds. */
export function describeHost(row: HostState & { readonly host: string }, now: Date, threshold: number): HostHealth {
  const pausedNow = row.pausedUntil !== null && row.pausedUntil.getTime() > now.getTime();
  const state: HostHealthState = row.blocked
    ? 'blocked'
    : pausedNow || isTripped(row, { threshold })
      ? 'paused'
      : row.consecutiveFailures > 0
        ? 'failing'
        : 'healthy';
  return {
    host: row.host,
    state,
    consecutiveFailures: row.consecutiveFailures,
    pausedUntil: row.pausedUntil,
    lastError: row.lastError,
    lastSuccessAt: row.lastSuccessAt,
  };
}
