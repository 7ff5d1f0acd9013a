/** A local live as the runtime and the API see it. */
export interface LiveRecord {
  videoId: number;
  uuid: string;
  name: string;
  privacy: number;
  state: number;
  channelId: number;
  /** the owner (null: a channel without a user, e.g. the instance's) */
  userId: number | null;
  streamKey: string;
  saveReplay: boolean;
  replayPrivacy: number | null;
  permanentLive: boolean;
  latencyMode: number;
  /** the video's attributes a replay takes over */
  description: string | null;
  category: number | null;
  licence: number | null;
  language: string | null;
  nsfw: boolean;
  tags: string[];
}

export interface LiveSessionRecord {
  id: number;
  liveVideoId: number;
  startDate: Date;
  endDate: Date | null;
  error: number | null;
  saveReplay: boolean;
  replayVideo: { id: number; uuid: string } | null;
}

export interface NewLive {
  uuid: string;
  url: string;
  name: string;
  channelId: number;
  privacy: number;
  description: string | null;
  support: string | null;
  category: number | null;
  licence: number | null;
  language: string | null;
  nsfw: boolean;
  tags: string[];
  commentsEnabled: boolean;
  downloadEnabled: boolean;
  streamKey: string;
  saveReplay: boolean;
  replayPrivacy: number | null;
  permanentLive: boolean;
  latencyMode: number;
  /** the image file (thumbnail and preview folders) of the live, null when none could be made */
  imageFilename: string | null;
  now: Date;
}

export type LiveSettingsChange = Partial<Pick<LiveRecord, 'saveReplay' | 'replayPrivacy' | 'permanentLive' | 'latencyMode'>>;

/** The rows of lives and their sessions (live-store.ts over Prisma). */
export interface LiveStore {
  ownsChannel(userId: number, channelId: number): Promise<boolean>;
  /** the video row (waiting for its streamer), its live settings and its HLS playlist row, in one transaction */
  create(live: NewLive): Promise<{ id: number }>;
  findByVideo(videoId: number): Promise<LiveRecord | null>;
  findByStreamKey(streamKey: string): Promise<LiveRecord | null>;
  update(videoId: number, change: LiveSettingsChange): Promise<void>;
  setState(videoId: number, state: number): Promise<void>;
  /** local lives not ended (PeerTube's creation limits), all of them or one user's */
  countNotEnded(userId?: number): Promise<number>;
  /** local lives by state (metrics) */
  countByState(): Promise<Record<number, number>>;
  startSession(videoId: number, startDate: Date, saveReplay: boolean): Promise<{ id: number }>;
  endSession(sessionId: number, endDate: Date, error: number | null): Promise<void>;
  setReplay(sessionId: number, replayVideoId: number): Promise<void>;
  sessions(videoId: number): Promise<LiveSessionRecord[]>;
  sessionOfReplay(replayVideoId: number): Promise<LiveSessionRecord | null>;
  /** sessions left open by a stopped or crashed process: ended now; their lives' ids */
  closeOpenSessions(endDate: Date): Promise<number[]>;
}

/**
 * Where a live's owner (the muxer, a relay) puts the bytes of the files it writes or sees appear,
 * so the static fast path answers them from memory (http/static's MemoryFiles): by absolute path.
 */
export interface HotFiles {
  put(path: string, bytes: Buffer, mtimeMs: number, kind: 'pinned' | 'segment'): void;
  delete(path: string): void;
  deleteUnder(dir: string): void;
  /** a running live's folder: its bytes served are counted by kind (origin: ours, relay: relayed) */
  registerFolder(dir: string, kind: 'origin' | 'relay'): void;
  unregisterFolder(dir: string): void;
}
