/**
 * Step 7 of planRedundancy: a ready copy whose origin changed its HLS file set since the copy was
 * made (a resolution added, the master playlist renamed, files replaced) is refreshed: the mirror
 * downloads what changed, verifies it, swaps the copy in place and announces it again.
 */
import type { SnapshotIndex } from './snapshot-index.js';
import type { CurrentCopy, Decision } from './types.js';

export type RefreshDecision = Extract<Decision, { type: 'refresh' }>;

/**
 * Copies (kept or manual, `ready`, not evicted by this plan) whose candidate reports a file set
 * other than the one the copy was made from. Unknown file sets (either side) refresh nothing; a
 * video that is not published again yet waits (its files are still changing).
 */
export function refreshStaleCopies(copies: readonly CurrentCopy[], index: SnapshotIndex, evicted: ReadonlySet<number>): RefreshDecision[] {
  const out: RefreshDecision[] = [];
  for (const copy of [...copies].sort((a, b) => a.videoId - b.videoId)) {
    if (copy.state !== 'ready' || evicted.has(copy.videoId)) continue;
    const c = index.candidateById.get(copy.videoId);
    if (!c || !c.published || !c.hasHls || c.fileSet === undefined || copy.fileSet == null) continue;
    if (c.fileSet === copy.fileSet) continue;
    out.push({
      type: 'refresh',
      videoId: copy.videoId,
      budget: copy.manual ? 'manual' : copy.budget,
      reason: `the origin's HLS files changed since the copy was made (file set ${copy.fileSet.slice(0, 12)} → ${c.fileSet.slice(0, 12)})`,
    });
  }
  return out;
}
