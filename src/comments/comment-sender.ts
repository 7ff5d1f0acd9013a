import type { ActivitySender } from '../federation/follows/follows.js';
import { AP_PUBLIC, buildCreate, buildDelete, withContext, type Audience } from '../federation/vocab/index.js';
import { buildApproveReply, buildNote } from './comment-note.js';
import type { InstanceActorStore } from '../accounts/index.js';
import type { CommentActor, CommentedVideo } from './comment-store.js';

const inboxOf = (a: Pick<CommentActor, 'sharedInboxUrl' | 'inboxUrl'>) => a.sharedInboxUrl ?? a.inboxUrl;
const followersOf = (a: Pick<CommentActor, 'url' | 'followersUrl'>) => a.followersUrl ?? `${a.url}/followers`;

/** What the comment service tells others. */
export interface CommentFederation {
  /** Create of one of our users' comments: to the video's origin (or our followers), the parents' authors, the author's followers */
  sendCreate(input: { note: Omit<Parameters<typeof buildNote>[0], 'audience'>; author: CommentActor; video: CommentedVideo; parentAuthors: CommentActor[] }): Promise<void>;
  /** Delete of a comment by its author (or the video's owner) */
  sendDelete(input: { commentUrl: string; by: CommentActor; video: CommentedVideo; parentAuthors: CommentActor[] }): Promise<void>;
  /** ApproveReply of a remote comment on our video, to its author */
  sendApproveReply(input: { video: CommentedVideo; commentDbId: number; commentUrl: string; inReplyTo: string; author: CommentActor }): Promise<void>;
  /** an LD-signed activity about our video, unchanged, to our followers but the sender's host */
  forward(input: { rawBody: string; video: CommentedVideo; exceptHost: string }): Promise<void>;
}

export function createCommentFederation(deps: {
  sender: ActivitySender;
  followerInboxes(localActorIds: number[]): Promise<string[]>;
  forwardActivity(rawBody: string, target: { signerActorId: number; inboxes: string[] }): Promise<unknown>;
  wake(): void;
  instance: InstanceActorStore;
}): CommentFederation {
  /**
   * Who hears of a comment (PeerTube's send-create / send-delete of a comment): the followers of
   * the video's actors (its account, channel and, for our videos, our instance actor that shares
   * them), of the author, and the authors of the comments it answers; plus the video's origin.
   */
  async function targets(video: CommentedVideo, author: CommentActor, parentAuthors: CommentActor[]) {
    const instance = await deps.instance.instanceActor();
    const involvedFollowers = [video.accountActor, video.channelActor].map(followersOf);
    if (video.isLocal) involvedFollowers.push(`${instance.url}/followers`);
    involvedFollowers.push(followersOf(author));
    // not our video: to Public and all those followers (PeerTube's getAudienceFromFollowersOf, as in seq 135)
    const fromFollowers: Audience = { to: [AP_PUBLIC, ...involvedFollowers, ...parentAuthors.map(followersOf)], cc: [] };
    // our video, and every Delete: PeerTube's getVideoCommentAudience (as in seq 155)
    const commentAudience: Audience = {
      to: [AP_PUBLIC],
      cc: [...(video.isLocal ? [] : [video.accountActor.url]), followersOf(author), ...parentAuthors.map((p) => p.url), ...involvedFollowers],
    };
    const local = [author.id, ...(video.isLocal ? [video.accountActor.id, video.channelActor.id, instance.id] : [])];
    const inboxes = new Set(await deps.followerInboxes(local));
    if (!video.isLocal) inboxes.add(inboxOf(video.accountActor));
    for (const p of parentAuthors) if (p.host !== null) inboxes.add(inboxOf(p));
    return { createAudience: video.isLocal ? commentAudience : fromFollowers, commentAudience, inboxes: [...inboxes] };
  }

  return {
    async sendCreate({ note, author, video, parentAuthors }) {
      const { createAudience: audience, inboxes } = await targets(video, author, parentAuthors);
      if (inboxes.length === 0) return;
      const object = buildNote({ ...note, audience });
      const { to: _to, cc: _cc, ...bare } = object;
      const create = buildCreate({ actor: author.url, object: bare, audience });
      await deps.sender.send(withContext(create, 'Comment'), { signerActorId: author.id, inboxes });
    },

    async sendDelete({ commentUrl, by, video, parentAuthors }) {
      const { commentAudience: audience, inboxes } = await targets(video, by, parentAuthors);
      if (inboxes.length === 0) return;
      const del = buildDelete({ actor: by.url, object: commentUrl, audience });
      await deps.sender.send(withContext(del, 'Delete'), { signerActorId: by.id, inboxes });
    },

    async sendApproveReply({ video, commentDbId, commentUrl, inReplyTo, author }) {
      const approve = buildApproveReply({ videoUrl: video.url, commentDbId, actor: video.accountActor.url, inReplyTo, object: commentUrl });
      await deps.sender.send(withContext(approve, 'ApproveReply'), { signerActorId: video.accountActor.id, inboxes: [inboxOf(author)] });
    },

    async forward({ rawBody, video, exceptHost }) {
      const instance = await deps.instance.instanceActor();
      const inboxes = (await deps.followerInboxes([instance.id, video.channelActor.id, video.accountActor.id])).filter((i) => new URL(i).host !== exceptHost);
      if (inboxes.length === 0) return;
      await deps.forwardActivity(rawBody, { signerActorId: instance.id, inboxes });
      deps.wake();
    },
  };
}
