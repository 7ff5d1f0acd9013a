import { describe, expect, it } from 'vitest';
import { fetchByteRange, type RangeFetch } from '../../../src/net/index.js';

const FILE = Buffer.from('0123456789abcdefghij');

/** A server in memory: answers 206 (with or without the total), 200 with the whole file, or fails. */
function serving(mode: '206' | '206-no-total' | '200' | 'fail'): { fetch: RangeFetch; asked: unknown[] } {
  const asked: unknown[] = [];
  const fetch: RangeFetch = async (url, options) => {
    asked.push({ url, ...options });
    if (mode === 'fail') return { ok: false, reason: { message: 'answered 404' } };
    if (mode === '200') return { ok: true, status: 200, headers: {}, body: FILE };
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(options.headers.range!)!.map(Number) as [number, number, number];
    const headers: Record<string, string> = mode === '206' ? { 'content-range': `bytes ${from}-${to}/${FILE.length}` } : {};
    return { ok: true, status: 206, headers, body: FILE.subarray(from, to + 1) };
  };
  return { fetch, asked };
}

describe('fetchByteRange (the probes of copies)', () => {
  it('asks for the range with 1 KiB of slack, and gives its bytes and the file length', async () => {
    const s = serving('206');
    expect(await fetchByteRange(s.fetch, 'https://m.example/f', 10, 14)).toEqual({ ok: true, bytes: Buffer.from('abcde'), total: 20 });
    expect(s.asked).toEqual([{ url: 'https://m.example/f', headers: { range: 'bytes=10-14' }, maxBytes: 5 + 1024 }]);
  });

  it('a 206 without a total has no length; a 200 is cut at the offset and its length is the body', async () => {
    expect(await fetchByteRange(serving('206-no-total').fetch, 'u', 0, 3)).toEqual({ ok: true, bytes: Buffer.from('0123') });
    expect(await fetchByteRange(serving('200').fetch, 'u', 18, 19)).toEqual({ ok: true, bytes: Buffer.from('ij'), total: 20 });
  });

  it('a failed fetch gives its message', async () => {
    expect(await fetchByteRange(serving('fail').fetch, 'u', 0, 3)).toEqual({ ok: false, message: 'answered 404' });
  });
});
