import { describe, expect, it } from 'vitest';
import { refuseUnstorable } from '../../../src/http/middleware.js';
import { Problem } from '../../../src/http/problem.js';
import { findUnstorableText, storableJson, storableText } from '../../../src/lib/unstorable-text.js';

describe('findUnstorableText', () => {
  it.each([
    [{ name: 'ok', tags: ['a', 'b'], emoji: '\ud83d\ude00' }, undefined],
    [{ name: 'a\u0000b' }, { path: '$.name', problem: 'nul-character' }],
    [{ tags: ['a', 'b\u0000'] }, { path: '$.tags[1]', problem: 'nul-character' }],
    [{ deep: { ['k\u0000']: 1 } }, { path: '$.deep', problem: 'nul-character' }],
    [{ filename: 'clip\ud800.mp4' }, { path: '$.filename', problem: 'lone-surrogate' }],
    [{ a: 'x\udfffy' }, { path: '$.a', problem: 'lone-surrogate' }],
    ['\u0000', { path: '$', problem: 'nul-character' }],
    [42, undefined],
  ])('%j → %j', (input, expected) => {
    expect(findUnstorableText(input)).toEqual(expected);
  });

  it('reports the first string in document order', () => {
    expect(findUnstorableText({ a: ['ok', '\ud800'], b: '\u0000' })).toEqual({ path: '$.a[1]', problem: 'lone-surrogate' });
  });

  it('walks deep nesting without overflowing the stack', () => {
    let v: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) v = [v];
    expect(findUnstorableText(v)?.path).toMatch(/^\$\[0\]/);
  });
});

describe('refuseUnstorable', () => {
  it('throws a 400 naming the field, for NUL characters and lone surrogates', () => {
    const refusal = (input: unknown): Problem | undefined => {
      try {
        refuseUnstorable(input, 'video metadata');
        return undefined;
      } catch (err) {
        return err as Problem;
      }
    };
    expect(refusal({ name: 'fine' })).toBeUndefined();
    const nul = refusal({ name: 'a\u0000' });
    expect(nul).toBeInstanceOf(Problem);
    expect(nul?.status).toBe(400);
    expect(nul?.detail).toBe('invalid video metadata: name: must not contain NUL characters');
    expect(refusal({ tags: ['\ud83d'] })?.detail).toBe('invalid video metadata: tags[0]: must not contain lone UTF-16 surrogates');
    expect(refusal('\u0000')?.detail).toBe('invalid video metadata: video metadata: must not contain NUL characters');
  });
});

describe('storableJson / storableText', () => {
  it('replaces NUL characters and lone surrogates (values and keys) by U+FFFD and keeps the rest', () => {
    expect(storableText('a\u0000b\ud800c\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ud83d\ude00');
    const input = { ['k\u0000']: ['x\udfff', 1, null, { e: '🎥' }] };
    expect(storableJson(input)).toEqual({ ['k\ufffd']: ['x\ufffd', 1, null, { e: '🎥' }] });
    const clean = { a: ['b'] };
    expect(storableJson(clean)).toBe(clean);
  });

  it('gives what JSON.stringify writes and PostgreSQL accepts (no \\u0000, no lone \\udXXX escape)', () => {
    const text = JSON.stringify(storableJson({ m: 'HTTP 500: \u0000\ud800'.repeat(3) }));
    expect(text).not.toMatch(/\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|\\ud[c-f][0-9a-f]{2}/i);
  });
});
