import { describe, expect, it } from 'vitest';
import { createFollowHarness } from '../../support/fakes/federation-harness.js';

const B = 'b.test';
const B_ACTOR = `http://${B}/accounts/peertube`;

describe('follow service: our follows', () => {
  it('follow(host) stores a pending follow named after its row and sends the Follow to the actor’s own inbox, in the transaction', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    const r = await h.follows.follow({ host: B });
    expect(r.ok).toBe(true);
    expect(h.store.rows).toMatchObject([{ followerId: h.me.id, followingId: b.id, state: 'pending', url: `${h.me.url}/follows/1` }]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ signerActorId: h.me.id, inboxes: [b.inboxUrl] });
    expect(h.sent[0]!.tx).toBeDefined();
    expect(h.sent[0]!.activity).toMatchObject({ type: 'Follow', id: `${h.me.url}/follows/1`, actor: h.me.url, object: B_ACTOR });
  });

  it('follow again while pending re-sends the same Follow; once accepted it sends nothing', async () => {
    const h = createFollowHarness();
    h.remoteInstance(B);
    await h.follows.follow({ host: B });
    await h.follows.follow({ host: B });
    expect(h.store.rows).toHaveLength(1);
    expect(h.sent.map((s) => s.activity.id)).toEqual([`${h.me.url}/follows/1`, `${h.me.url}/follows/1`]);
    await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: `${h.me.url}/follows/1`, followerUrl: h.me.url, accepted: true });
    await h.follows.follow({ host: B });
    expect(h.sent).toHaveLength(2);
  });

  it('a follow after an unfollow is a new Follow id (the peer drops ids it saw)', async () => {
    const h = createFollowHarness();
    h.remoteInstance(B);
    await h.follows.follow({ host: B });
    await h.follows.unfollow(B);
    await h.follows.follow({ host: B });
    const follows = h.sent.filter((s) => s.activity.type === 'Follow').map((s) => s.activity.id);
    expect(follows).toEqual([`${h.me.url}/follows/1`, `${h.me.url}/follows/2`]);
  });

  it('refuses to follow one of our own actors, and reports an unreachable target', async () => {
    const h = createFollowHarness();
    expect(await h.follows.follow({ host: 'local.test' })).toMatchObject({ ok: false, reason: { type: 'self' } });
    h.unreachable.add('c.test');
    expect(await h.follows.follow({ host: 'c.test' })).toMatchObject({ ok: false, reason: { type: 'unreachable', message: 'c.test is down' } });
    expect(h.store.rows).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  it('follows an account by handle', async () => {
    const h = createFollowHarness();
    const alice = h.actors.add({ url: `http://${B}/accounts/alice`, preferredUsername: 'alice', host: B });
    expect((await h.follows.follow({ handle: `alice@${B}` })).ok).toBe(true);
    expect(h.store.rows).toMatchObject([{ followingId: alice.id, state: 'pending' }]);
    expect(h.sent[0]!.inboxes).toEqual([alice.inboxUrl]);
  });

  it('an Accept of our Follow makes it accepted and the host followed; a Reject removes it', async () => {
    const h = createFollowHarness();
    h.remoteInstance(B);
    h.remoteInstance('c.test');
    await h.follows.follow({ host: B });
    await h.follows.follow({ host: 'c.test' });
    expect(await h.follows.followedHosts()).toEqual([]);
    expect(await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: `${h.me.url}/follows/1`, followerUrl: h.me.url, accepted: true })).toBe(true);
    expect(await h.follows.onFollowAnswer({ remoteActor: 'http://c.test/accounts/peertube', followId: undefined, followerUrl: undefined, accepted: false })).toBe(true);
    expect(h.store.rows).toMatchObject([{ id: 1, state: 'accepted' }]);
    expect(await h.follows.followedHosts()).toEqual([B]);
  });

  it('an answer that names another Follow id, another follower or an actor we do not follow matches nothing', async () => {
    const h = createFollowHarness();
    h.remoteInstance(B);
    await h.follows.follow({ host: B });
    expect(await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: `${h.me.url}/follows/99`, followerUrl: undefined, accepted: true })).toBe(false);
    expect(await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: undefined, followerUrl: 'http://local.test/accounts/someone', accepted: true })).toBe(false);
    expect(await h.follows.onFollowAnswer({ remoteActor: 'http://c.test/accounts/peertube', followId: undefined, followerUrl: undefined, accepted: true })).toBe(false);
    expect(h.store.rows).toMatchObject([{ state: 'pending' }]);
  });

  it('unfollow deletes the follow and sends an Undo embedding the Follow, in one transaction', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    await h.follows.follow({ host: B });
    h.sent.length = 0;
    expect(await h.follows.unfollow(B)).toEqual({ ok: true, value: undefined });
    expect(h.store.rows).toEqual([]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ signerActorId: h.me.id, inboxes: [b.inboxUrl] });
    expect(h.sent[0]!.tx).toBeDefined();
    expect(h.sent[0]!.activity).toMatchObject({ type: 'Undo', id: `${h.me.url}/follows/1/undo`, actor: h.me.url, object: { type: 'Follow', id: `${h.me.url}/follows/1`, object: B_ACTOR } });
    expect(await h.follows.unfollow(B)).toMatchObject({ ok: false, reason: { type: 'not-found' } });
  });

  it('lists follows by direction and state, oldest or newest first', async () => {
    const h = createFollowHarness();
    h.remoteInstance(B);
    h.remoteInstance('c.test');
    const d = h.remoteInstance('d.test');
    await h.follows.follow({ host: B });
    h.clock.advance(1000);
    await h.follows.follow({ host: 'c.test' });
    await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: undefined, followerUrl: undefined, accepted: true });
    await h.follows.onFollow({ activityId: 'http://d.test/follows/1', follower: d, followingUrl: h.me.url });

    const following = await h.follows.list('following', { start: 0, count: 10 });
    expect(following.total).toBe(2);
    expect(following.data.map((f) => f.following.host)).toEqual([B, 'c.test']);
    expect((await h.follows.list('following', { start: 0, count: 10, sort: '-createdAt' })).data.map((f) => f.following.host)).toEqual(['c.test', B]);
    expect((await h.follows.list('following', { start: 0, count: 10, state: 'pending' })).data.map((f) => f.following.host)).toEqual(['c.test']);
    expect((await h.follows.list('following', { start: 1, count: 1 })).data.map((f) => f.following.host)).toEqual(['c.test']);
    const followers = await h.follows.list('followers', { start: 0, count: 10 });
    expect(followers).toMatchObject({ total: 1, data: [{ follower: { host: 'd.test' }, state: 'accepted' }] });
  });
});

describe('follow service: follows of our actors', () => {
  it('auto-accepts a Follow of the instance: stores it accepted and sends the Accept to the follower’s own inbox (not the shared one)', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    expect(await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url })).toBe('accepted');
    expect(h.store.rows).toMatchObject([{ followerId: b.id, followingId: h.me.id, state: 'accepted', url: `${B_ACTOR}/follows/7` }]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ signerActorId: h.me.id, inboxes: [`${B_ACTOR}/inbox`] });
    expect(h.sent[0]!.tx).toBeDefined();
    expect(h.sent[0]!.activity).toMatchObject({ type: 'Accept', id: `${h.urls.base}/accepts/follows/1`, actor: h.me.url, object: { type: 'Follow', id: `${B_ACTOR}/follows/7`, actor: B_ACTOR, object: h.me.url } });
    expect(await h.follows.followerInboxes([h.me.id])).toEqual([`http://${B}/inbox`]);
  });

  it('a repeated Follow (the Undo was lost) takes the new id and is answered with an Accept of a new id', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    h.clock.advance(5000);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/8`, follower: b, followingUrl: h.me.url });
    expect(h.store.rows).toMatchObject([{ id: 1, url: `${B_ACTOR}/follows/8`, state: 'accepted' }]);
    expect(h.sent.map((s) => s.activity.id)).toEqual([`${h.urls.base}/accepts/follows/1`, `${h.urls.base}/accepts/follows/1/${h.clock.now().getTime()}`]);
    expect((h.sent[1]!.activity.object as { id: string }).id).toBe(`${B_ACTOR}/follows/8`);
  });

  it('with manual approval a Follow waits, unanswered, until the admin accepts it', async () => {
    const h = createFollowHarness({ manualApproval: true });
    const b = h.remoteInstance(B);
    expect(await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url })).toBe('pending');
    expect(h.store.rows).toMatchObject([{ state: 'pending' }]);
    expect(h.sent).toEqual([]);
    expect(await h.follows.followerInboxes([h.me.id])).toEqual([]);

    expect(await h.follows.setFollowerState(`peertube@${B}`, true)).toEqual({ ok: true, value: undefined });
    expect(h.store.rows).toMatchObject([{ state: 'accepted' }]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ inboxes: [`${B_ACTOR}/inbox`], activity: { type: 'Accept', id: `${h.urls.base}/accepts/follows/1` } });
    expect(await h.follows.followerInboxes([h.me.id])).toEqual([`http://${B}/inbox`]);
  });

  it('with manual approval a repeated Follow keeps the follow pending (only an accepted state is taken over)', async () => {
    const h = createFollowHarness({ manualApproval: true });
    const b = h.remoteInstance(B);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/8`, follower: b, followingUrl: h.me.url });
    expect(h.store.rows).toMatchObject([{ state: 'pending', url: `${B_ACTOR}/follows/8` }]);
    expect(h.sent).toEqual([]);
  });

  it('the admin rejecting a pending follower deletes it and sends a Reject', async () => {
    const h = createFollowHarness({ manualApproval: true });
    const b = h.remoteInstance(B);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    expect(await h.follows.setFollowerState(`peertube@${B}`, false)).toEqual({ ok: true, value: undefined });
    expect(h.store.rows).toEqual([]);
    expect(h.sent).toMatchObject([{ inboxes: [`${B_ACTOR}/inbox`], activity: { type: 'Reject', id: `${h.urls.base}/rejects/follows/1`, object: { id: `${B_ACTOR}/follows/7` } } }]);
    expect(await h.follows.setFollowerState(`peertube@${B}`, true)).toMatchObject({ ok: false, reason: { type: 'not-found' } });
  });

  it('removing a follower deletes it and sends a Reject', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    expect((await h.follows.removeFollower(`peertube@${B}`)).ok).toBe(true);
    expect(h.store.rows).toEqual([]);
    expect(h.sent.map((s) => s.activity.type)).toEqual(['Accept', 'Reject']);
    expect(await h.follows.removeFollower(`peertube@${B}`)).toMatchObject({ ok: false, reason: { type: 'not-found' } });
  });

  it('with instance followers disabled a Follow of the instance is rejected and not kept', async () => {
    const h = createFollowHarness({ followersEnabled: false });
    const b = h.remoteInstance(B);
    expect(await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url })).toBe('rejected');
    expect(h.store.rows).toEqual([]);
    expect(h.sent).toMatchObject([{ inboxes: [`${B_ACTOR}/inbox`], activity: { type: 'Reject', id: `${h.urls.base}/rejects/follows/1`, actor: h.me.url } }]);
  });

  it('follows of our other actors (a channel) are accepted whatever the instance-follower settings', async () => {
    const h = createFollowHarness({ followersEnabled: false, manualApproval: true });
    const channel = h.actors.add({ url: `${h.urls.base}/video-channels/main`, preferredUsername: 'main', type: 'Group' });
    const alice = h.actors.add({ url: `http://${B}/accounts/alice`, preferredUsername: 'alice', host: B });
    expect(await h.follows.onFollow({ activityId: `${alice.url}/follows/1`, follower: alice, followingUrl: channel.url })).toBe('accepted');
    expect(h.sent).toMatchObject([{ signerActorId: channel.id, inboxes: [alice.inboxUrl], activity: { type: 'Accept', actor: channel.url } }]);
  });

  it('a Follow of an actor we do not have (or a remote one) is not stored', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    const c = h.remoteInstance('c.test');
    expect(await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: `${h.urls.base}/accounts/nobody` })).toBe('unknown-target');
    expect(await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/8`, follower: b, followingUrl: c.url })).toBe('unknown-target');
    expect(h.store.rows).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  it('auto follow-back follows an instance that follows us, only when its Follow was accepted and it is an instance', async () => {
    const h = createFollowHarness({ autoFollowBack: true });
    const b = h.remoteInstance(B);
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    expect(h.sent.map((s) => [s.activity.type, s.inboxes])).toEqual([
      ['Accept', [`${B_ACTOR}/inbox`]],
      ['Follow', [`${B_ACTOR}/inbox`]],
    ]);
    expect(h.store.rows).toMatchObject([
      { followerId: b.id, followingId: h.me.id, state: 'accepted' },
      { followerId: h.me.id, followingId: b.id, state: 'pending' },
    ]);

    const alice = h.actors.add({ url: `http://c.test/accounts/alice`, preferredUsername: 'alice', host: 'c.test', type: 'Person' });
    await h.follows.onFollow({ activityId: `${alice.url}/follows/1`, follower: alice, followingUrl: h.me.url });
    expect(h.sent.filter((s) => s.activity.type === 'Follow')).toHaveLength(1);
  });

  it('no follow-back when the Follow waits for approval or follow-back is off, and a failed follow-back does not fail the Follow', async () => {
    const manual = createFollowHarness({ autoFollowBack: true, manualApproval: true });
    await manual.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: manual.remoteInstance(B), followingUrl: manual.me.url });
    expect(manual.sent).toEqual([]);

    const off = createFollowHarness();
    await off.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: off.remoteInstance(B), followingUrl: off.me.url });
    expect(off.sent.map((s) => s.activity.type)).toEqual(['Accept']);

    const down = createFollowHarness({ autoFollowBack: true });
    const b = down.remoteInstance(B);
    down.unreachable.add(B);
    expect(await down.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: down.me.url })).toBe('accepted');
    expect(down.sent.map((s) => s.activity.type)).toEqual(['Accept']);
  });

  it('an Undo of a Follow removes that follower only', async () => {
    const h = createFollowHarness();
    const b = h.remoteInstance(B);
    const c = h.remoteInstance('c.test');
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/7`, follower: b, followingUrl: h.me.url });
    await h.follows.onFollow({ activityId: `${c.url}/follows/7`, follower: c, followingUrl: h.me.url });
    expect(await h.follows.onUndoFollow({ followerUrl: B_ACTOR, followingUrl: h.me.url })).toBe(true);
    expect(await h.follows.onUndoFollow({ followerUrl: B_ACTOR, followingUrl: h.me.url })).toBe(false);
    expect(h.store.rows.map((r) => r.followerId)).toEqual([c.id]);
  });

  it('followers’ inboxes: accepted remote followers of the given actors, shared inbox where they have one, each once', async () => {
    const h = createFollowHarness({ manualApproval: true });
    const channel = h.actors.add({ url: `${h.urls.base}/video-channels/main`, preferredUsername: 'main', type: 'Group' });
    const b = h.remoteInstance(B);
    const alice = h.actors.add({ url: `http://${B}/accounts/alice`, preferredUsername: 'alice', host: B, sharedInboxUrl: `http://${B}/inbox` });
    const carol = h.actors.add({ url: 'http://c.test/accounts/carol', preferredUsername: 'carol', host: 'c.test' });
    const pending = h.remoteInstance('p.test');
    const localUser = h.actors.add({ url: `${h.urls.base}/accounts/bob`, preferredUsername: 'bob' });
    await h.follows.onFollow({ activityId: `${B_ACTOR}/follows/1`, follower: b, followingUrl: h.me.url });
    await h.follows.setFollowerState(`peertube@${B}`, true);
    await h.follows.onFollow({ activityId: `${alice.url}/follows/1`, follower: alice, followingUrl: channel.url });
    await h.follows.onFollow({ activityId: `${carol.url}/follows/1`, follower: carol, followingUrl: channel.url });
    await h.follows.onFollow({ activityId: `${pending.url}/follows/1`, follower: pending, followingUrl: h.me.url });
    await h.follows.onFollow({ activityId: `${localUser.url}/follows/1`, follower: localUser, followingUrl: channel.url });

    expect((await h.follows.followerInboxes([h.me.id, channel.id])).sort()).toEqual([`http://${B}/inbox`, carol.inboxUrl].sort());
    expect(await h.follows.followerInboxes([channel.id])).toEqual([`http://${B}/inbox`, carol.inboxUrl]);
    expect(await h.follows.followerInboxes([])).toEqual([]);
  });
});
