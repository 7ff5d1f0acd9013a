import { createManualClock } from '../../src/lib/clock.js';
import type { Timer } from '../../src/redundancy/mirror/token-bucket.js';

/** A manual clock and a timer whose waits move it at once (recorded in `waits`): time without sleeping. */
export function virtualTime(start = new Date('2025-01-01T00:00:00Z')) {
  const clock = createManualClock(start);
  const waits: number[] = [];
  const timer: Timer = {
    wait: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
  };
  return { clock, waits, timer };
}
