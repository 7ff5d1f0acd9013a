import { describe, expect, it } from 'vitest';
import { createInboxDispatcher } from '../../../src/federation/inbox/inbox-dispatcher.js';
import { toInboundActivity, type ActivityHandler, type InboundActivity } from '../../../src/federation/inbox/process-activity.js';
import type { JobContext } from '../../../src/jobs/index.js';

const A = 'https://a.example';
const ctx = {} as JobContext;
const cacheFile = { id: `${A}/redundancy/1`, type: 'CacheFile', object: 'https://b.example/videos/watch/1', url: { type: 'Link', href: `${A}/static/redundancy/hls/1` } };

function inbound(body: Record<string, unknown>): InboundActivity {
  const r = toInboundActivity(body, { signer: `${A}/accounts/peertube` });
  if (!r.ok) throw new Error(r.why);
  return r.activity;
}
const activity = (type: string, object: unknown) => inbound({ id: `${A}/activities/${type}-${Math.random()}`, type, actor: `${A}/accounts/peertube`, object });

/** a handler that records which name it was registered under */
function recorder() {
  const calls: string[] = [];
  const handler =
    (name: string, outcome: 'processed' | 'skipped' = 'processed'): ActivityHandler =>
    async (a) => {
      calls.push(`${name} ${a.type}`);
      return outcome === 'processed' ? { status: 'processed' } : { status: 'skipped', why: `${name} skipped` };
    };
  return { calls, handler };
}

describe('inbox dispatcher', () => {
  it('picks the exact object type, the type one level down, then the any-object handler', async () => {
    const inbox = createInboxDispatcher();
    const { calls, handler } = recorder();
    inbox.on('Create', 'CacheFile', handler('create-cachefile'));
    inbox.on('Create', 'Video', handler('create-video'));
    inbox.on('Undo', 'CacheFile', handler('undo-cachefile'));
    inbox.on('Undo', 'Follow', handler('undo-follow'));
    inbox.on('Follow', handler('follow'));

    await inbox.dispatch(activity('Create', cacheFile), ctx);
    await inbox.dispatch(activity('Create', { id: `${A}/videos/watch/2`, type: 'Video' }), ctx);
    await inbox.dispatch(activity('Undo', { id: `${A}/activities/c`, type: 'Create', actor: `${A}/accounts/peertube`, object: cacheFile }), ctx);
    await inbox.dispatch(activity('Undo', cacheFile), ctx);
    await inbox.dispatch(activity('Undo', { id: `${A}/follows/1`, type: 'Follow', object: 'https://b.example/accounts/peertube' }), ctx);
    await inbox.dispatch(activity('Follow', 'https://b.example/accounts/peertube'), ctx);
    expect(calls).toEqual(['create-cachefile Create', 'create-video Create', 'undo-cachefile Undo', 'undo-cachefile Undo', 'undo-follow Undo', 'follow Follow']);
  });

  it('skips what no handler takes, naming the type (bounded) or the object type', async () => {
    const inbox = createInboxDispatcher();
    inbox.on('Create', 'Video', recorder().handler('v'));
    expect(await inbox.dispatch(activity('Like', 'https://b.example/videos/watch/1'), ctx)).toEqual({ status: 'skipped', why: 'type Like is not handled' });
    expect(await inbox.dispatch(activity('Create', { id: `${A}/x`, type: 'Note' }), ctx)).toEqual({ status: 'skipped', why: 'Create of Note is not handled' });
    expect(await inbox.dispatch(activity('Create', `${A}/x`), ctx)).toEqual({ status: 'skipped', why: 'Create of an unknown object is not handled' });
    const long = await inbox.dispatch(activity('Create', { id: `${A}/x`, type: 'X'.repeat(500) }), ctx);
    expect(long.status === 'skipped' && long.why.length).toBeLessThan(150);
  });

  it('an object type outside the vocabulary (constructor, __proto__) selects no specific handler', async () => {
    const inbox = createInboxDispatcher();
    const { calls, handler } = recorder();
    inbox.on('Create', 'Video', handler('video'));
    inbox.on('Delete', handler('delete'));
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect((await inbox.dispatch(activity('Create', { id: `${A}/x`, type: name }), ctx)).status).toBe('skipped');
      expect((await inbox.dispatch(activity('Delete', { id: `${A}/x`, type: name }), ctx)).status).toBe('processed');
    }
    expect(calls).toEqual(['delete Delete', 'delete Delete', 'delete Delete']);
  });

  it('orElse: the next handler of a key runs when the ones before it skipped', async () => {
    const inbox = createInboxDispatcher();
    const { calls, handler } = recorder();
    inbox.on('Delete', handler('videos', 'skipped'));
    inbox.orElse('Delete', handler('comments'));
    expect(await inbox.dispatch(activity('Delete', `${A}/comments/1`), ctx)).toEqual({ status: 'processed' });
    expect(calls).toEqual(['videos Delete', 'comments Delete']);

    const second = createInboxDispatcher();
    const r = recorder();
    second.on('Delete', r.handler('videos'));
    second.orElse('Delete', r.handler('comments'));
    await second.dispatch(activity('Delete', `${A}/videos/1`), ctx);
    expect(r.calls).toEqual(['videos Delete']);

    const last = createInboxDispatcher();
    last.on('Delete', recorder().handler('a', 'skipped'));
    last.orElse('Delete', recorder().handler('b', 'skipped'));
    expect(await last.dispatch(activity('Delete', `${A}/x`), ctx)).toEqual({ status: 'skipped', why: 'b skipped' });
    expect(() => createInboxDispatcher().orElse('Delete', recorder().handler('x'))).toThrow(/orElse/);
  });

  it('a key registered twice is a programming error', () => {
    const inbox = createInboxDispatcher();
    inbox.on('Create', 'CacheFile', recorder().handler('a'));
    expect(() => inbox.on('Create', 'CacheFile', recorder().handler('b'))).toThrow(/already registered/);
    inbox.on('Create', recorder().handler('any'));
    expect(() => inbox.on('Create', recorder().handler('any again'))).toThrow(/already registered/);
  });

  it('runs the after-processed hooks of the type, only for a processed activity, with the body as received', async () => {
    const inbox = createInboxDispatcher();
    const hooked: unknown[] = [];
    inbox.on('Like', recorder().handler('like'));
    inbox.on('Follow', recorder().handler('follow'));
    inbox.on('Dislike', recorder().handler('dislike', 'skipped'));
    inbox.afterProcessed(['Like', 'Dislike'], async (a) => void hooked.push(a.body));
    const like = { id: `${A}/likes/1`, type: 'Like', actor: `${A}/accounts/peertube`, object: 'https://b.example/videos/watch/1', to: 'as:Public', signature: { type: 'RsaSignature2017' } };
    await inbox.dispatch(inbound(like), ctx);
    await inbox.dispatch(activity('Follow', 'https://b.example/accounts/peertube'), ctx);
    await inbox.dispatch(activity('Dislike', 'https://b.example/videos/watch/1'), ctx);
    expect(hooked).toEqual([like]);
  });

  it('a failing hook fails the attempt (the inbox job retries it)', async () => {
    const inbox = createInboxDispatcher();
    inbox.on('Like', recorder().handler('like'));
    inbox.afterProcessed(['Like'], async () => {
      throw new Error('forwarding failed');
    });
    await expect(inbox.dispatch(activity('Like', 'https://b.example/videos/watch/1'), ctx)).rejects.toThrow('forwarding failed');
  });

  it('hands the parsed activity: object, its id and type, normalised audience', async () => {
    const inbox = createInboxDispatcher();
    let seen: InboundActivity | undefined;
    inbox.on('Create', 'CacheFile', async (a) => {
      seen = a;
      return { status: 'processed' };
    });
    await inbox.dispatch(inbound({ id: `${A}/c/1`, type: 'Create', actor: { id: `${A}/accounts/peertube` }, object: cacheFile, to: 'as:Public' }), ctx);
    expect(seen?.actor).toBe(`${A}/accounts/peertube`);
    expect(seen?.parsed).toMatchObject({ type: 'Create', objectType: 'CacheFile', objectId: cacheFile.id, to: ['https://www.w3.org/ns/activitystreams#Public'] });
    expect(seen?.body.actor).toEqual({ id: `${A}/accounts/peertube` });
  });
});

describe('toInboundActivity', () => {
  it('refuses what the vocabulary refuses, naming an invalid URL as handlers did', () => {
    const base = { id: `${A}/announces/1`, type: 'Announce', actor: `${A}/accounts/peertube` };
    expect(toInboundActivity({ ...base, object: 'not a url' }, { signer: base.actor })).toEqual({ ok: false, why: 'invalid URL "not a url"' });
    expect(toInboundActivity({ ...base }, { signer: base.actor })).toMatchObject({ ok: false, why: expect.stringContaining('object') });
    expect(toInboundActivity({ ...base, type: 'Explode', object: `${A}/x` }, { signer: base.actor })).toEqual({ ok: false, why: 'type Explode is not handled', unknownType: 'Explode' });
  });
});
