import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/http/static/index.js';
import type { RangeDecision } from '../../../src/http/static/index.js';

describe('parseRange', () => {
  const table: Array<[string | undefined, number, RangeDecision]> = [
    [undefined, 100, { type: 'full' }],
    ['bytes=0-9', 100, { type: 'partial', start: 0, end: 9 }],
    ['bytes=10-', 100, { type: 'partial', start: 10, end: 99 }],
    ['bytes=-10', 100, { type: 'partial', start: 90, end: 99 }],
    ['bytes=-1000', 100, { type: 'partial', start: 0, end: 99 }],
    ['bytes=90-1000', 100, { type: 'partial', start: 90, end: 99 }],
    ['bytes=99-99', 100, { type: 'partial', start: 99, end: 99 }],
    ['bytes=0-0', 1, { type: 'partial', start: 0, end: 0 }],
    [' bytes=0-9 ', 100, { type: 'partial', start: 0, end: 9 }],
    ['bytes=100-', 100, { type: 'unsatisfiable' }],
    ['bytes=100-200', 100, { type: 'unsatisfiable' }],
    ['bytes=-0', 100, { type: 'unsatisfiable' }],
    ['bytes=0-', 0, { type: 'unsatisfiable' }],
    ['bytes=-5', 0, { type: 'unsatisfiable' }],
    ['bytes=99999999999999999999-', 100, { type: 'unsatisfiable' }],
    ['bytes=9-0', 100, { type: 'full' }],
    ['bytes=0-1,5-6', 100, { type: 'full' }],
    ['bytes=-', 100, { type: 'full' }],
    ['bytes=a-b', 100, { type: 'full' }],
    ['items=0-9', 100, { type: 'full' }],
    ['bytes 0-9', 100, { type: 'full' }],
    ['', 100, { type: 'full' }],
  ];

  it.each(table)('%j of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
