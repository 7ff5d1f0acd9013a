import type { Tx } from '../../../src/lib/tx.js';
import type { NewVideo, RemovableVideo, VideoStore } from '../../../src/videos/video-service.js';
import { createFakeTransactor, txId, writeIn } from './commit-transactor.js';

export interface FakeVideoRow extends Omit<NewVideo, 'file'> {
  id: number;
  isLocal: boolean;
  views: number;
  /** the fake transaction that created it */
  createdInTx: number;
  files: (NewVideo['file'] & { webVideo: boolean })[];
}

/**
 * The video service's store over Maps: users with quotas, channels with their owner, videos with
 * their files. Writes made in a transaction appear only when it commits.
 */
export function createFakeVideoStore() {
  const transactor = createFakeTransactor();
  const users = new Map<number, { total: number; daily: number }>();
  const channels = new Map<number, number>();
  const videos = new Map<number, FakeVideoRow>();
  const dailyViews = new Map<string, number>();
  let nextId = 1;

  const userOfVideo = (v: FakeVideoRow) => channels.get(v.channelId);
  const bytesOf = (v: FakeVideoRow) => v.files.reduce((n, f) => n + f.size, 0);

  const store: VideoStore = {
    ownsChannel: async (userId, channelId) => channels.get(channelId) === userId,
    async quotaOf(userId) {
      const quota = users.get(userId);
      if (!quota) throw new Error(`no user ${userId}`);
      return { ...quota };
    },
    async storedBytes(userId, since) {
      const mine = [...videos.values()].filter((v) => userOfVideo(v) === userId);
      const sum = (list: FakeVideoRow[]) => list.reduce((n, v) => n + bytesOf(v), 0);
      return { total: sum(mine), daily: sum(mine.filter((v) => v.createdAt >= since)) };
    },
    transaction: (work) => transactor.transaction(work),
    async create(video, tx: Tx) {
      const id = nextId++;
      const { file, ...row } = video;
      writeIn(tx, () => videos.set(id, { ...row, id, isLocal: true, views: 0, createdInTx: txId(tx), files: [{ ...file, webVideo: true }] }));
      return { id };
    },
    async update(videoId, changes) {
      const video = videos.get(videoId);
      if (!video) throw new Error(`no video ${videoId}`);
      Object.assign(video, changes);
    },
    async findForRemoval(videoId): Promise<RemovableVideo | null> {
      const v = videos.get(videoId);
      if (!v) return null;
      return {
        id: v.id,
        uuid: v.uuid,
        isLocal: v.isLocal,
        thumbnailFilename: v.thumbnailFilename,
        previewFilename: v.previewFilename,
        files: v.files.map((f) => ({ filename: f.filename, torrentFilename: f.torrentFilename, webVideo: f.webVideo })),
      };
    },
    async delete(videoId) {
      if (!videos.delete(videoId)) throw new Error(`no video ${videoId}`);
    },
    async addView(videoId, day) {
      const video = videos.get(videoId);
      if (!video) throw new Error(`no video ${videoId}`);
      video.views++;
      const key = `${videoId}|${day.toISOString().slice(0, 10)}`;
      dailyViews.set(key, (dailyViews.get(key) ?? 0) + 1);
    },
  };
  return { store, transactor, users, channels, videos, dailyViews };
}

export type FakeVideoStore = ReturnType<typeof createFakeVideoStore>;
