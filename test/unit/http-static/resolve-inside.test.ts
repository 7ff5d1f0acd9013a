import { describe, expect, it } from 'vitest';
import { isInside, resolveInside } from '../../../src/http/static/index.js';
import type { PathRefusalType } from '../../../src/http/static/index.js';

const ROOT = '/srv/storage/hls';

describe('resolveInside', () => {
  it.each([
    ['master.m3u8', '/srv/storage/hls/master.m3u8'],
    ['0b7f/0b7f-720-fragmented.mp4', '/srv/storage/hls/0b7f/0b7f-720-fragmented.mp4'],
    ['a%20b.mp4', '/srv/storage/hls/a b.mp4'],
    ['caf%C3%A9.jpg', '/srv/storage/hls/café.jpg'],
    ['x..y.mp4', '/srv/storage/hls/x..y.mp4'],
    ['dir/a.b..', '/srv/storage/hls/dir/a.b..'],
  ])('accepts %s', (relative, expected) => {
    expect(resolveInside(ROOT, relative)).toEqual({ ok: true, path: expected });
  });

  const evil: Array<[string, PathRefusalType]> = [
    ['', 'empty'],
    ['..', 'dot-dot'],
    ['../etc/passwd', 'dot-dot'],
    ['a/../../etc/passwd', 'dot-dot'],
    ['a/..', 'dot-dot'],
    ['%2e%2e/etc/passwd', 'dot-dot'],
    ['%2E%2E/%2E%2E/etc/passwd', 'dot-dot'],
    ['..%2f..%2fetc/passwd', 'encoded-separator'],
    ['..%2F..%2Fetc%2Fpasswd', 'encoded-separator'],
    ['a%5c..%5c..%5cwindows', 'encoded-separator'],
    ['..%252f..%252fetc/passwd', 'encoded-separator'],
    ['file.mp4%00.jpg', 'encoded-separator'],
    ['file.mp4%2500', 'encoded-separator'],
    ['file.mp4\0.jpg', 'nul-byte'],
    ['file%0a.mp4', 'control-character'],
    ['%E0%A4%A', 'bad-encoding'],
    ['%', 'bad-encoding'],
    ['%c0%ae%c0%ae/etc/passwd', 'bad-encoding'],
    ['..\\..\\etc\\passwd', 'backslash'],
    ['a\\b', 'backslash'],
    ['/etc/passwd', 'absolute'],
    ['%2fetc/passwd', 'encoded-separator'],
    ['a//b', 'empty-segment'],
    ['a/', 'empty-segment'],
    ['./a', 'dot-segment'],
    ['a/./b', 'dot-segment'],
    ['.env', 'hidden-file'],
    ['.tmp-download/segment.mp4', 'hidden-file'],
    ['uuid/.partial', 'hidden-file'],
    ['dir/..foo', 'hidden-file'],
  ];

  it.each(evil)('refuses %j (%s)', (relative, reason) => {
    expect(resolveInside(ROOT, relative)).toEqual({ ok: false, reason: { type: reason } });
  });

  it('never returns a path outside the root, whatever the input', () => {
    const alphabet = ['a', '.', '..', '/', '%2e', '%2f', '\\', '%00', '%', 'b.mp4', '%25'];
    for (let i = 0; i < 5000; i++) {
      let input = '';
      for (let j = 0; j < 6; j++) input += alphabet[(i * 7 + j * 13 + (i >> j)) % alphabet.length];
      const result = resolveInside(ROOT, input);
      if (result.ok) expect(isInside(ROOT, result.path)).toBe(true);
    }
  });
});

describe('isInside', () => {
  it.each([
    ['/srv/a', '/srv/a/b', true],
    ['/srv/a', '/srv/a', false],
    ['/srv/a', '/srv/ab', false],
    ['/srv/a', '/srv/a/../b', false],
    ['/srv/a', '/etc/passwd', false],
  ])('isInside(%s, %s) = %s', (root, candidate, expected) => {
    expect(isInside(root, candidate)).toBe(expected);
  });
});
