import type { Prisma } from '../db/index.js';
import { INSTANCE_ACTOR_NAME } from '../accounts/index.js';
import type { WatchSection } from './view-rules.js';
import { claimInboxActivity } from '../federation/inbox/inbox-claim-store.js';

export interface ViewerSession {
  sections: WatchSection[];
  lastSeenAt: Date;
  viewCountedAt: Date | null;
}

/** The watch sections of each viewer and when its last view was counted. */
export interface ViewerSessionStore {
  load(videoId: number, viewer: string): Promise<ViewerSession | null>;
  save(input: { videoId: number; viewer: string; sections: WatchSection[]; watchTime: number; now: Date }): Promise<void>;
  /** Marks a view counted unless one was counted after `notBefore`; true when this call counted it (atomic). */
  claimView(input: { videoId: number; viewer: string; now: Date; notBefore: Date }): Promise<boolean>;
  /** Forgets viewers silent since `silentSince` whose last view (if any) was counted before `countedBefore`. */
  removeStale(input: { silentSince: Date; countedBefore: Date }): Promise<number>;
}

export interface ViewedVideoRow {
  id: number;
  uuid: string;
  url: string;
  isLocal: boolean;
}

/** View counts: the video's total (ours only) and the per-day counts the trending strategy ranks by. */
export interface ViewCountStore {
  /**
   * One view: +1 on the video's total when `local`, +1 on the day's count always. With
   * `inboxActivityId`, only if that stored activity was still pending, which is marked processed
   * in the same transaction (exactly once across crashes); false when it counted nothing.
   */
  addView(input: { videoId: number; local: boolean; now: Date; inboxActivityId?: number | undefined }): Promise<boolean>;
  videoByUrl(url: string): Promise<ViewedVideoRow | null>;
  /** per-day counts of remote videos before `day` (views.videos.remote.max_age) */
  removeRemoteDailyBefore(day: Date): Promise<number>;
}

/** Who sends our View activities and where a remote video's origin receives them. */
export interface ViewTargetStore {
  /** null when the video is gone or ours */
  remoteTarget(videoId: number): Promise<{ instance: { id: number; url: string }; video: { id: number; url: string; uuid: string }; owner: { url: string; inbox: string } } | null>;
  /** our federated (public, unlisted) video and the actors whose followers hear of it; null otherwise */
  localTarget(videoId: number): Promise<{ instance: { id: number; url: string }; video: { id: number; url: string; uuid: string }; involved: { id: number; followersUrl: string }[] } | null>;
}

const utcDay = (d: Date) => new Date(d.toISOString().slice(0, 10));

export function createViewerSessionStore(prisma: Prisma): ViewerSessionStore {
  return {
    async load(videoId, viewer) {
      const row = await prisma.videoViewerSession.findUnique({ where: { videoId_viewer: { videoId, viewer } } });
      return row ? { sections: row.sections as unknown as WatchSection[], lastSeenAt: row.lastSeenAt, viewCountedAt: row.viewCountedAt } : null;
    },
    async save({ videoId, viewer, sections, watchTime, now }) {
      const data = { sections: sections as unknown as object, watchTime, lastSeenAt: now };
      await prisma.videoViewerSession.upsert({
        where: { videoId_viewer: { videoId, viewer } },
        create: { videoId, viewer, ...data, firstSeenAt: now },
        update: data,
      });
    },
    async claimView({ videoId, viewer, now, notBefore }) {
      const r = await prisma.videoViewerSession.updateMany({
        where: { videoId, viewer, OR: [{ viewCountedAt: null }, { viewCountedAt: { lt: notBefore } }] },
        data: { viewCountedAt: now },
      });
      return r.count === 1;
    },
    async removeStale({ silentSince, countedBefore }) {
      const r = await prisma.videoViewerSession.deleteMany({
        where: { lastSeenAt: { lt: silentSince }, OR: [{ viewCountedAt: null }, { viewCountedAt: { lt: countedBefore } }] },
      });
      return r.count;
    },
  };
}

export function createViewCountStore(prisma: Prisma): ViewCountStore {
  return {
    addView({ videoId, local, now, inboxActivityId }) {
      const day = utcDay(now);
      return prisma.$transaction(async (tx) => {
        if (inboxActivityId !== undefined && !(await claimInboxActivity(tx, inboxActivityId, now))) return false;
        if (local) await tx.video.update({ where: { id: videoId }, data: { views: { increment: 1 } } });
        await tx.videoViewDaily.upsert({
          where: { videoId_day: { videoId, day } },
          create: { videoId, day, views: 1 },
          update: { views: { increment: 1 } },
        });
        return true;
      });
    },
    videoByUrl: (url) => prisma.video.findUnique({ where: { url }, select: { id: true, uuid: true, url: true, isLocal: true } }),
    async removeRemoteDailyBefore(day) {
      const r = await prisma.videoViewDaily.deleteMany({ where: { day: { lt: day }, video: { isLocal: false } } });
      return r.count;
    },
  };
}

export function createViewTargetStore(prisma: Prisma): ViewTargetStore {
  return {
    async remoteTarget(videoId) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { channel: { include: { account: { include: { actor: true } } } } } });
      if (!video || video.isLocal) return null;
      const instance = await prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null }, select: { id: true, url: true } });
      const owner = video.channel.account.actor;
      return { instance, video: { id: video.id, url: video.url, uuid: video.uuid }, owner: { url: owner.url, inbox: owner.sharedInboxUrl ?? owner.inboxUrl } };
    },
    async localTarget(videoId) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { channel: { include: { actor: true, account: { include: { actor: true } } } } } });
      if (!video?.isLocal || ![1, 2].includes(video.privacy) || video.state !== 1) return null;
      const instance = await prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } });
      const involved = [video.channel.account.actor, video.channel.actor, instance].map((a) => ({ id: a.id, followersUrl: a.followersUrl ?? `${a.url}/followers` }));
      return { instance: { id: instance.id, url: instance.url }, video: { id: video.id, url: video.url, uuid: video.uuid }, involved };
    },
  };
}
