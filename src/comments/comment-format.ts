import { formatAccount } from '../http/api/format/account.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { CommentRow } from './comment-store.js';

/** PeerTube's VideoComment (REST): a deleted comment keeps its place with no text and no account. */
export function formatComment(row: CommentRow, urls: InstanceUrls, totals: { totalReplies?: number; totalRepliesFromVideoAuthor?: number } = {}) {
  return {
    id: row.id,
    url: row.url,
    text: row.deletedAt ? '' : row.text,
    threadId: row.originCommentId ?? row.id,
    inReplyToCommentId: row.inReplyToCommentId,
    videoId: row.videoId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    heldForReview: row.heldForReview,
    isDeleted: row.deletedAt !== null,
    totalRepliesFromVideoAuthor: totals.totalRepliesFromVideoAuthor ?? 0,
    totalReplies: totals.totalReplies ?? 0,
    account: row.account && !row.deletedAt ? formatAccount(row.account, urls) : null,
  };
}

export interface CommentTree {
  comment: ReturnType<typeof formatComment>;
  children: CommentTree[];
}

/** PeerTube's VideoCommentThreadTree from a thread's rows (first comment and replies). */
export function buildCommentTree(rows: CommentRow[], threadId: number, urls: InstanceUrls): CommentTree | null {
  const root = rows.find((r) => r.id === threadId);
  if (!root) return null;
  const byParent = new Map<number, CommentRow[]>();
  for (const r of rows) {
    if (r.inReplyToCommentId === null) continue;
    const list = byParent.get(r.inReplyToCommentId) ?? [];
    list.push(r);
    byParent.set(r.inReplyToCommentId, list);
  }
  const build = (row: CommentRow, depth: number): CommentTree => {
    const children = depth < 200 ? (byParent.get(row.id) ?? []).map((c) => build(c, depth + 1)) : [];
    return { comment: formatComment(row, urls, { totalReplies: children.length }), children };
  };
  return build(root, 0);
}
