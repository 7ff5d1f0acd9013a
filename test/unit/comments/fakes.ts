import type { Actor } from '../../../src/generated/prisma/client.js';
import type { CommentFederation } from '../../../src/comments/comment-sender.js';
import type { CommentedVideo, CommentRow, CommentStore } from '../../../src/comments/comment-store.js';

export function actor(url: string, local = false): Actor {
  const u = new URL(url);
  return {
    id: Math.abs([...url].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)),
    type: 'Person',
    preferredUsername: u.pathname.split('/').pop()!,
    host: local ? null : u.host,
    url,
    inboxUrl: `${url}/inbox`,
    sharedInboxUrl: `${u.origin}/inbox`,
    outboxUrl: null,
    followersUrl: `${url}/followers`,
    followingUrl: null,
    publicKeyPem: null,
    privateKeyPem: null,
    keyId: null,
    avatarFilename: null,
    avatarWidth: null,
    name: null,
    summary: null,
    lastFetchedAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

/** In-memory CommentStore; accounts are keyed by their actor. */
export function memoryComments(videos: CommentedVideo[], accounts: Map<number, Actor>) {
  const rows: CommentRow[] = [];
  const accountOf = (id: number) => ({ id, name: 'x', displayName: 'x', description: null, actorId: accounts.get(id)!.id, createdAt: new Date(0), updatedAt: new Date(0), actor: accounts.get(id)! });
  const withVideo = (r: CommentRow | undefined) => (r ? { ...r, account: r.accountId ? accountOf(r.accountId) : null, video: videos.find((v) => v.id === r.videoId)! } : null);
  const store: CommentStore = {
    videoByUrl: (url) => Promise.resolve(videos.find((v) => v.url === url) ?? null),
    byUrl: (url) => Promise.resolve(withVideo(rows.find((r) => r.url === url))),
    byId: (id) => Promise.resolve(withVideo(rows.find((r) => r.id === id))),
    create(input, urlFor) {
      const existing = input.url ? rows.find((r) => r.url === input.url) : undefined;
      if (existing) return Promise.resolve({ row: withVideo(existing)!, created: false });
      const id = rows.length + 1;
      const row: CommentRow = {
        id,
        url: input.url ?? urlFor!(id),
        videoId: input.videoId,
        accountId: input.accountId,
        originCommentId: input.inReplyTo ? (input.inReplyTo.originCommentId ?? input.inReplyTo.id) : null,
        inReplyToCommentId: input.inReplyTo?.id ?? null,
        text: input.text,
        heldForReview: false,
        replyApproval: null,
        deletedAt: null,
        createdAt: input.at,
        updatedAt: input.at,
        account: null,
      };
      rows.push(row);
      return Promise.resolve({ row: withVideo(row)!, created: true });
    },
    markDeleted(id, at) {
      Object.assign(rows.find((r) => r.id === id)!, { text: '', accountId: null, deletedAt: at, updatedAt: at });
      return Promise.resolve();
    },
    setApproval(id, approval) {
      Object.assign(rows.find((r) => r.id === id)!, { replyApproval: approval, heldForReview: false });
      return Promise.resolve();
    },
  };
  return { store, rows };
}

export function recordingFederation() {
  const calls: { kind: string; input: Record<string, unknown> }[] = [];
  const federation: CommentFederation = {
    sendCreate: (input) => Promise.resolve(void calls.push({ kind: 'create', input })),
    sendDelete: (input) => Promise.resolve(void calls.push({ kind: 'delete', input })),
    sendApproveReply: (input) => Promise.resolve(void calls.push({ kind: 'approve', input })),
    forward: (input) => Promise.resolve(void calls.push({ kind: 'forward', input })),
  };
  return { federation, calls };
}
