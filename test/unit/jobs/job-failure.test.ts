import { describe, expect, it } from 'vitest';
import { PermanentJobError, isJobFailure, jobFailure } from '../../../src/jobs/index.js';

describe('job failures', () => {
  it('recognises the typed failure value and nothing else', () => {
    expect(isJobFailure(jobFailure('video deleted'))).toBe(true);
    expect(jobFailure('video deleted').reason).toBe('video deleted');
    for (const value of [undefined, null, 'failed', { reason: 'x' }, { ok: false }, 0]) {
      expect(isJobFailure(value)).toBe(false);
    }
  });

  it('PermanentJobError is an Error with its own name and cause', () => {
    const cause = new Error('410 Gone');
    const error = new PermanentJobError('remote object deleted', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PermanentJobError');
    expect(error.cause).toBe(cause);
  });
});
