import type { CatalogueVideo, MirrorCatalogue } from '../../../src/redundancy/engine-ports.js';

export const uuidOf = (id: number): string => `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;

/** A remote video of `host` with one HLS playlist (two files of `fileBytes`), published. */
export function remoteVideo(id: number, over: Partial<CatalogueVideo> & { host?: string; fileBytes?: number } = {}): CatalogueVideo {
  const { host = 'origin.example', fileBytes = 1_000_000, ...rest } = over;
  const uuid = uuidOf(id);
  const base = `https://${host}/static/streaming-playlists/hls/${uuid}`;
  return {
    id,
    uuid,
    url: `https://${host}/videos/watch/${uuid}`,
    isLocal: false,
    isLive: false,
    durationSeconds: 60,
    hls: {
      playlistUrl: `${base}/master.m3u8`,
      segmentsSha256Url: `${base}/segments-sha256.json`,
      files: [
        { filename: `${uuid}-720-fragmented.mp4`, size: fileBytes, torrentUrl: null },
        { filename: `${uuid}-360-fragmented.mp4`, size: fileBytes, torrentUrl: null },
      ],
    },
    accountUrl: `https://${host}/accounts/alice`,
    originInbox: `https://${host}/inbox`,
    channelUrl: `https://${host}/video-channels/main`,
    channelName: 'main',
    accountName: 'alice',
    tags: [],
    language: 'en',
    licence: 1,
    category: 15,
    publishedAt: new Date(Date.UTC(2026, 0, 1)),
    views: 10,
    privacy: 1,
    state: 1,
    knownHealthyMirrors: 0,
    ...rest,
  };
}

/** In-memory MirrorCatalogue: videos in a Map, the hosts we may mirror, daily views, our actor. */
export function createFakeCatalogue(options: { ourActor?: { id: number; url: string }; allowedHosts?: string[] } = {}) {
  const videos = new Map<number, CatalogueVideo>();
  const views = new Map<number, number>();
  const me = options.ourActor ?? { id: 1, url: 'https://mirror.example/accounts/peertube' };
  let allowed = options.allowedHosts ?? ['origin.example'];
  const store: MirrorCatalogue = {
    ourActor: async () => ({ ...me }),
    allowedHosts: async () => [...allowed],
    remoteVideos: async () => [...videos.values()].filter((v) => !v.isLocal).map((v) => structuredClone(v)),
    viewsSince: async () => new Map(views),
    video: async (videoId) => (videos.has(videoId) ? structuredClone(videos.get(videoId)!) : null),
  };
  return {
    store,
    add(video: CatalogueVideo): CatalogueVideo {
      videos.set(video.id, structuredClone(video));
      return video;
    },
    remove(videoId: number): void {
      videos.delete(videoId);
    },
    setAllowedHosts(hosts: string[]): void {
      allowed = [...hosts];
    },
    /** the video's uuid and url (what a copy row joins) */
    videoRef(videoId: number): { uuid: string; url: string } {
      const v = videos.get(videoId);
      if (!v) throw new Error(`no video ${videoId}`);
      return { uuid: v.uuid, url: v.url };
    },
  };
}

export type FakeCatalogue = ReturnType<typeof createFakeCatalogue>;
