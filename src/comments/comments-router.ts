import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { hasRight } from '../accounts/index.js';
import type { Auth } from '../http/auth.js';
import { currentUser } from '../http/auth.js';
import { paginationSchema, validate } from '../http/middleware.js';
import { Problem } from '../http/problem.js';
import { loadVisibleVideo } from '../http/api/visible-video.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { buildCommentTree, formatComment } from './comment-format.js';
import type { CommentRefusal, CommentService } from './comment-service.js';
import type { CommentQueryStore } from './comment-store.js';

const listQuery = paginationSchema.extend({ sort: z.enum(['createdAt', '-createdAt', 'totalReplies', '-totalReplies']).default('-createdAt') });
const textBody = z.object({ text: z.string().trim().min(1).max(10_000) });
const idParam = z.coerce.number().int().positive();
const STATUS: Record<CommentRefusal['type'], number> = { 'comments-disabled': 409, 'not-found': 404, forbidden: 403 };

/** PeerTube's comment API: threads, a thread's tree, new threads and replies, deletion. */
export function commentsRouter(deps: { comments: CommentService; queries: CommentQueryStore; videos: Pick<VideoQueries, 'findByRef'>; auth: Auth; urls: InstanceUrls }): Router {
  const { auth, urls } = deps;
  const router = new Router();

  async function commentedVideo(ctx: Koa.Context) {
    const visible = await loadVisibleVideo(ctx, deps.videos, ctx.params.videoId ?? '');
    const video = await deps.comments.videoByUrl(visible.url);
    if (!video) throw new Problem(404, 'Video not found');
    return video;
  }
  const commenter = (ctx: Koa.Context) => {
    const user = currentUser(ctx);
    return { accountId: user.account.id, actor: user.account.actor, canModerate: hasRight(user.role, 'MANAGE_ANY_VIDEO'), userId: user.id };
  };

  router.get('/videos/:videoId/comment-threads', auth.optional, async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    const video = await commentedVideo(ctx);
    // PeerTube lists nothing while comments are disabled
    if (!video.commentsEnabled) {
      ctx.body = { total: 0, totalNotDeletedComments: 0, data: [] };
      return;
    }
    const page = await deps.queries.listThreads(video.id, q);
    ctx.body = {
      total: page.total,
      totalNotDeletedComments: page.totalNotDeleted,
      data: page.data.map((r) => formatComment(r, urls, { totalReplies: r.totalReplies, totalRepliesFromVideoAuthor: r.totalRepliesFromVideoAuthor })),
    };
  });

  router.get('/videos/:videoId/comment-threads/:threadId', auth.optional, async (ctx) => {
    const threadId = validate(idParam, ctx.params.threadId, 'threadId');
    const video = await commentedVideo(ctx);
    const tree = buildCommentTree(await deps.queries.thread(video.id, threadId), threadId, urls);
    if (!tree) throw new Problem(404, 'Video comment thread not found');
    ctx.body = tree;
  });

  router.post('/videos/:videoId/comment-threads', auth.required, async (ctx) => {
    const { text } = validate(textBody, ctx.request.body ?? {}, 'comment');
    const video = await commentedVideo(ctx);
    const made = await deps.comments.createLocal({ by: commenter(ctx), video, text });
    if (!made.ok) throw new Problem(STATUS[made.reason.type], made.reason.message);
    ctx.body = { comment: formatComment(made.value, urls) };
  });

  router.post('/videos/:videoId/comments/:commentId', auth.required, async (ctx) => {
    const commentId = validate(idParam, ctx.params.commentId, 'commentId');
    const { text } = validate(textBody, ctx.request.body ?? {}, 'comment');
    const video = await commentedVideo(ctx);
    const made = await deps.comments.createLocal({ by: commenter(ctx), video, text, inReplyToId: commentId });
    if (!made.ok) throw new Problem(STATUS[made.reason.type], made.reason.message);
    ctx.body = { comment: formatComment(made.value, urls) };
  });

  router.delete('/videos/:videoId/comments/:commentId', auth.required, async (ctx) => {
    const commentId = validate(idParam, ctx.params.commentId, 'commentId');
    const video = await commentedVideo(ctx);
    const done = await deps.comments.deleteLocal({ by: commenter(ctx), video, commentId });
    if (!done.ok) throw new Problem(STATUS[done.reason.type], done.reason.message);
    ctx.status = 204;
  });
  return router;
}
