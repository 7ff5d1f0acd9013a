/**
 * ffmpeg's `-progress` output: blocks of `key=value` lines, each ended by `progress=continue` (every
 * `-stats_period`, 0.5 s by default) or `progress=end`. `out_time_us` (and `out_time_ms`, which is
 * microseconds too despite its name) is how far into the output ffmpeg has written; it reads `N/A`
 * before the first frame.
 */

/** A reader of the raw stdout chunks: calls `onOutTime` with the output time in seconds at the end of each block that has one. */
export function createProgressReader(onOutTime: (seconds: number, ended: boolean) => void): (chunk: Buffer | string) => void {
  let pending = '';
  let outTimeUs: number | null = null;
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    // a line never grows without bound: ffmpeg's lines are short, anything else is not its output
    if (pending.length > 4096) pending = '';
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      if (key === 'out_time_us' || key === 'out_time_ms') {
        const n = /^\d+$/.test(value) ? Number(value) : NaN;
        if (Number.isFinite(n)) outTimeUs = n;
      } else if (key === 'progress') {
        if (outTimeUs !== null) onOutTime(outTimeUs / 1e6, value === 'end');
        outTimeUs = null;
      }
    }
  };
}

/** The share (0–1) of an input of `durationSeconds` written when ffmpeg reports `outTimeSeconds`. */
export function progressFraction(outTimeSeconds: number, durationSeconds: number, ended = false): number {
  if (ended) return 1;
  if (!(durationSeconds > 0) || !Number.isFinite(outTimeSeconds)) return 0;
  return Math.min(1, Math.max(0, outTimeSeconds / durationSeconds));
}
