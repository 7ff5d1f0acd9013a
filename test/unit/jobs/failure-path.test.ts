import { describe, expect, it } from 'vitest';
import { runFailurePath } from '../../../src/jobs/failure-path.js';
import { completed, type JobHandler, type StoredJob } from '../../../src/jobs/index.js';
import { createLogger } from '../../../src/lib/logger.js';

const logger = createLogger({ level: 'silent' });
const job = (attempts: number) => ({ id: 1, kind: 'k', payload: { videoId: 3 }, attempts, maxAttempts: 3, priority: 0, dedupeKey: null, createdAt: new Date() }) as unknown as StoredJob;
const handler = (onFailed?: JobHandler<unknown>['onFailed']): JobHandler<unknown> => ({ concurrency: 1, run: async () => completed(), ...(onFailed ? { onFailed } : {}) });

describe('runFailurePath', () => {
  it('runs the handler failure path with the stored payload and the error', async () => {
    const seen: unknown[] = [];
    expect(await runFailurePath(handler(async (f) => void seen.push([f.payload, f.error, f.job.attempts])), job(4), 'gave up', logger)).toBe(true);
    expect(seen).toEqual([[{ videoId: 3 }, 'gave up', 4]]);
    expect(await runFailurePath(handler(), job(3), 'no path', logger)).toBe(true);
  });

  it('a failing path keeps the job for another try, a few times only', async () => {
    const failing = handler(async () => {
      throw new Error('database down');
    });
    expect(await runFailurePath(failing, job(3), 'e', logger)).toBe(false);
    expect(await runFailurePath(failing, job(6), 'e', logger)).toBe(false);
    expect(await runFailurePath(failing, job(7), 'e', logger)).toBe(true);
  });
});
