import type { Clock } from '../../lib/clock.js';

/** What a running copy reports (the mirror module's phases). */
export interface MirrorProgressUpdate {
  readonly phase: 'playlists' | 'download' | 'torrents' | 'move';
  readonly bytesExpected?: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

/** A copy being written, as the console shows it. */
export interface RunningCopyProgress {
  readonly videoUuid: string;
  readonly phase: MirrorProgressUpdate['phase'];
  readonly bytesDone: number;
  /** lower bound of the copy's size, known once the playlists are read */
  readonly bytesExpected: number | null;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** 0–100, null until the size is known */
  readonly percent: number | null;
  /** bytes per second over the last few seconds */
  readonly bytesPerSecond: number;
  /** seconds left at that speed; null when unknown */
  readonly etaSeconds: number | null;
  readonly startedAt: string;
}

interface Entry {
  videoUuid: string;
  phase: MirrorProgressUpdate['phase'];
  bytesDone: number;
  bytesExpected: number | null;
  filesDone: number;
  filesTotal: number;
  startedAt: number;
  /** (ms, bytesDone) samples, at most one per SAMPLE_MS, the last WINDOW_MS */
  samples: { at: number; bytes: number }[];
}

const SAMPLE_MS = 250;
const WINDOW_MS = 5_000;

/**
 * In-memory progress of the copies this process is writing (one entry per video uuid while its
 * mirror job runs): bytes done and expected, speed over a sliding window, ETA. Counting is one
 * addition per body chunk; the speed is worked out when read.
 */
export function createMirrorProgress(clock: Clock) {
  const running = new Map<string, Entry>();

  function sample(e: Entry, now: number): void {
    const last = e.samples[e.samples.length - 1];
    if (last && now - last.at < SAMPLE_MS) return;
    e.samples.push({ at: now, bytes: e.bytesDone });
    while (e.samples.length > 2 && now - e.samples[0]!.at > WINDOW_MS) e.samples.shift();
  }

  function view(e: Entry, now: number): RunningCopyProgress {
    const first = e.samples[0];
    const elapsed = first ? (now - first.at) / 1000 : 0;
    const bytesPerSecond = first && elapsed > 0 ? Math.max(0, Math.round((e.bytesDone - first.bytes) / elapsed)) : 0;
    const percent = e.bytesExpected !== null && e.bytesExpected > 0 ? Math.min(100, Math.floor((e.bytesDone / e.bytesExpected) * 1000) / 10) : null;
    const left = e.bytesExpected !== null ? Math.max(0, e.bytesExpected - e.bytesDone) : null;
    return {
      videoUuid: e.videoUuid,
      phase: e.phase,
      bytesDone: e.bytesDone,
      bytesExpected: e.bytesExpected,
      filesDone: e.filesDone,
      filesTotal: e.filesTotal,
      percent,
      bytesPerSecond,
      etaSeconds: left === null || bytesPerSecond === 0 ? null : Math.ceil(left / bytesPerSecond),
      startedAt: new Date(e.startedAt).toISOString(),
    };
  }

  return {
    /** a mirror job starts writing the copy of this video */
    start(videoUuid: string): void {
      const now = clock.now().getTime();
      running.set(videoUuid, { videoUuid, phase: 'playlists', bytesDone: 0, bytesExpected: null, filesDone: 0, filesTotal: 0, startedAt: now, samples: [{ at: now, bytes: 0 }] });
    },
    /** body bytes downloaded for the copy */
    bytes(videoUuid: string, n: number): void {
      const e = running.get(videoUuid);
      if (!e) return;
      e.bytesDone += n;
      sample(e, clock.now().getTime());
    },
    update(videoUuid: string, p: MirrorProgressUpdate): void {
      const e = running.get(videoUuid);
      if (!e) return;
      e.phase = p.phase;
      if (p.bytesExpected !== undefined) e.bytesExpected = p.bytesExpected;
      e.filesDone = p.filesDone;
      e.filesTotal = p.filesTotal;
    },
    /** the job ended (copied, failed or cancelled) */
    finish(videoUuid: string): void {
      running.delete(videoUuid);
    },
    get(videoUuid: string): RunningCopyProgress | null {
      const e = running.get(videoUuid);
      return e ? view(e, clock.now().getTime()) : null;
    },
    all(): RunningCopyProgress[] {
      const now = clock.now().getTime();
      return [...running.values()].map((e) => view(e, now));
    },
  };
}

export type MirrorProgressRegistry = ReturnType<typeof createMirrorProgress>;
