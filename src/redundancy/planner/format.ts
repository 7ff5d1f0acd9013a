/** Wording of sizes and durations in reasons and in the serialized policy. */

const SIZE_STEPS: readonly [number, string][] = [
  [1024 ** 4, 'TB'],
  [1024 ** 3, 'GB'],
  [1024 ** 2, 'MB'],
  [1024, 'KB'],
];

/** 1288490188 → "1.2 GB" (binary units, as `parseBytes` reads them). */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  for (const [unit, name] of SIZE_STEPS) {
    if (abs >= unit) {
      const v = bytes / unit;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${name}`;
    }
  }
  return `${bytes} B`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 45_000_000 → "12 h 30 min"; 172_800_000 → "2 days"; under a minute → "42 s". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms >= 2 * DAY && ms % DAY === 0) return `${ms / DAY} days`;
  const h = Math.floor(ms / HOUR);
  const min = Math.round((ms - h * HOUR) / MINUTE);
  if (h === 0) return `${min} min`;
  return min === 0 ? `${h} h` : `${h} h ${min} min`;
}

/** Exact, re-parseable form of a size for the config/admin API: "10GB" when whole, else bytes. */
export function sizeForConfig(bytes: number): string | number {
  for (const [unit, name] of SIZE_STEPS) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${name}`;
  }
  return bytes;
}

const DURATION_STEPS: readonly [number, string][] = [
  [7 * DAY, 'weeks'],
  [DAY, 'days'],
  [HOUR, 'hours'],
  [MINUTE, 'minutes'],
  [1000, 'seconds'],
];

/** Exact, re-parseable form of a duration: "25 hours" when whole, else milliseconds. */
export function durationForConfig(ms: number): string | number {
  for (const [unit, name] of DURATION_STEPS) {
    if (ms >= unit && ms % unit === 0) return ms === unit ? `1 ${name.slice(0, -1)}` : `${ms / unit} ${name}`;
  }
  return ms;
}

/** Seconds → exact config duration ("2 hours"), via milliseconds. */
export function secondsForConfig(seconds: number): string | number {
  return durationForConfig(seconds * 1000);
}
