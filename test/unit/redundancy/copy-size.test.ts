import { describe, expect, it } from 'vitest';
import { copySizeEstimate } from '../../../src/redundancy/copy-size.js';

describe('copySizeEstimate', () => {
  it('is the media plus an allowance that covers what a real copy held beside it', () => {
    // a 6 s two-variant copy measured by the crash test: media 2,500,838 bytes, copy 2,506,691 on disk
    const media = [{ size: 2_200_000 }, { size: 300_838 }];
    const estimate = copySizeEstimate(media, 6);
    expect(estimate).toBeGreaterThanOrEqual(2_506_691);
    expect(estimate).toBeLessThan(2_500_838 * 1.02);
  });

  it('grows with duration and size, and stays a small fraction of large copies', () => {
    const oneHour = copySizeEstimate([{ size: 1e9 }, { size: 3e8 }], 3600);
    expect(oneHour).toBeGreaterThan(copySizeEstimate([{ size: 1e9 }, { size: 3e8 }], 60));
    expect(oneHour / 1.3e9).toBeLessThan(1.01);
    expect(copySizeEstimate([], 0)).toBe(4096);
  });
});
