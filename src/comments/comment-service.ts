import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import type { InboundNote } from './comment-note.js';
import type { CommentFederation } from './comment-sender.js';
import type { CommentActor, CommentedVideo, CommentRow, CommentStore } from './comment-store.js';

export type CommentRefusal =
  | { type: 'comments-disabled'; message: string }
  | { type: 'not-found'; message: string }
  | { type: 'forbidden'; message: string };

export type InboundOutcome = { status: 'processed' } | { status: 'skipped'; why: string };

/** One of our users, as the comment service needs it. */
export interface Commenter {
  accountId: number;
  actor: CommentActor;
  /** moderators and admins may delete any comment */
  canModerate: boolean;
}

/** PeerTube resolves a reply's parents up to the video; so do we, this deep at most. */
const MAX_THREAD_DEPTH = 20;

const processed: InboundOutcome = { status: 'processed' };
const skipped = (why: string): InboundOutcome => ({ status: 'skipped', why });
const hostOf = (url: string) => new URL(url).host;

/**
 * Comments as PeerTube keeps them (VideoComment, AP Note): threads and replies on our videos and
 * on remote videos we hold, from our users (sent to the video's origin, or to our followers when
 * the video is ours) and from remote accounts (approved with ApproveReply and forwarded when the
 * video is ours); a Delete by the author or the video's owner leaves a tombstone.
 */
export function createCommentService(deps: {
  comments: CommentStore;
  federation: CommentFederation;
  clock: Clock;
  logger: Logger;
  /** our url of one of our comments */
  commentUrl(videoUuid: string, commentId: number): string;
  /** fetches a Note we do not have (a reply's parent), already parsed; null when it cannot be had */
  fetchNote?(url: string): Promise<InboundNote | null>;
}) {
  const { comments } = deps;
  const log = deps.logger.child({ component: 'comments' });

  /** The authors of the comments a comment answers (its parent chain), deleted ones left out. */
  async function parentAuthors(row: Pick<CommentRow, 'inReplyToCommentId'>): Promise<CommentActor[]> {
    const authors: CommentActor[] = [];
    let id = row.inReplyToCommentId;
    for (let depth = 0; id !== null && depth < 100; depth++) {
      const parent = await comments.byId(id);
      if (!parent) break;
      if (parent.account) authors.push(parent.account.actor);
      id = parent.inReplyToCommentId;
    }
    return authors;
  }

  type Thread = { video: CommentedVideo; parent: (CommentRow & { video: CommentedVideo }) | null };

  /**
   * What a Note answers: a video we have, or a comment we have; else (PeerTube's resolveThread)
   * the parent Note is fetched from its origin and stored first, up to a video we have.
   */
  async function resolveThread(inReplyTo: string, accountOf: (actorUrl: string) => Promise<number>, depth: number): Promise<Thread | null> {
    const video = await comments.videoByUrl(inReplyTo);
    if (video) return { video, parent: null };
    const known = await comments.byUrl(inReplyTo);
    if (known) return { video: known.video, parent: known };
    if (!deps.fetchNote || depth >= MAX_THREAD_DEPTH) return null;
    const note = await deps.fetchNote(inReplyTo);
    if (!note || note.id !== inReplyTo || hostOf(note.attributedTo) !== hostOf(note.id)) return null;
    const above = await resolveThread(note.inReplyTo, accountOf, depth + 1);
    if (!above || (above.video.isLocal && !above.video.commentsEnabled)) return null;
    const { row } = await comments.create({
      videoId: above.video.id,
      accountId: await accountOf(note.attributedTo),
      url: note.id,
      inReplyTo: above.parent ? { id: above.parent.id, originCommentId: above.parent.originCommentId } : null,
      text: note.content,
      at: new Date(note.published ?? deps.clock.now().toISOString()),
    });
    return { video: above.video, parent: { ...row, video: above.video } };
  }

  /** An inbound Create of a Note: `accountOf` gives (or makes) the account of a remote actor. */
  async function receiveNote(input: { note: InboundNote; actorUrl: string; accountOf: (actorUrl: string) => Promise<number>; rawBody?: string | undefined; signed: boolean }): Promise<InboundOutcome> {
    const { note } = input;
    if (note.attributedTo !== input.actorUrl) return skipped('Note attributed to another actor than the sender');
    if (hostOf(note.id) !== hostOf(input.actorUrl)) return skipped('Note of another host than its author');
    const thread = await resolveThread(note.inReplyTo, input.accountOf, 0);
    if (!thread) return skipped('Note in reply to something we do not know');
    const { video, parent } = thread;
    if (video.isLocal && !video.commentsEnabled) return skipped('comments are disabled on this video');
    const at = new Date(note.published ?? deps.clock.now().toISOString());
    const { row, created } = await comments.create({
      videoId: video.id,
      accountId: await input.accountOf(input.actorUrl),
      url: note.id,
      inReplyTo: parent ? { id: parent.id, originCommentId: parent.originCommentId } : null,
      text: note.content,
      at,
    });
    if (!created) return skipped('comment already known');
    if (video.isLocal && row.account) {
      // PeerTube approves a reply it accepts on its video, then forwards the Create to its followers
      await deps.federation.sendApproveReply({ video, commentDbId: row.id, commentUrl: note.id, inReplyTo: note.inReplyTo, author: row.account.actor });
      if (input.signed && input.rawBody) await deps.federation.forward({ rawBody: input.rawBody, video, exceptHost: hostOf(input.actorUrl) });
    }
    return processed;
  }

  /** An inbound Delete of a comment: by its author, or by the video's owner. */
  async function receiveDelete(input: { objectUrl: string; actorUrl: string; rawBody?: string | undefined; signed: boolean }): Promise<InboundOutcome> {
    const comment = await comments.byUrl(input.objectUrl);
    if (!comment) return skipped('nothing of ours to delete');
    if (comment.deletedAt) return skipped('comment already deleted');
    const byAuthor = comment.account?.actor.url === input.actorUrl;
    const byVideoOwner = comment.video.accountActor.url === input.actorUrl && comment.video.accountActor.host !== null;
    if (!byAuthor && !byVideoOwner) return skipped('Delete of a comment by neither its author nor the video owner');
    await comments.markDeleted(comment.id, deps.clock.now());
    if (comment.video.isLocal && input.signed && input.rawBody) await deps.federation.forward({ rawBody: input.rawBody, video: comment.video, exceptHost: hostOf(input.actorUrl) });
    return processed;
  }

  /** PeerTube's ApproveReply: the video's owner approves one of our users' comments. */
  async function receiveApproveReply(input: { activityId: string; objectUrl: string; actorUrl: string }): Promise<InboundOutcome> {
    const comment = await comments.byUrl(input.objectUrl);
    if (!comment || comment.deletedAt) return skipped('ApproveReply of a comment we do not have');
    if (!comment.account || comment.account.actor.host !== null) return skipped('ApproveReply of a comment that is not ours');
    if (comment.video.accountActor.url !== input.actorUrl) return skipped('ApproveReply by another actor than the video owner');
    if (comment.replyApproval === input.activityId) return skipped('already approved');
    await comments.setApproval(comment.id, input.activityId);
    return processed;
  }

  /** POST a thread (`inReplyToId` absent) or a reply by one of our users. */
  async function createLocal(input: { by: Commenter; video: CommentedVideo; text: string; inReplyToId?: number }): Promise<Result<CommentRow, CommentRefusal>> {
    const { video, by } = input;
    if (!video.commentsEnabled) return fail({ type: 'comments-disabled', message: 'Video comments are disabled' });
    let parent: (CommentRow & { video: CommentedVideo }) | null = null;
    if (input.inReplyToId !== undefined) {
      parent = await comments.byId(input.inReplyToId);
      if (!parent || parent.videoId !== video.id) return fail({ type: 'not-found', message: 'Video comment not found' });
    }
    const { row } = await comments.create(
      { videoId: video.id, accountId: by.accountId, inReplyTo: parent ? { id: parent.id, originCommentId: parent.originCommentId } : null, text: input.text, at: deps.clock.now() },
      (id) => deps.commentUrl(video.uuid, id),
    );
    await deps.federation.sendCreate({
      note: { url: row.url!, text: row.text, inReplyTo: parent?.url ?? video.url, authorUrl: by.actor.url, published: row.createdAt, updated: row.updatedAt, replyApproval: null },
      author: by.actor,
      video,
      parentAuthors: await parentAuthors(row),
    });
    log.debug({ video: video.uuid, comment: row.id }, 'comment created');
    return ok(row);
  }

  /** DELETE by the author, the video's owner or a moderator: a tombstone, and a Delete to those who got the Note. */
  async function deleteLocal(input: { by: Commenter & { userId: number }; video: CommentedVideo; commentId: number }): Promise<Result<null, CommentRefusal>> {
    const comment = await comments.byId(input.commentId);
    if (!comment || comment.videoId !== input.video.id || comment.deletedAt) return fail({ type: 'not-found', message: 'Video comment not found' });
    const isAuthor = comment.accountId === input.by.accountId;
    const isVideoOwner = input.video.ownerUserId === input.by.userId;
    if (!isAuthor && !isVideoOwner && !input.by.canModerate) return fail({ type: 'forbidden', message: 'Cannot remove video comment of another user' });
    await comments.markDeleted(comment.id, deps.clock.now());
    // PeerTube: the author sends the Delete of its own comment, the video's account that of another's
    const author = comment.account?.actor;
    const by = author && author.host === null ? author : input.video.accountActor.host === null ? input.video.accountActor : null;
    if (by && comment.url) await deps.federation.sendDelete({ commentUrl: comment.url, by, video: input.video, parentAuthors: await parentAuthors(comment) });
    return ok(null);
  }

  return { receiveNote, receiveDelete, receiveApproveReply, createLocal, deleteLocal, videoByUrl: (url: string) => comments.videoByUrl(url) };
}

export type CommentService = ReturnType<typeof createCommentService>;
