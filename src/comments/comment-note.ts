import { z } from 'zod';
import { AP_PUBLIC, type Audience } from '../federation/vocab/index.js';

/** The parts of an inbound Note we keep (PeerTube's VideoCommentObject). */
export const inboundNote = z.object({
  type: z.literal('Note'),
  id: z.string().url(),
  content: z.string().max(100_000),
  inReplyTo: z.string().url(),
  attributedTo: z.union([z.string().url(), z.array(z.union([z.string().url(), z.object({ id: z.string().url() }).transform((o) => o.id)])).min(1).transform((a) => a[0]!)]),
  published: z.iso.datetime({ offset: true }).optional(),
  updated: z.iso.datetime({ offset: true }).optional(),
  replyApproval: z.string().url().nullable().optional(),
});
export type InboundNote = z.output<typeof inboundNote>;

export interface NoteInput {
  url: string;
  text: string;
  /** the parent comment's url, or the video's for a thread */
  inReplyTo: string;
  authorUrl: string;
  published: Date;
  updated: Date;
  replyApproval: string | null;
  audience: Audience;
}

/** PeerTube's Note for a comment (toActivityPubObject): same keys, same order as pt-comment-note-ap.json. */
export function buildNote(n: NoteInput) {
  return {
    to: [...n.audience.to],
    cc: [...n.audience.cc],
    type: 'Note' as const,
    id: n.url,
    content: n.text,
    mediaType: 'text/markdown',
    inReplyTo: n.inReplyTo,
    updated: n.updated.toISOString(),
    published: n.published.toISOString(),
    url: n.url,
    attributedTo: n.authorUrl,
    replyApproval: n.replyApproval,
    tag: [] as unknown[],
  };
}

/** A deleted comment, as PeerTube serves it. */
export function buildTombstone(t: { url: string; inReplyTo: string; published: Date; updated: Date; deleted: Date }) {
  return {
    id: t.url,
    type: 'Tombstone' as const,
    formerType: 'Note',
    inReplyTo: t.inReplyTo,
    published: t.published.toISOString(),
    updated: t.updated.toISOString(),
    deleted: t.deleted.toISOString(),
  };
}

/** A comment served alone: public, cc the author's followers (as PeerTube serves it). */
export const noteAudience = (authorUrl: string): Audience => ({ to: [AP_PUBLIC], cc: [`${authorUrl}/followers`] });

/** PeerTube's ApproveReply: no audience; id `<video url>/comments/<the origin's comment id>/approve-reply`. */
export function buildApproveReply(input: { videoUrl: string; commentDbId: number; actor: string; inReplyTo: string; object: string }) {
  return {
    type: 'ApproveReply' as const,
    id: `${input.videoUrl}/comments/${input.commentDbId}/approve-reply`,
    actor: input.actor,
    inReplyTo: input.inReplyTo,
    object: input.object,
  };
}
