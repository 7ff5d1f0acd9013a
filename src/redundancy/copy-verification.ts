import type { CopyLifecycle } from './copy-lifecycle.js';
import type { EngineContext } from './engine-deps.js';

/** Verification of our stored copies, and the start-up check after a crash. */
export function createCopyVerification({ deps }: EngineContext, lifecycle: CopyLifecycle, reportCopies: () => Promise<void>) {
  const { copies } = deps;
  return {
    /** Re-verifies our stored copies; a copy that fails is withdrawn and deleted. */
    async verifyCopies(): Promise<{ verified: number; failed: number }> {
      const rows = (await copies.list()).filter((r) => r.state === 'active');
      let failed = 0;
      for (const row of rows) {
        const verdict = await deps.mirror.verify(row.videoUuid);
        if (verdict.ok) {
          await copies.update(row.id, { lastVerifiedAt: deps.clock.now() });
          continue;
        }
        failed++;
        deps.metrics?.failure('verify');
        await lifecycle.evict(row, `stored copy failed verification: ${verdict.message}`);
      }
      await reportCopies();
      return { verified: rows.length - failed, failed };
    },

    /** Re-verifies one active copy (the console's action); a copy that fails is withdrawn and deleted. */
    async verifyCopy(id: number): Promise<{ ok: true } | { ok: false; status: 404 | 409 | 422; message: string }> {
      const row = await copies.find(id);
      if (!row) return { ok: false, status: 404, message: 'Video redundancy not found' };
      if (row.state !== 'active') return { ok: false, status: 409, message: `only an active copy can be verified (this one is ${row.state})` };
      const verdict = await deps.mirror.verify(row.videoUuid);
      if (verdict.ok) {
        await copies.update(row.id, { lastVerifiedAt: deps.clock.now() });
        return { ok: true };
      }
      deps.metrics?.failure('verify');
      await lifecycle.evict(row, `stored copy failed verification: ${verdict.message}`);
      await reportCopies();
      return { ok: false, status: 422, message: `the copy failed verification and was removed: ${verdict.message}` };
    },

    /** After a crash: work folders and unknown copies go; planned or interrupted copies resume through their jobs. */
    async cleanup(): Promise<void> {
      const rows = (await copies.list()).filter((r) => r.state !== 'failed');
      const unfinished = rows.filter((r) => r.state !== 'active' && r.state !== 'grace');
      // partial downloads of unfinished copies stay: their jobs resume them with Range; a copy
      // already moved into place (a crash before its row became active) stays too: its job checks it
      await deps.mirror.cleanup(new Set(rows.map((r) => r.videoUuid)), new Set(unfinished.map((r) => r.videoUuid)));
      for (const r of unfinished) await deps.enqueueMirror(r.id);
    },
  };
}
