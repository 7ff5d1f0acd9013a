/** Parsing of human-friendly sizes and durations used in config files ("10GB", "30 seconds"). */

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
};

/** "10GB" | "512 MB" | 1048576 → bytes; null for anything else. */
export function parseBytes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= -1 ? Math.floor(value) : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b)?\s*$/i.exec(value);
  if (!m) return null;
  const unit = SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** "30 seconds" | "2h" | "1 day" | 1500 (ms) → milliseconds; null for anything else. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
  if (!m) return null;
  const unit = DURATION_UNITS[(m[2] ?? 'ms').toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}
