import { describe, expect, expectTypeOf, it } from 'vitest';
import { createSafeFetcherTransport, type PostingFetcher } from '../../../src/federation/delivery/index.js';
import type { SafeFetcher } from '../../../src/federation/remote/index.js';

type Answer = Awaited<ReturnType<PostingFetcher['fetch']>>;

function transportAnswering(answer: Answer) {
  const calls: Array<Parameters<PostingFetcher['fetch']>> = [];
  const transport = createSafeFetcherTransport({
    fetch: async (...args) => {
      calls.push(args);
      return answer;
    },
  });
  const post = () =>
    transport.post({
      url: 'https://a.example/inbox',
      headers: { Signature: 'sig' },
      body: Buffer.from('{}'),
      timeoutMs: 5000,
      signal: new AbortController().signal,
    });
  return { post, calls };
}

describe('createSafeFetcherTransport', () => {
  it('posts the exact body and headers, never following redirects nor using the negative cache', async () => {
    const { post, calls } = transportAnswering({ ok: true, status: 202, headers: {}, body: Buffer.alloc(0) });
    expect(await post()).toEqual({ ok: true, status: 202, retryAfter: undefined, bodySnippet: '' });
    expect(calls[0]).toEqual([
      'https://a.example/inbox',
      { method: 'POST', headers: { Signature: 'sig' }, body: Buffer.from('{}'), timeoutMs: 5000, maxRedirects: 0, maxBytes: 65536, bypassNegativeCache: true },
    ]);
  });

  it.each([
    [{ type: 'http-error', message: 'answered 503', status: 503 }, { ok: true, status: 503, retryAfter: undefined, bodySnippet: '' }],
    [{ type: 'http-error', message: 'answered 410', status: 410 }, { ok: true, status: 410, retryAfter: undefined, bodySnippet: '' }],
    [{ type: 'too-large', message: 'over 65536 bytes' }, { ok: true, status: 200, retryAfter: undefined, bodySnippet: '' }],
    [{ type: 'timeout', message: 'no answer' }, { ok: false, reason: { type: 'timeout', detail: 'no answer' } }],
    [{ type: 'network', message: 'ECONNRESET' }, { ok: false, reason: { type: 'network', detail: 'ECONNRESET' } }],
    [{ type: 'blocked-address', message: '10.0.0.1 is private' }, { ok: false, reason: { type: 'refused', detail: 'blocked-address: 10.0.0.1 is private' } }],
    [{ type: 'too-many-redirects', message: 'more than 0 redirects' }, { ok: false, reason: { type: 'refused', detail: 'too-many-redirects: more than 0 redirects' } }],
    [{ type: 'bad-url', message: 'not http' }, { ok: false, reason: { type: 'refused', detail: 'bad-url: not http' } }],
  ])('maps the failure %j', async (reason, expected) => {
    expect(await transportAnswering({ ok: false, reason }).post()).toEqual(expected);
  });

  it("accepts federation/remote's SafeFetcher (checked by tsc)", () => {
    expectTypeOf<SafeFetcher>().toExtend<PostingFetcher>();
  });
});
