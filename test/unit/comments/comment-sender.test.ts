import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCommentFederation } from '../../../src/comments/comment-sender.js';
import type { CommentedVideo } from '../../../src/comments/comment-store.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';
import { actor } from './fakes.js';

const session2 = readFileSync(`${PEERTUBE_REAL_DIR}/session-2/to-mirrortube.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { seq: number; requestBody: string });
const captured = (seq: number) => JSON.parse(session2.find((e) => e.seq === seq)!.requestBody) as Record<string, unknown>;
const keysOf = (o: unknown) => Object.keys(o as object).filter((k) => k !== 'signature');

const US = 'http://us.example';
const ALICE = actor(`${US}/accounts/alice`, true);
const PT_ROOT = actor('http://localhost:9000/accounts/root');
const THEIR_VIDEO: CommentedVideo = { id: 3, uuid: 'u', url: 'http://localhost:9000/videos/watch/u', isLocal: false, privacy: 1, commentsEnabled: true, accountActor: PT_ROOT, channelActor: actor('http://localhost:9000/video-channels/root_channel'), ownerUserId: null };
const OUR_VIDEO: CommentedVideo = { ...THEIR_VIDEO, id: 4, url: `${US}/videos/watch/v`, isLocal: true, accountActor: actor(`${US}/accounts/root`, true), channelActor: actor(`${US}/video-channels/root_channel`, true) };

function setup() {
  const sent: { activity: Record<string, unknown>; signer: number; inboxes: string[] }[] = [];
  const federation = createCommentFederation({
    sender: { send: (activity, t) => Promise.resolve(void sent.push({ activity, signer: t.signerActorId, inboxes: t.inboxes })) },
    followerInboxes: (ids) => Promise.resolve(ids.map((id) => `http://follower-of-${id}.example/inbox`)),
    forwardActivity: () => Promise.resolve(),
    wake: () => {},
    instance: { instanceActor: () => Promise.resolve({ id: 1, url: `${US}/accounts/peertube` }) },
  });
  return { sent, federation };
}
const note = { url: `${US}/videos/watch/u/comments/7`, text: 'hi', inReplyTo: THEIR_VIDEO.url, authorUrl: ALICE.url, published: new Date(0), updated: new Date(0), replyApproval: null };

describe('comment activities as PeerTube sends them', () => {
  it('Create Note on a remote video: the shape of seq 135, to the origin and our followers', async () => {
    const t = setup();
    await t.federation.sendCreate({ note, author: ALICE, video: THEIR_VIDEO, parentAuthors: [] });
    const [{ activity, signer, inboxes }] = t.sent as [(typeof t.sent)[0]];
    expect(keysOf(activity)).toEqual(keysOf(captured(135)));
    expect(keysOf(activity.object)).toEqual(keysOf(captured(135).object));
    expect(activity).toMatchObject({ type: 'Create', id: `${note.url}/activity`, actor: ALICE.url, cc: [], object: { type: 'Note', id: note.url, inReplyTo: THEIR_VIDEO.url, attributedTo: ALICE.url, mediaType: 'text/markdown' } });
    expect(activity.to).toEqual(expect.arrayContaining(['https://www.w3.org/ns/activitystreams#Public', `${ALICE.url}/followers`, `${PT_ROOT.url}/followers`]));
    expect(signer).toBe(ALICE.id);
    expect(inboxes.sort()).toEqual([`http://follower-of-${ALICE.id}.example/inbox`, 'http://localhost:9000/inbox'].sort());
  });

  it('Create Note on our video goes to the followers of the video and of the author; a reply to a remote comment to its author too', async () => {
    const t = setup();
    await t.federation.sendCreate({ note: { ...note, inReplyTo: 'http://localhost:9000/videos/watch/v/comments/1' }, author: ALICE, video: OUR_VIDEO, parentAuthors: [PT_ROOT] });
    const [{ activity, inboxes }] = t.sent as [(typeof t.sent)[0]];
    expect(activity.to).toEqual(['https://www.w3.org/ns/activitystreams#Public']);
    expect(activity.cc).toEqual(expect.arrayContaining([`${ALICE.url}/followers`, PT_ROOT.url, `${US}/accounts/peertube/followers`]));
    expect(inboxes.sort()).toEqual(
      [ALICE.id, OUR_VIDEO.accountActor.id, OUR_VIDEO.channelActor.id, 1].map((id) => `http://follower-of-${id}.example/inbox`).concat('http://localhost:9000/inbox').sort(),
    );
  });

  it('Delete and ApproveReply: the shapes of seq 155 and activity-ApproveReply-received-by-b.json', async () => {
    const t = setup();
    await t.federation.sendDelete({ commentUrl: note.url, by: ALICE, video: THEIR_VIDEO, parentAuthors: [] });
    expect(keysOf(t.sent[0]!.activity)).toEqual(keysOf(captured(155)));
    expect(t.sent[0]!.activity).toMatchObject({ type: 'Delete', id: `${note.url}/delete`, object: note.url, to: ['https://www.w3.org/ns/activitystreams#Public'] });
    expect(t.sent[0]!.activity.cc).toEqual(expect.arrayContaining([PT_ROOT.url, `${ALICE.url}/followers`]));

    await t.federation.sendApproveReply({ video: OUR_VIDEO, commentDbId: 5, commentUrl: 'http://localhost:9000/videos/watch/v/comments/1', inReplyTo: OUR_VIDEO.url, author: PT_ROOT });
    const approve = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/activity-ApproveReply-received-by-b.json`, 'utf8')) as Record<string, unknown>;
    expect(keysOf(t.sent[1]!.activity)).toEqual(keysOf(approve));
    expect(t.sent[1]).toMatchObject({
      activity: { '@context': approve['@context'], type: 'ApproveReply', id: `${OUR_VIDEO.url}/comments/5/approve-reply`, actor: OUR_VIDEO.accountActor.url, inReplyTo: OUR_VIDEO.url, object: 'http://localhost:9000/videos/watch/v/comments/1' },
      signer: OUR_VIDEO.accountActor.id,
      inboxes: ['http://localhost:9000/inbox'],
    });
  });
});
