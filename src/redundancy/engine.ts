import { createAnnouncements } from './announcements.js';
import { createCopyLifecycle } from './copy-lifecycle.js';
import { createCopyReport } from './copy-report.js';
import { createCopyVerification } from './copy-verification.js';
import type { EngineContext, RedundancyEngineDeps } from './engine-deps.js';
import { createManualCopies } from './manual-copies.js';
import { createMirrorJob } from './mirror-job.js';
import { createPlanningRound } from './planning-round.js';

export { MIRROR_JOB, type MirrorJobKinds, type MirrorPort, type RedundancyEngineMetrics, type RedundancyEngineDeps } from './engine-deps.js';

/**
 * The mirror side of redundancy: each tick takes a snapshot (remote catalogue, our copies, policy,
 * now), asks the pure planner what to add, renew and evict, and carries the decisions out: a copy
 * row + a durable mirror job per addition (download, verify, atomic move, then Create CacheFile to
 * the origin), Update CacheFile per renewal, Undo CacheFile + deletion per eviction.
 * Its phases: planning-round.ts, mirror-job.ts, copy-lifecycle.ts (renew, evict, plan a copy),
 * copy-verification.ts, manual-copies.ts; announcements.ts commits a change with its CacheFile.
 */
export function createRedundancyEngine(deps: RedundancyEngineDeps) {
  // deps is passed on as is: its `policy` is a getter read at each round
  const ctx: EngineContext = { deps, log: deps.logger.child({ component: 'redundancy' }) };
  const announcements = createAnnouncements(ctx);
  const reportCopies = createCopyReport(ctx);
  const lifecycle = createCopyLifecycle(ctx, announcements);
  const round = createPlanningRound(ctx, lifecycle, reportCopies);
  const verification = createCopyVerification(ctx, lifecycle, reportCopies);
  const manual = createManualCopies(ctx, lifecycle, reportCopies);

  return {
    mirrorJob: createMirrorJob(ctx, announcements, reportCopies),
    snapshot: round.snapshot,
    /** One planning round: snapshot → plan → decisions carried out. */
    tick: round.tick,
    /** Disallowing a host (or unfollowing it) removes our copies of it at once. */
    hostPolicyChanged: round.hostPolicyChanged,
    /** Re-verifies our stored copies; a copy that fails is withdrawn and deleted. */
    verifyCopies: verification.verifyCopies,
    /** Re-verifies one active copy (console action). */
    verifyCopy: verification.verifyCopy,
    /** After a crash: work folders and unknown copies go; planned or interrupted copies resume through their jobs. */
    cleanup: verification.cleanup,
    addManual: manual.addManual,
    evict: manual.evict,
  };
}

export type RedundancyEngine = ReturnType<typeof createRedundancyEngine>;
