import { describe, expect, it } from 'vitest';
import { classifyResponse, classifyTransportFailure, parseRetryAfter } from '../../../src/federation/delivery/index.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const HOUR = 3600_000;

describe('classifyResponse', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [301, 'rejected'],
    [307, 'rejected'],
    [400, 'rejected'],
    [401, 'rejected'],
    [403, 'rejected'],
    [404, 'rejected'],
    [410, 'rejected'],
    [413, 'rejected'],
    [422, 'rejected'],
    [408, 'unavailable'],
    [429, 'throttled'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [599, 'unavailable'],
  ] as const)('HTTP %i is %s', (status, type) => {
    expect(classifyResponse({ status, retryAfter: undefined }, NOW, HOUR).type).toBe(type);
  });

  it('keeps a Retry-After on 429 and 503, capped', () => {
    expect(classifyResponse({ status: 429, retryAfter: '120' }, NOW, HOUR)).toMatchObject({ type: 'throttled', retryAfterMs: 120_000 });
    expect(classifyResponse({ status: 503, retryAfter: 'Fri, 01 May 2026 10:05:00 GMT' }, NOW, HOUR)).toMatchObject({
      type: 'unavailable',
      retryAfterMs: 300_000,
    });
    expect(classifyResponse({ status: 503, retryAfter: '86400' }, NOW, HOUR)).toMatchObject({ retryAfterMs: HOUR });
  });

  it('puts the status and the start of the answer in the detail', () => {
    const result = classifyResponse({ status: 403, retryAfter: undefined, bodySnippet: '{"error":\n  "blocked"}' }, NOW, HOUR);
    expect(result).toEqual({ type: 'rejected', status: 403, detail: 'HTTP 403: {"error": "blocked"}' });
  });

  it('keeps nothing of the answer that PostgreSQL cannot store (the detail becomes a last error)', () => {
    const nul = classifyResponse({ status: 400, retryAfter: undefined, bodySnippet: 'bad\u0000 body' }, NOW, HOUR);
    expect(nul).toMatchObject({ detail: 'HTTP 400: bad\ufffd body' });
    // the cut at 300 characters falls inside a surrogate pair
    const cut = classifyResponse({ status: 400, retryAfter: undefined, bodySnippet: `${'x'.repeat(299)}\ud83d\ude00` }, NOW, HOUR);
    expect(cut).toMatchObject({ detail: `HTTP 400: ${'x'.repeat(299)}\ufffd` });
  });
});

describe('classifyTransportFailure', () => {
  it('makes time-outs and network errors retryable', () => {
    expect(classifyTransportFailure({ type: 'timeout', detail: 'no answer within 10000 ms' })).toEqual({
      type: 'unavailable',
      status: undefined,
      retryAfterMs: undefined,
      detail: 'time-out: no answer within 10000 ms',
    });
    expect(classifyTransportFailure({ type: 'network', detail: 'ECONNREFUSED: connect' })).toMatchObject({
      type: 'unavailable',
      detail: 'network error: ECONNREFUSED: connect',
    });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['30', 30_000],
    [' 7 ', 7000],
    ['Fri, 01 May 2026 10:01:00 GMT', 60_000],
    ['Fri, 01 May 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['99999999999999999999', undefined],
  ])('%j gives %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
