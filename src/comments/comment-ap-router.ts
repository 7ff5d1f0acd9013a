import Router from '@koa/router';
import { z } from 'zod';
import { negotiateActivityJson, sendActivityJson } from '../http/activitypub/index.js';
import { withContext } from '../federation/vocab/index.js';
import { buildNote, buildTombstone, noteAudience } from './comment-note.js';
import type { CommentStore } from './comment-store.js';

const idParam = z.coerce.number().int().positive();

/**
 * Our comments as AP objects at the URLs we publish (`/videos/watch/<uuid>/comments/<id>`, as
 * PeerTube): a Note, or a Tombstone once deleted; a remote comment we hold redirects to its origin.
 */
export function commentApRouter(deps: { comments: Pick<CommentStore, 'byId'>; commentUrl(videoUuid: string, commentId: number): string }): Router {
  const router = new Router();
  router.get('/videos/watch/:uuid/comments/:commentId', async (ctx, next) => {
    if (!negotiateActivityJson(ctx)) return next();
    const id = idParam.safeParse(ctx.params.commentId);
    const comment = id.success ? await deps.comments.byId(id.data) : null;
    if (!comment || comment.video.uuid !== ctx.params.uuid || ![1, 2].includes(comment.video.privacy) || !comment.url) {
      ctx.status = 404;
      ctx.body = { error: 'Video comment not found' };
      return;
    }
    if (comment.url !== deps.commentUrl(comment.video.uuid, comment.id)) {
      ctx.redirect(comment.url);
      return;
    }
    const parent = comment.inReplyToCommentId ? await deps.comments.byId(comment.inReplyToCommentId) : null;
    const inReplyTo = parent?.url ?? comment.video.url;
    if (comment.deletedAt || !comment.account) {
      sendActivityJson(ctx, withContext(buildTombstone({ url: comment.url, inReplyTo, published: comment.createdAt, updated: comment.updatedAt, deleted: comment.deletedAt ?? comment.updatedAt }), 'Comment'));
      return;
    }
    const author = comment.account.actor.url;
    sendActivityJson(
      ctx,
      withContext(
        buildNote({ url: comment.url, text: comment.text, inReplyTo, authorUrl: author, published: comment.createdAt, updated: comment.updatedAt, replyApproval: comment.replyApproval, audience: noteAudience(author) }),
        'Comment',
      ),
    );
  });
  return router;
}
