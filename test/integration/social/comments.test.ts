import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followAndWait, hostOf, uploadSeenByFollower } from '../../support/follow.js';
import { waitFor } from '../../support/ports.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { PEERTUBE_REAL_DIR } from '../../support/reference.js';

interface Comment {
  id: number;
  url: string;
  text: string;
  threadId: number;
  inReplyToCommentId: number | null;
  isDeleted: boolean;
  totalReplies: number;
  account: { name: string; host: string } | null;
}
interface Threads {
  total: number;
  totalNotDeletedComments: number;
  data: Comment[];
}
interface Tree {
  comment: Comment;
  children: Tree[];
}

/** Comments between two of our instances: B follows A; users of both comment on A's video. */
describe('comments: threads and replies over the API, federated both ways', () => {
  let a: TestInstance;
  let b: TestInstance;
  let uuid = '';
  const threads = (t: TestInstance) => t.json<Threads>(`/api/v1/videos/${uuid}/comment-threads`, { token: null });
  const post = (t: TestInstance, path: string, text: string, token?: string | null) =>
    t.api(`/api/v1/videos/${uuid}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), ...(token === undefined ? {} : { token }) });

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres' }), startTestInstance({ db: 'embedded' })]);
    await followAndWait(b, a);
    uuid = await uploadSeenByFollower(a, b, 'commented');
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((t) => t.stop()));
  });

  it('validates and needs a user', async () => {
    expect((await post(a, 'comment-threads', 'anonymous', null)).status).toBe(401);
    expect((await post(a, 'comment-threads', '   ')).status).toBe(400);
    expect((await post(a, 'comments/999999', 'reply to nothing')).status).toBe(404);
    expect(await threads(a)).toEqual({ total: 0, totalNotDeletedComments: 0, data: [] });
  });

  it("B's user comments on A's video: A lists it, approves it (ApproveReply), B serves the Note at its URL", async () => {
    const res = await post(b, 'comment-threads', 'hello from B');
    expect(res.status).toBe(200);
    const { comment } = (await res.json()) as { comment: Comment };
    expect(comment).toMatchObject({ text: 'hello from B', threadId: comment.id, inReplyToCommentId: null, isDeleted: false, account: { name: 'root', host: hostOf(b) } });
    expect(comment.url).toBe(`${b.url}/videos/watch/${uuid}/comments/${comment.id}`);

    const onA = await waitFor('the comment on A', async () => ((await threads(a)).total === 1 ? threads(a) : undefined), 60_000);
    expect(onA).toMatchObject({ total: 1, totalNotDeletedComments: 1, data: [{ text: 'hello from B', url: comment.url, account: { name: 'root', host: hostOf(b) } }] });

    const note = await waitFor('the approval on B', async () => {
      const r = await fetch(comment.url, { headers: { accept: 'application/activity+json' } });
      const doc = (await r.json()) as { replyApproval: string | null };
      return doc.replyApproval ? doc : undefined;
    }, 60_000);
    expect(note).toMatchObject({ type: 'Note', id: comment.url, content: 'hello from B', mediaType: 'text/markdown', inReplyTo: `${a.url}/videos/watch/${uuid}`, attributedTo: `${b.url}/accounts/root` });
    // the keys, in order, of the Note PeerTube 6.3 serves for a comment (session-2 pt-comment-note-ap.json)
    const ptNote = JSON.parse(readFileSync(`${PEERTUBE_REAL_DIR}/session-2/pt-comment-note-ap.json`, 'utf8')) as object;
    expect(Object.keys(note)).toEqual(Object.keys(ptNote));
    expect((note as unknown as { replyApproval: string }).replyApproval).toMatch(new RegExp(`^${a.url}/videos/watch/${uuid}/comments/\\d+/approve-reply$`));
  });

  it("A's user replies: the reply reaches B; both trees agree", async () => {
    const thread = (await threads(a)).data[0]!;
    const res = await post(a, `comments/${thread.id}`, 'a reply from A');
    expect(res.status).toBe(200);
    const tree = await a.json<Tree>(`/api/v1/videos/${uuid}/comment-threads/${thread.id}`, { token: null });
    expect(tree.comment.text).toBe('hello from B');
    expect(tree.children.map((c) => [c.comment.text, c.comment.inReplyToCommentId, c.comment.threadId])).toEqual([['a reply from A', thread.id, thread.id]]);

    const bThread = (await threads(b)).data[0]!;
    const bTree = await waitFor('the reply on B', async () => {
      const t = await b.json<Tree>(`/api/v1/videos/${uuid}/comment-threads/${bThread.id}`, { token: null });
      return t.children.length === 1 ? t : undefined;
    }, 60_000);
    expect(bTree.children[0]!.comment).toMatchObject({ text: 'a reply from A', account: { name: 'root', host: hostOf(a) } });
    // what the video's `comments` collection lists on A: both Notes' ids
    const { id: videoId } = await a.json<{ id: number }>(`/api/v1/videos/${uuid}`);
    expect(await a.instance.comments.commentUrls(videoId, { start: 0, count: 10 })).toEqual({ total: 2, items: [thread.url, (await res.json() as { comment: Comment }).comment.url] });
    expect((await threads(b)).data[0]).toMatchObject({ totalReplies: 1 });
    expect(await a.json('/api/v1/server/stats', { token: null })).toMatchObject({ totalLocalVideoComments: 1, totalVideoComments: 2 });
  });

  it('deletion: only the author (or the video owner, a moderator); the thread stays as a tombstone while it has replies', async () => {
    const create = await b.api('/api/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dave', password: 'dave-password', email: 'dave@example.org', role: 2, videoQuota: -1, videoQuotaDaily: -1 }),
    });
    expect(create.status).toBeLessThan(300);
    const dave = await b.login('dave', 'dave-password');
    const mine = (await threads(b)).data[0]!;
    expect((await b.api(`/api/v1/videos/${uuid}/comments/${mine.id}`, { method: 'DELETE', token: dave })).status).toBe(403);
    expect((await b.api(`/api/v1/videos/${uuid}/comments/${mine.id}`, { method: 'DELETE' })).status).toBe(204);

    const after = await waitFor('the tombstone on A', async () => {
      const t = await threads(a);
      return t.data[0]?.isDeleted ? t : undefined;
    }, 60_000);
    expect(after).toMatchObject({ total: 1, totalNotDeletedComments: 1, data: [{ isDeleted: true, text: '', account: null, totalReplies: 1 }] });
    const tomb = await (await fetch(mine.url, { headers: { accept: 'application/activity+json' } })).json();
    expect(tomb).toMatchObject({ type: 'Tombstone', formerType: 'Note', id: mine.url });

    // comments disabled: none listed, none accepted
    const { id } = await a.json<{ id: number }>(`/api/v1/videos/${uuid}`);
    expect((await a.api(`/api/v1/videos/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ commentsEnabled: false }) })).status).toBe(204);
    expect(await threads(a)).toEqual({ total: 0, totalNotDeletedComments: 0, data: [] });
    expect((await post(a, 'comment-threads', 'closed')).status).toBe(409);
  });
});
