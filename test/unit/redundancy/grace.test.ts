import { describe, expect, it } from 'vitest';
import { planGracePurges, type GraceCopy } from '../../../src/redundancy/planner/grace.js';

const g = (videoId: number, sizeBytes: number, graceUntil: number): GraceCopy => ({ videoId, sizeBytes, graceUntil });

describe('grace copies: which to delete', () => {
  it('expired ones go; re-added ones are kept whatever their grace', () => {
    expect(planGracePurges({ now: 100, grace: [g(1, 10, 50), g(2, 10, 150), g(3, 10, 99)], reAdded: new Set([3]), totalSizeBytes: null, totalAfterPlan: 0 })).toEqual([{ videoId: 1, reason: 'grace period over' }]);
  });

  it('under total_size they still count, and the soonest-expiring go first when space is needed', () => {
    const grace = [g(1, 30, 500), g(2, 30, 200), g(3, 30, 300)];
    // 50 kept/added + 90 in grace = 140 > 100: 2 (soonest) then nothing more (110 > 100: 3 too)
    expect(planGracePurges({ now: 0, grace, reAdded: new Set(), totalSizeBytes: 100, totalAfterPlan: 50 }).map((p) => p.videoId)).toEqual([2, 3]);
    expect(planGracePurges({ now: 0, grace, reAdded: new Set(), totalSizeBytes: 140, totalAfterPlan: 50 })).toEqual([]);
    expect(planGracePurges({ now: 0, grace, reAdded: new Set([2]), totalSizeBytes: 100, totalAfterPlan: 50 }).map((p) => p.videoId)).toEqual([3]);
  });
});
