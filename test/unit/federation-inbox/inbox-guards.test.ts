import { describe, expect, it, vi } from 'vitest';
import { activityDigest } from '../../../src/federation/inbox/activity-digest.js';
import { createBatchedWriter } from '../../../src/federation/inbox/batched-writer.js';
import { invalidActivityError, toInboundActivity } from '../../../src/federation/inbox/process-activity.js';
import { findUnstorableText } from '../../../src/lib/unstorable-text.js';

describe('unstorable text', () => {
  it('finds U+0000 and lone surrogates in values and keys, and nothing in well-formed text', () => {
    expect(findUnstorableText(JSON.parse('{"a":["ok","x\\u0000y"]}'))).toEqual({ path: '$.a[1]', problem: 'nul-character' });
    expect(findUnstorableText(JSON.parse('{"a":{"b":"\\ud800"}}'))).toEqual({ path: '$.a.b', problem: 'lone-surrogate' });
    expect(findUnstorableText(JSON.parse('{"a":"\\udc00x"}'))).toEqual({ path: '$.a', problem: 'lone-surrogate' });
    expect(findUnstorableText(JSON.parse('{"k\\u0000":1}'))).toEqual({ path: '$', problem: 'nul-character' });
    expect(findUnstorableText(JSON.parse('{"a":"\\ud83d\\ude00 émoji","b":[1,true,null]}'))).toBeUndefined();
  });
});

describe('activity digest', () => {
  it('differs with the body, not with the LD signature block', () => {
    const a = { id: 'x', type: 'View', expires: '2026-12-07T11:23:57.492Z' };
    expect(activityDigest(a)).toBe(activityDigest({ ...a, signature: { signatureValue: 'one' } }));
    expect(activityDigest({ ...a, signature: { signatureValue: 'one' } })).toBe(activityDigest({ ...a, signature: { signatureValue: 'two' } }));
    expect(activityDigest(a)).not.toBe(activityDigest({ ...a, expires: '2026-12-07T11:25:30.594Z' }));
  });
});

describe('batched writer', () => {
  it('writes a refused batch again row by row: only the guilty row fails', async () => {
    const stored: string[] = [];
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const writer = createBatchedWriter<string>({
      maxBatch: 10,
      async write(rows) {
        batches.push([...rows]);
        if (rows[0] === 'first') await gate;
        if (rows.includes('guilty')) throw new Error('invalid input syntax');
        const fresh = rows.map((r) => !stored.includes(r));
        stored.push(...rows);
        return fresh;
      },
    });
    const first = writer.submit('first');
    // these wait for the first write and go together in one batch, which the database refuses
    const results = ['a', 'guilty', 'b', 'a'].map((row) => writer.submit(row).then((isNew) => ({ ok: true, isNew }), (err: Error) => ({ ok: false, err: err.message })));
    release();
    expect(await first).toBe(true);
    expect(await Promise.all(results)).toEqual([{ ok: true, isNew: true }, { ok: false, err: 'invalid input syntax' }, { ok: true, isNew: true }, { ok: true, isNew: false }]);
    expect(batches).toEqual([['first'], ['a', 'guilty', 'b', 'a'], ['a'], ['guilty'], ['b'], ['a']]);
  });

  it('with two writers, never writes rows of one key in two batches at once, and keeps their order', async () => {
    const gates: (() => void)[] = [];
    const batches: string[][] = [];
    let inFlight: string[] = [];
    const writer = createBatchedWriter<string>({
      maxBatch: 10,
      writers: 2,
      key: (row) => row.split(':')[0]!,
      async write(rows) {
        const keys = rows.map((r) => r.split(':')[0]!);
        expect(keys.filter((k) => inFlight.includes(k))).toEqual([]);
        inFlight.push(...keys);
        batches.push([...rows]);
        await new Promise<void>((r) => gates.push(r));
        inFlight = inFlight.filter((k) => !keys.includes(k));
        return rows.map(() => true);
      },
    });
    const all = [writer.submit('a:1')];
    // while a:1 is written, the second writer skips a:2 (its key is held) and takes b:1
    all.push(writer.submit('a:2'), writer.submit('b:1'), writer.submit('c:1'));
    await vi.waitFor(() => expect(batches).toHaveLength(2));
    expect(batches[1]).toEqual(['b:1']);
    while (batches.flat().length < 4 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    const order = batches.flat();
    expect(order.indexOf('a:1')).toBeLessThan(order.indexOf('a:2'));
    expect(order.sort()).toEqual(['a:1', 'a:2', 'b:1', 'c:1']);
  });
});

describe('untrusted names', () => {
  const like = { id: 'https://a.example/likes/1', type: 'Like', actor: 'https://a.example/accounts/x', object: 'https://b.example/videos/watch/1' };
  it('an activity type that is not in the vocabulary never reaches dispatch', () => {
    expect(toInboundActivity(like, { signer: like.actor }).ok).toBe(true);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      expect(toInboundActivity({ ...like, type: name }, { signer: like.actor }), name).toEqual({ ok: false, why: `type ${name} is not handled`, unknownType: name });
    }
  });
  it('tells an activity at fault (invalid URL, wrong shape) from a failure worth retrying', () => {
    let urlError: unknown;
    try {
      new URL('not a url');
    } catch (err) {
      urlError = err;
    }
    expect(invalidActivityError(urlError)).toBe('invalid URL "not a url"');
    expect(invalidActivityError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toMatch(/^invalid activity/);
    expect(invalidActivityError(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))).toBeUndefined();
    expect(invalidActivityError(new Error('database is down'))).toBeUndefined();
  });
});
