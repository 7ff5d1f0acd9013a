import type { InboxVideoStore } from '../../../src/federation/inbox/activity-handlers.js';

export interface MemoryVideo {
  id: number;
  url: string;
  isLocal: boolean;
  likes: number;
  dislikes: number;
  channelActorId: number;
  accountActorId: number;
}

/** The videos the inbox handlers see, in memory. */
export function createMemoryInboxVideoStore() {
  const videos: MemoryVideo[] = [];
  let nextId = 1;
  const store: InboxVideoStore = {
    isKnown: async (url) => videos.some((v) => v.url === url),
    async localVideoOwners(urls) {
      const video = videos.find((v) => urls.includes(v.url) && v.isLocal);
      return video ? { channelActorId: video.channelActorId, accountActorId: video.accountActorId } : null;
    },
  };
  function add(v: Pick<MemoryVideo, 'url' | 'isLocal'> & Partial<MemoryVideo>): MemoryVideo {
    const row: MemoryVideo = { id: nextId++, likes: 0, dislikes: 0, channelActorId: 0, accountActorId: 0, ...v };
    videos.push(row);
    return row;
  }
  return Object.assign(store, { videos, add });
}
