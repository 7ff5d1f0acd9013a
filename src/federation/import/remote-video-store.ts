import type { Prisma } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Tx } from '../../lib/tx.js';
import type { ActorRecord } from '../ports.js';
import { recordRemoteImages } from '../remote-images/index.js';
import type { RemoteVideoInput, RemoteVideoStore } from './remote-videos.js';

/**
 * The counts an import writes on a stored remote video: what the origin reports, never below the
 * rates our own users gave it (the origin may not have counted their Like yet); nothing when the
 * origin's count is unknown, so an Update without counts does not erase our users' rates.
 */
async function originCounts(tx: Tx, videoId: number, video: Pick<RemoteVideoInput, 'likes' | 'dislikes'>) {
  const ours = (type: 'like' | 'dislike') => tx.accountVideoRate.count({ where: { videoId, type, account: { actor: { host: null } } } });
  return {
    ...(video.likes !== undefined ? { likes: Math.max(video.likes, await ours('like')) } : {}),
    ...(video.dislikes !== undefined ? { dislikes: Math.max(video.dislikes, await ours('dislike')) } : {}),
  };
}

/** The last path segment of a URL: remote files keep their origin's names. */
const lastSegment = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');

/** The row fields of a remote file, HLS or web video (it keeps the origin's URLs). */
const fileRow = (f: RemoteVideoInput['webVideoFiles'][number]) => ({
  resolution: f.resolution,
  fps: f.fps,
  size: BigInt(f.size),
  extname: '.mp4',
  filename: lastSegment(f.fileUrl),
  fileUrl: f.fileUrl,
  torrentUrl: f.torrentUrl,
  infoHash: f.infoHash,
});

/**
 * Remote accounts, channels and videos as rows: what a Create/Update of a Video writes, what a
 * Delete removes. Remote file rows keep the origin's URLs (fileUrl, torrentUrl, playlistUrl).
 */
export function createRemoteVideoStore(deps: { prisma: Prisma; clock: Clock }): RemoteVideoStore {
  const { prisma } = deps;

  async function ensureAccount(person: ActorRecord) {
    const existing = await prisma.account.findUnique({ where: { actorId: person.id } });
    if (existing) {
      if (person.name && existing.displayName !== person.name) await prisma.account.update({ where: { id: existing.id }, data: { displayName: person.name } });
      return existing;
    }
    return prisma.account.create({ data: { name: person.preferredUsername, displayName: person.name ?? person.preferredUsername, description: person.summary, actorId: person.id } });
  }

  async function ensureChannel(group: ActorRecord, accountId: number) {
    const existing = await prisma.videoChannel.findUnique({ where: { actorId: group.id } });
    if (existing) return existing;
    return prisma.videoChannel.create({
      data: { name: group.preferredUsername, displayName: group.name ?? group.preferredUsername, description: group.summary, accountId, actorId: group.id },
    });
  }

  return {
    /** Creates or replaces a remote video. Returns its id and whether it was new. */
    async upsert(video: RemoteVideoInput, owners: { account: ActorRecord; channel: ActorRecord }): Promise<{ id: number; created: boolean }> {
      const account = await ensureAccount(owners.account);
      const channel = await ensureChannel(owners.channel, account.id);
      const data = {
        uuid: video.uuid,
        url: video.url,
        name: video.name,
        description: video.description,
        support: video.support,
        privacy: 1,
        state: video.state,
        isLive: video.isLive,
        category: video.category,
        licence: video.licence,
        language: video.language,
        nsfw: video.nsfw,
        tags: video.tags,
        duration: video.durationSeconds,
        views: video.views,
        isLocal: false,
        waitTranscoding: video.waitTranscoding,
        commentsEnabled: video.commentsEnabled,
        downloadEnabled: video.downloadEnabled,
        trackerUrls: video.trackerUrls,
        channelId: channel.id,
        publishedAt: new Date(video.published),
        originallyPublishedAt: video.originallyPublishedAt ? new Date(video.originallyPublishedAt) : null,
        lastFetchedAt: deps.clock.now(),
      };
      return prisma.$transaction(async (tx) => {
        const existing = await tx.video.findUnique({ where: { url: video.url }, select: { id: true, isLocal: true } });
        if (existing?.isLocal) throw new Error(`refusing to overwrite local video ${video.url}`);
        // the origin's icons, served under /lazy-static/ (remote-images/); one icon is also the preview
        const [thumbnailFilename, previewFilename] = await recordRemoteImages(tx, [{ kind: 'thumbnails', url: video.thumbnailUrl }, { kind: 'previews', url: video.previewUrl ?? video.thumbnailUrl }]);
        const row = existing
          ? await tx.video.update({ where: { id: existing.id }, data: { ...data, ...(await originCounts(tx, existing.id, video)), thumbnailFilename, previewFilename } })
          : await tx.video.create({ data: { ...data, likes: video.likes ?? 0, dislikes: video.dislikes ?? 0, thumbnailFilename, previewFilename, createdAt: deps.clock.now() } });
        await tx.videoFile.deleteMany({ where: { videoId: row.id } });
        await tx.videoStreamingPlaylist.deleteMany({ where: { videoId: row.id } });
        if (video.hls) {
          await tx.videoStreamingPlaylist.create({
            data: {
              videoId: row.id,
              type: 1,
              playlistFilename: lastSegment(video.hls.playlistUrl),
              segmentsSha256Filename: video.hls.segmentsSha256Url ? lastSegment(video.hls.segmentsSha256Url) : '',
              playlistUrl: video.hls.playlistUrl,
              segmentsSha256Url: video.hls.segmentsSha256Url,
              // the origin's swarm ids (its Infohash tags), not the files' torrent infohashes
              p2pMediaLoaderInfohashes: video.hls.infohashes,
              files: { create: video.hls.files.map((f) => ({ ...fileRow(f), width: f.width ?? null, height: f.height ?? null })) },
            },
          });
        }
        for (const f of video.webVideoFiles) {
          await tx.videoFile.create({ data: { videoId: row.id, ...fileRow(f) } });
        }
        return { id: row.id, created: !existing };
      });
    },

    /** Deletes a remote video if `actorUrl` owns it (its account or channel actor). */
    async remove(videoUrl: string, actorUrl: string): Promise<boolean> {
      const video = await prisma.video.findUnique({ where: { url: videoUrl }, include: { channel: { include: { actor: true, account: { include: { actor: true } } } } } });
      if (!video || video.isLocal) return false;
      if (![video.channel.actor.url, video.channel.account.actor.url].includes(actorUrl) && new URL(actorUrl).host !== new URL(videoUrl).host) return false;
      await prisma.video.delete({ where: { id: video.id } });
      return true;
    },

    async setViews(videoUrl: string, views: number): Promise<void> {
      await prisma.video.updateMany({ where: { url: videoUrl, isLocal: false }, data: { views } });
    },

    find: (videoId) => prisma.video.findUnique({ where: { id: videoId }, select: { url: true, isLocal: true } }),

    async removeById(videoId) {
      await prisma.video.delete({ where: { id: videoId } });
    },
  };
}
