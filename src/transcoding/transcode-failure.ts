import type { RunFailure } from './ffmpeg-runner.js';

/** Why a transcoding produced nothing usable. */
export type TranscodeFailure =
  /** ffmpeg could not start or exited with an error (a broken input, a full disk). */
  | { type: 'ffmpeg-failed'; message: string; stderrTail: string }
  /** The caller's AbortSignal fired, or the instance is shutting down. */
  | { type: 'aborted'; message: string }
  /** ffmpeg succeeded but what it wrote does not read back (unparseable playlist, unprobeable file). */
  | { type: 'invalid-output'; message: string };

export function transcodeFailureFromRun(failure: RunFailure): TranscodeFailure {
  switch (failure.type) {
    case 'aborted':
    case 'killed':
      return { type: 'aborted', message: failure.message };
    case 'spawn-failed':
      return { type: 'ffmpeg-failed', message: failure.message, stderrTail: '' };
    case 'exit':
      return { type: 'ffmpeg-failed', message: failure.message, stderrTail: failure.stderrTail };
  }
}
