/** What a copy reports while it runs. */
export interface MirrorProgress {
  readonly phase: 'playlists' | 'download' | 'torrents' | 'move';
  readonly bytesDone: number;
  /** lower bound of the copy's size, known once the playlists are read */
  readonly bytesExpected?: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

/** The copy's counters; `report(false)` calls back at most every 4 MiB. */
export interface CopyProgress {
  phase: MirrorProgress['phase'];
  bytesExpected: number | undefined;
  filesDone: number;
  filesTotal: number;
  /** every body byte downloaded for the copy */
  onBytes(bytes: number): void;
  report(force: boolean): void;
}

const REPORT_EVERY_BYTES = 4 * 1024 * 1024;

export function createCopyProgress(onProgress: ((progress: MirrorProgress) => void) | undefined, onBytes: ((bytes: number) => void) | undefined): CopyProgress {
  let bytesDone = 0;
  let lastReported = 0;
  const progress: CopyProgress = {
    phase: 'playlists',
    bytesExpected: undefined,
    filesDone: 0,
    filesTotal: 0,
    onBytes(n) {
      onBytes?.(n);
      bytesDone += n;
      progress.report(false);
    },
    report(force) {
      if (onProgress === undefined) return;
      if (!force && bytesDone - lastReported < REPORT_EVERY_BYTES) return;
      lastReported = bytesDone;
      const { phase, bytesExpected, filesDone, filesTotal } = progress;
      onProgress({ phase, bytesDone, ...(bytesExpected === undefined ? {} : { bytesExpected }), filesDone, filesTotal });
    },
  };
  return progress;
}
