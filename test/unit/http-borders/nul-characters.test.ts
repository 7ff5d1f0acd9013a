import { describe, expect, it } from 'vitest';
import { findNulCharacter } from '../../../src/http/nul-characters.js';

describe('findNulCharacter', () => {
  it.each([
    [{ name: 'ok', tags: ['a', 'b'] }, null],
    [{ name: 'a\u0000b' }, 'name'],
    [{ tags: ['a', 'b\u0000'] }, 'tags[1]'],
    [{ deep: { ['k\u0000']: 1 } }, 'deep.k\u0000'],
    ['\u0000', 'value'],
    [42, null],
  ])('%j → %s', (input, expected) => {
    expect(findNulCharacter(input)).toBe(expected);
  });

  it('walks deep nesting without overflowing the stack', () => {
    let v: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) v = [v];
    expect(findNulCharacter(v, 1_000_000)).toMatch(/^\[0\]/);
  });
});
