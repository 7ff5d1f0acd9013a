import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/generated/prisma/client.js';
import { inboundNote } from '../../../src/comments/comment-note.js';
import { createCommentService } from '../../../src/comments/comment-service.js';
import type { CommentedVideo } from '../../../src/comments/comment-store.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { actor, memoryComments, recordingFederation } from './fakes.js';

const session2 = readFileSync(`${PEERTUBE_REAL_DIR}/session-2/to-mirrortube.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { seq: number; requestBody: string });
const captured = (seq: number) => JSON.parse(session2.find((e) => e.seq === seq)!.requestBody) as Record<string, unknown> & { actor: string; object: unknown; id: string };

const US = 'http://localhost:19500';
const OUR_ROOT = actor(`${US}/accounts/root`, true);
const OUR_CHANNEL = actor(`${US}/video-channels/root_channel`, true);
const PT_ROOT = actor('http://localhost:9000/accounts/root');
const OUR_VIDEO: CommentedVideo = { id: 2, uuid: '8fffed66-eb54-40dc-91c4-f4f4a3c92d5b', url: `${US}/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b`, isLocal: true, privacy: 1, commentsEnabled: true, accountActor: OUR_ROOT, channelActor: OUR_CHANNEL, ownerUserId: 1 };
const PT_VIDEO: CommentedVideo = { id: 3, uuid: '9c034b30-c3ba-4d72-87cb-2c4b81391e52', url: 'http://localhost:9000/videos/watch/9c034b30-c3ba-4d72-87cb-2c4b81391e52', isLocal: false, privacy: 1, commentsEnabled: true, accountActor: PT_ROOT, channelActor: actor('http://localhost:9000/video-channels/root_channel'), ownerUserId: null };

function setup() {
  const accounts = new Map<number, Actor>([
    [1, OUR_ROOT],
    [10, PT_ROOT],
    [11, actor('http://localhost:9000/accounts/other')],
    [12, actor(`${US}/accounts/alice`, true)],
  ]);
  const mem = memoryComments([OUR_VIDEO, PT_VIDEO], accounts);
  const fed = recordingFederation();
  const clock = createManualClock(new Date('2026-12-07T11:21:03.760Z'));
  const service = createCommentService({ comments: mem.store, federation: fed.federation, clock, logger: createLogger({ level: 'silent' }), commentUrl: (uuid, id) => `${US}/videos/watch/${uuid}/comments/${id}` });
  const accountIdOf = (url: string) => [...accounts].find(([, a]) => a.url === url)![0];
  const receive = (body: ReturnType<typeof captured>) =>
    service.receiveNote({ note: inboundNote.parse(body.object), actorUrl: body.actor, accountOf: (url) => Promise.resolve(accountIdOf(url)), rawBody: JSON.stringify(body), signed: true });
  return { ...mem, ...fed, clock, service, receive };
}

describe('comments from PeerTube (session-2 seq 135, 136, 155)', () => {
  it('a thread and a reply on our video are stored, approved (ApproveReply) and forwarded; the author deletes the reply', async () => {
    const t = setup();
    expect(await t.receive(captured(135))).toEqual({ status: 'processed' });
    expect(await t.receive(captured(136))).toEqual({ status: 'processed' });
    expect(t.rows.map((r) => [r.url, r.text, r.originCommentId, r.inReplyToCommentId])).toEqual([
      ['http://localhost:9000/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b/comments/1', 'hello', null, null],
      ['http://localhost:9000/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b/comments/2', 'a reply to hello', 1, 1],
    ]);
    expect(t.calls.map((c) => c.kind)).toEqual(['approve', 'forward', 'approve', 'forward']);
    expect(t.calls[2]!.input).toMatchObject({ commentDbId: 2, commentUrl: 'http://localhost:9000/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b/comments/2', inReplyTo: 'http://localhost:9000/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b/comments/1' });
    // the same Create again (a retry): nothing new
    expect(await t.receive(captured(135))).toMatchObject({ status: 'skipped' });
    expect(t.rows).toHaveLength(2);

    const del = captured(155);
    expect(await t.service.receiveDelete({ objectUrl: del.object as string, actorUrl: del.actor, rawBody: JSON.stringify(del), signed: true })).toEqual({ status: 'processed' });
    expect(t.rows[1]).toMatchObject({ text: '', accountId: null, deletedAt: t.clock.now() });
    expect(t.rows[0]).toMatchObject({ text: 'hello', deletedAt: null });
  });

  it('refuses a Note attributed to someone else, from another host, or in reply to something unknown', async () => {
    const t = setup();
    const c = captured(135);
    const note = c.object as Record<string, unknown>;
    expect(await t.receive({ ...c, object: { ...note, attributedTo: 'http://localhost:9000/accounts/other' } })).toMatchObject({ status: 'skipped' });
    expect(await t.receive({ ...c, object: { ...note, id: 'http://elsewhere.example/comments/1' } })).toMatchObject({ status: 'skipped' });
    expect(await t.receive({ ...c, object: { ...note, inReplyTo: 'http://localhost:9000/videos/watch/unknown' } })).toMatchObject({ status: 'skipped' });
    expect(t.rows).toHaveLength(0);
  });

  it('a reply whose parent we do not have: the parent is fetched from its origin and stored first (PeerTube resolveThread)', async () => {
    const t = setup();
    const fetched: string[] = [];
    const parentNote = captured(135).object as Record<string, unknown>;
    const service = createCommentService({
      comments: t.store,
      federation: t.federation,
      clock: t.clock,
      logger: createLogger({ level: 'silent' }),
      commentUrl: () => '',
      fetchNote: (url) => {
        fetched.push(url);
        return Promise.resolve(url === parentNote.id ? inboundNote.parse(parentNote) : null);
      },
    });
    const reply = captured(136);
    const accountOf = (url: string) => Promise.resolve(url === PT_ROOT.url ? 10 : 11);
    expect(await service.receiveNote({ note: inboundNote.parse(reply.object), actorUrl: reply.actor, accountOf, signed: true })).toEqual({ status: 'processed' });
    expect(fetched).toEqual([parentNote.id]);
    expect(t.rows.map((r) => [r.text, r.originCommentId, r.inReplyToCommentId])).toEqual([
      ['hello', null, null],
      ['a reply to hello', 1, 1],
    ]);
    // a fetched document that is not the Note asked for is not stored
    const orphan = { ...(reply.object as object), id: 'http://localhost:9000/videos/watch/x/comments/9', inReplyTo: 'http://localhost:9000/videos/watch/x/comments/8' };
    expect(await service.receiveNote({ note: inboundNote.parse(orphan), actorUrl: reply.actor, accountOf, signed: true })).toMatchObject({ status: 'skipped' });
    expect(t.rows).toHaveLength(2);
  });

  it('a Delete by someone who is neither the author nor the video owner changes nothing', async () => {
    const t = setup();
    await t.receive(captured(135));
    const out = await t.service.receiveDelete({ objectUrl: t.rows[0]!.url!, actorUrl: 'http://localhost:9000/accounts/other', signed: true });
    expect(out).toMatchObject({ status: 'skipped' });
    expect(t.rows[0]!.deletedAt).toBeNull();
  });

  it('a comment on a remote video we hold is stored, not approved nor forwarded', async () => {
    const t = setup();
    const body = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/activity-Create-Note-received-by-a.json`, 'utf8')) as ReturnType<typeof captured>;
    // as relayed by the video's origin to its followers: the author is 9001's root
    const accounts = new Map([[20, actor('http://localhost:9001/accounts/root')]]);
    const service = createCommentService({
      comments: memoryComments([PT_VIDEO], accounts).store,
      federation: t.federation,
      clock: t.clock,
      logger: createLogger({ level: 'silent' }),
      commentUrl: () => '',
    });
    expect(await service.receiveNote({ note: inboundNote.parse(body.object), actorUrl: body.actor, accountOf: () => Promise.resolve(20), signed: true })).toEqual({ status: 'processed' });
    expect(t.calls).toEqual([]);
  });
});

describe('our users comment', () => {
  const alice = { accountId: 12, actor: actor(`${US}/accounts/alice`, true), canModerate: false };

  it('on a remote video: a thread then a reply, each sent as a Create Note with our URL; ApproveReply by the video owner approves', async () => {
    const t = setup();
    const thread = await t.service.createLocal({ by: alice, video: PT_VIDEO, text: 'first' });
    expect(thread.ok && thread.value.url).toBe(`${US}/videos/watch/${PT_VIDEO.uuid}/comments/1`);
    const reply = await t.service.createLocal({ by: alice, video: PT_VIDEO, text: 'second', inReplyToId: 1 });
    expect(reply.ok && [reply.value.originCommentId, reply.value.inReplyToCommentId]).toEqual([1, 1]);
    expect(t.calls.map((c) => c.kind)).toEqual(['create', 'create']);
    expect(t.calls[1]!.input).toMatchObject({ note: { url: `${US}/videos/watch/${PT_VIDEO.uuid}/comments/2`, inReplyTo: `${US}/videos/watch/${PT_VIDEO.uuid}/comments/1`, authorUrl: alice.actor.url } });

    const approve = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/activity-ApproveReply-received-by-b.json`, 'utf8')) as { id: string; actor: string };
    // by another actor than the video's owner: refused
    expect(await t.service.receiveApproveReply({ activityId: approve.id, objectUrl: `${US}/videos/watch/${PT_VIDEO.uuid}/comments/1`, actorUrl: 'http://localhost:9000/accounts/other' })).toMatchObject({ status: 'skipped' });
    expect(await t.service.receiveApproveReply({ activityId: approve.id, objectUrl: `${US}/videos/watch/${PT_VIDEO.uuid}/comments/1`, actorUrl: approve.actor })).toEqual({ status: 'processed' });
    expect(t.rows[0]!.replyApproval).toBe(approve.id);
  });

  it('refuses comments on a video with comments disabled, and replies to a comment of another video', async () => {
    const t = setup();
    const off = await t.service.createLocal({ by: alice, video: { ...OUR_VIDEO, commentsEnabled: false }, text: 'x' });
    expect(!off.ok && off.reason.type).toBe('comments-disabled');
    await t.service.createLocal({ by: alice, video: PT_VIDEO, text: 'x' });
    const cross = await t.service.createLocal({ by: alice, video: OUR_VIDEO, text: 'y', inReplyToId: 1 });
    expect(!cross.ok && cross.reason.type).toBe('not-found');
  });

  it('deletion: by the author, the video owner or a moderator only; a tombstone and a Delete', async () => {
    const t = setup();
    await t.receive(captured(135)); // PeerTube's root on our video
    await t.service.createLocal({ by: alice, video: OUR_VIDEO, text: 'mine' });
    const bob = { accountId: 99, actor: actor(`${US}/accounts/bob`, true), canModerate: false, userId: 7 };
    const refused = await t.service.deleteLocal({ by: bob, video: OUR_VIDEO, commentId: 2 });
    expect(!refused.ok && refused.reason.type).toBe('forbidden');
    expect((await t.service.deleteLocal({ by: { ...alice, userId: 5 }, video: OUR_VIDEO, commentId: 2 })).ok).toBe(true);
    // the video's owner (user 1) removes a remote comment on the video: the video's account sends the Delete
    expect((await t.service.deleteLocal({ by: { accountId: 1, actor: OUR_ROOT, canModerate: false, userId: 1 }, video: OUR_VIDEO, commentId: 1 })).ok).toBe(true);
    const deletes = t.calls.filter((c) => c.kind === 'delete').map((c) => [c.input.commentUrl, (c.input.by as Actor).url]);
    expect(deletes).toEqual([
      [`${US}/videos/watch/${OUR_VIDEO.uuid}/comments/2`, alice.actor.url],
      ['http://localhost:9000/videos/watch/8fffed66-eb54-40dc-91c4-f4f4a3c92d5b/comments/1', OUR_ROOT.url],
    ]);
    expect(t.rows.every((r) => r.deletedAt !== null && r.text === '')).toBe(true);
    const again = await t.service.deleteLocal({ by: { ...alice, userId: 5 }, video: OUR_VIDEO, commentId: 2 });
    expect(!again.ok && again.reason.type).toBe('not-found');
  });
});
