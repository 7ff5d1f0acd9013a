import { describe, expect, it } from 'vitest';
import { registerFederationHandlers } from '../../../src/federation/inbox/activity-handlers.js';
import { createInboxDispatcher, type InboxDispatcher } from '../../../src/federation/inbox/inbox-dispatcher.js';
import type { ActivityHandler } from '../../../src/federation/inbox/process-activity.js';
import type { JobContext } from '../../../src/jobs/index.js';
import { inboundActivity } from '../../support/fakes/inbound-activity.js';
import { createFollowHarness } from '../../support/fakes/federation-harness.js';
import { createMemoryInboxVideoStore } from '../../support/fakes/inbox-video-store.js';
import { createMemoryVideoImporter } from '../../support/fakes/video-importer.js';

const B = 'b.test';
const B_ACTOR = `http://${B}/accounts/peertube`;
const ctx = {} as JobContext;

/** Federation's handlers in a dispatch table, plus what `others` (another area) registers after them. */
function setup(others?: (inbox: InboxDispatcher) => void) {
  const h = createFollowHarness();
  const b = h.remoteInstance(B);
  const videos = createMemoryInboxVideoStore();
  const importer = createMemoryVideoImporter(videos);
  const inbox = createInboxDispatcher();
  registerFederationHandlers(inbox, { videos, follows: h.follows, resolver: h.resolver, importer });
  others?.(inbox);
  let n = 0;
  const handle = (body: Record<string, unknown>, actor = B_ACTOR) => {
    const id = (body.id as string | undefined) ?? `${actor}/activities/${++n}`;
    return inbox.dispatch(inboundActivity({ id, type: body.type as string, actor, signer: actor, body: { id, actor, ...body } }), ctx);
  };
  /** we follow B, accepted */
  const followB = async () => {
    await h.follows.follow({ host: B });
    await h.follows.onFollowAnswer({ remoteActor: B_ACTOR, followId: undefined, followerUrl: undefined, accepted: true });
    h.sent.length = 0;
  };
  const localVideo = videos.add({ url: `${h.urls.base}/videos/watch/local-1`, isLocal: true, likes: 3, dislikes: 1 });
  return { ...h, b, videos, importer, inbox, handle, followB, localVideo };
}

const video = (id: string, more: Record<string, unknown> = {}) => ({ type: 'Video', id, name: 'a video', ...more });

describe('inbox handlers: follows', () => {
  it('Follow of our instance: the follower is stored accepted and an Accept goes to its inbox', async () => {
    const t = setup();
    expect(await t.handle({ type: 'Follow', id: `${B_ACTOR}/follows/3`, object: t.me.url })).toEqual({ status: 'processed' });
    expect(t.store.rows).toMatchObject([{ followerId: t.b.id, followingId: t.me.id, state: 'accepted', url: `${B_ACTOR}/follows/3` }]);
    expect(t.sent).toMatchObject([{ inboxes: [`${B_ACTOR}/inbox`], activity: { type: 'Accept', object: { id: `${B_ACTOR}/follows/3` } } }]);
  });

  it('Follow of an unknown actor or without object is skipped; an unresolvable follower is retried (throws)', async () => {
    const t = setup();
    expect(await t.handle({ type: 'Follow', object: `${t.urls.base}/accounts/nobody` })).toEqual({ status: 'skipped', why: 'follow of an unknown actor' });
    expect(await t.handle({ type: 'Follow' })).toEqual({ status: 'skipped', why: 'Follow without object' });
    t.unreachable.add('http://c.test/accounts/peertube');
    await expect(t.handle({ type: 'Follow', object: t.me.url }, 'http://c.test/accounts/peertube')).rejects.toThrow(/cannot resolve follower/);
    expect(t.store.rows).toEqual([]);
  });

  it('Accept of our Follow makes it accepted; Reject removes it; an answer to no follow of ours is skipped', async () => {
    const t = setup();
    await t.follows.follow({ host: B });
    const follow = { type: 'Follow', id: `${t.me.url}/follows/1`, actor: t.me.url, object: B_ACTOR };
    expect(await t.handle({ type: 'Accept', object: { ...follow, id: `${t.me.url}/follows/2` } })).toEqual({ status: 'skipped', why: 'no matching follow' });
    expect(t.store.rows).toMatchObject([{ state: 'pending' }]);
    expect(await t.handle({ type: 'Accept', object: follow })).toEqual({ status: 'processed' });
    expect(t.store.rows).toMatchObject([{ state: 'accepted' }]);
    expect(await t.follows.followedHosts()).toEqual([B]);
    expect(await t.handle({ type: 'Reject', object: follow })).toEqual({ status: 'processed' });
    expect(t.store.rows).toEqual([]);
    expect(await t.handle({ type: 'Reject', object: follow })).toEqual({ status: 'skipped', why: 'no matching follow' });
  });

  it('an Accept from another actor than the one we follow does not accept our follow', async () => {
    const t = setup();
    t.remoteInstance('c.test');
    await t.follows.follow({ host: B });
    const follow = { type: 'Follow', id: `${t.me.url}/follows/1`, actor: t.me.url, object: B_ACTOR };
    expect(await t.handle({ type: 'Accept', object: follow }, 'http://c.test/accounts/peertube')).toMatchObject({ status: 'skipped' });
    expect(t.store.rows).toMatchObject([{ state: 'pending' }]);
  });

  it('Undo of a Follow removes the follower; an Undo of a follow we do not have is skipped', async () => {
    const t = setup();
    await t.handle({ type: 'Follow', id: `${B_ACTOR}/follows/3`, object: t.me.url });
    const undo = { type: 'Undo', object: { type: 'Follow', id: `${B_ACTOR}/follows/3`, actor: B_ACTOR, object: t.me.url } };
    expect(await t.handle(undo)).toEqual({ status: 'processed' });
    expect(t.store.rows).toEqual([]);
    expect(await t.handle(undo)).toEqual({ status: 'skipped', why: 'no such follow' });
    expect(await t.handle({ type: 'Undo', object: { type: 'Follow', actor: B_ACTOR } })).toEqual({ status: 'skipped', why: 'Undo Follow without object' });
  });
});

describe('inbox handlers: videos', () => {
  it('Create of a Video from a host we follow stores it', async () => {
    const t = setup();
    await t.followB();
    expect(await t.handle({ type: 'Create', object: video(`http://${B}/videos/watch/v1`) })).toEqual({ status: 'processed' });
    expect(t.videos.videos.filter((v) => !v.isLocal).map((v) => v.url)).toEqual([`http://${B}/videos/watch/v1`]);
  });

  it('Create of a Video from a host we do not follow (or only asked to follow) is skipped and stores nothing', async () => {
    const t = setup();
    expect(await t.handle({ type: 'Create', object: video(`http://${B}/videos/watch/v1`) })).toEqual({ status: 'skipped', why: `not following ${B}` });
    await t.follows.follow({ host: B });
    expect(await t.handle({ type: 'Create', object: video(`http://${B}/videos/watch/v1`) })).toEqual({ status: 'skipped', why: `not following ${B}` });
    expect(t.importer.imported).toEqual([]);
  });

  it('Update of a video we already hold is taken even when we no longer follow its host', async () => {
    const t = setup();
    t.videos.add({ url: `http://${B}/videos/watch/v1`, isLocal: false });
    expect(await t.handle({ type: 'Update', object: video(`http://${B}/videos/watch/v1`, { name: 'renamed' }) })).toEqual({ status: 'processed' });
    expect(t.importer.imported).toEqual([`http://${B}/videos/watch/v1`]);
  });

  it('a Video of another host than the actor, without id or invalid is skipped', async () => {
    const t = setup();
    await t.followB();
    expect(await t.handle({ type: 'Create', object: video('http://c.test/videos/watch/v1') })).toEqual({ status: 'skipped', why: 'video of another host than the actor' });
    expect(await t.handle({ type: 'Create', object: { type: 'Video' } })).toEqual({ status: 'skipped', why: 'video without id' });
    expect(await t.handle({ type: 'Update', object: video(`http://${B}/videos/watch/v2`, { invalid: true }) })).toEqual({ status: 'skipped', why: 'invalid Video object' });
    expect(t.videos.videos.filter((v) => !v.isLocal)).toEqual([]);
  });

  it('Create and Update of objects nobody handles are skipped; registered ones go to their handler', async () => {
    const seen: string[] = [];
    const cacheFile: ActivityHandler = async (activity) => {
      seen.push(`${activity.type} ${(activity.body.object as { type: string }).type}`);
      return { status: 'processed' };
    };
    const t = setup((inbox) => {
      inbox.on('Create', 'CacheFile', cacheFile);
      inbox.on('Update', 'CacheFile', cacheFile);
      inbox.on('Undo', 'CacheFile', cacheFile);
    });
    expect(await t.handle({ type: 'Create', object: { type: 'Note', id: `http://${B}/notes/1` } })).toEqual({ status: 'skipped', why: 'Create of Note is not handled' });
    expect(await t.handle({ type: 'Update', object: { type: 'Playlist', id: `http://${B}/p/1` } })).toEqual({ status: 'skipped', why: 'Update of Playlist is not handled' });
    expect(await t.handle({ type: 'Create', object: `http://${B}/notes/1` })).toEqual({ status: 'skipped', why: 'Create of an unknown object is not handled' });
    expect(await t.handle({ type: 'Undo', object: { type: 'Announce', id: `http://${B}/a/1` } })).toEqual({ status: 'skipped', why: 'Undo of Announce is not handled' });
    expect(await t.handle({ type: 'Create', object: { type: 'CacheFile', id: `http://${B}/cf/1` } })).toEqual({ status: 'processed' });
    expect(await t.handle({ type: 'Update', object: { type: 'CacheFile', id: `http://${B}/cf/1` } })).toEqual({ status: 'processed' });
    expect(await t.handle({ type: 'Undo', object: { type: 'Create', object: { type: 'CacheFile', id: `http://${B}/cf/1` } } })).toEqual({ status: 'processed' });
    expect(seen).toEqual(['Create CacheFile', 'Update CacheFile', 'Undo Create']);
    expect(await t.handle({ type: 'ApproveReply', object: 'x' })).toEqual({ status: 'skipped', why: 'type ApproveReply is not handled' });
  });

  it('Delete removes a remote video of the actor’s host; nothing of ours is skipped or goes to the registered handler', async () => {
    const deletes: string[] = [];
    const t = setup((inbox) =>
      inbox.orElse('Delete', async (a) => {
        deletes.push(a.body.object as string);
        return { status: 'processed' };
      }),
    );
    t.videos.add({ url: `http://${B}/videos/watch/v1`, isLocal: false });
    expect(await t.handle({ type: 'Delete', object: `http://${B}/videos/watch/v1` })).toEqual({ status: 'processed' });
    expect(t.videos.videos.map((v) => v.url)).toEqual([t.localVideo.url]);
    expect(await t.handle({ type: 'Delete', object: `http://${B}/comments/1` })).toEqual({ status: 'processed' });
    expect(deletes).toEqual([`http://${B}/comments/1`]);

    const plain = setup();
    expect(await plain.handle({ type: 'Delete', object: plain.localVideo.url })).toEqual({ status: 'skipped', why: 'nothing of ours to delete' });
    expect(plain.videos.videos.map((v) => v.url)).toEqual([plain.localVideo.url]);
    expect(await plain.handle({ type: 'Delete' })).toEqual({ status: 'skipped', why: 'Delete without object' });
  });

  it('Announce of a video we do not know fetches and stores it (host followed); a known one is skipped', async () => {
    const t = setup();
    await t.followB();
    const url = `http://${B}/videos/watch/v9`;
    t.importer.remoteObjects.set(url, video(url));
    expect(await t.handle({ type: 'Announce', object: url })).toEqual({ status: 'processed' });
    expect(t.videos.videos.map((v) => v.url)).toContain(url);
    expect(await t.handle({ type: 'Announce', object: url })).toEqual({ status: 'skipped', why: 'already known' });
    expect(t.importer.imported).toEqual([url]);
    expect(await t.handle({ type: 'Announce' })).toEqual({ status: 'skipped', why: 'Announce without object' });
  });

  it('Announce of a video whose origin is down is retried (throws); of a video that is gone, skipped only if the fetch is refused as invalid', async () => {
    const t = setup();
    await t.followB();
    const url = `http://${B}/videos/watch/v9`;
    t.importer.unreachable.add(url);
    await expect(t.handle({ type: 'Announce', object: url })).rejects.toThrow(/connection refused/);
    t.importer.unreachable.delete(url);
    t.importer.remoteObjects.set(url, video(url, { invalid: true }));
    expect(await t.handle({ type: 'Announce', object: url })).toEqual({ status: 'skipped', why: 'invalid Video object' });
  });
});
