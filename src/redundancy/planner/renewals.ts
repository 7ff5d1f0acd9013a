/**
 * Step 6 of planRedundancy: kept copies in the last part of their lifetime are renewed (see
 * "Renewing" in ./index.ts).
 */
import { rankText, type Budget } from './budgets.js';
import { formatDuration } from './format.js';
import type { Decision } from './types.js';

/** A copy is renewed once less than this fraction of its budget's min_lifetime remains. */
export const RENEWAL_WINDOW_FRACTION = 0.5;

export type RenewDecision = Extract<Decision, { type: 'renew' }>;

/** Renews, to `now + min_lifetime`, every ready kept copy inside its budget's renewal window. */
export function renewKeptCopies(budgets: readonly Budget[], evicted: ReadonlySet<number>, now: number): RenewDecision[] {
  const renewals: RenewDecision[] = [];
  for (const b of budgets) {
    const window = b.minLifetimeMs * RENEWAL_WINDOW_FRACTION;
    for (const copy of b.kept) {
      if (evicted.has(copy.videoId) || copy.state !== 'ready') continue;
      const left = copy.expiresAt === null ? -Infinity : copy.expiresAt - now;
      if (left > window) continue;
      const when =
        copy.expiresAt === null
          ? 'it had no expiry'
          : left > 0
            ? `it expires in ${formatDuration(left)}`
            : `it expired ${formatDuration(-left)} ago`;
      renewals.push({
        type: 'renew',
        videoId: copy.videoId,
        budget: b.id,
        expiresAt: now + b.minLifetimeMs,
        reason:
          `still qualifies for ${b.label} (${rankText(b, copy.videoId)}); ${when}, inside the renewal window ` +
          `(the last ${formatDuration(window)}, half of min_lifetime ${formatDuration(b.minLifetimeMs)})`,
      });
    }
  }
  return renewals;
}
