import { describe, expect, it } from 'vitest';
import { completed, failedForGood, jobFailure, PermanentJobError, retryLater, skipped } from '../../../src/jobs/index.js';
import { storedResult } from '../../../src/jobs/job-outcome.js';

describe('job outcomes', () => {
  it('jobFailure is the failed-for-good outcome', () => {
    expect(jobFailure('video deleted')).toEqual({ type: 'failed', error: 'video deleted' });
    expect(failedForGood('x')).toEqual(jobFailure('x'));
    expect(retryLater('503')).toEqual({ type: 'retry', error: '503' });
  });

  it('stores a completed result as is, and a skip as { skipped: reason } (the rows keep their shape)', () => {
    expect(storedResult(completed({ bytes: 3 }))).toEqual({ bytes: 3 });
    expect(completed()).toEqual({ type: 'completed' });
    expect(storedResult(skipped('video deleted'))).toEqual({ skipped: 'video deleted' });
  });

  it('PermanentJobError is an Error with its own name and cause', () => {
    const cause = new Error('410 Gone');
    const error = new PermanentJobError('remote object deleted', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PermanentJobError');
    expect(error.cause).toBe(cause);
  });
});
