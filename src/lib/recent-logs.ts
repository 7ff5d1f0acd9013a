/**
 * The last warnings and errors of one instance, in memory, for the operator console: a bounded ring
 * fed by the instance's pino logger (`createLogger({ recent })`) with the lines pino has already
 * serialized, so what the logger redacts (keys, tokens, passwords) is redacted here too.
 */

/**
 * Fields of a line that must not reach the console's list, because its message carries a secret
 * meant for the terminal only (the root password generated on first start).
 */
export const NOT_IN_RECENT_LOGS = { notInRecentLogs: true } as const;

export const RECENT_LOG_LEVELS = ['warn', 'error', 'fatal'] as const;
export type RecentLogLevel = (typeof RECENT_LOG_LEVELS)[number];

const LEVEL_NUMBERS: Record<RecentLogLevel, number> = { warn: 40, error: 50, fatal: 60 };

export interface RecentLogEntry {
  /** ISO time of the line (pino's; null if a line had none) */
  time: string | null;
  level: RecentLogLevel;
  /** the child logger's `component` (null for the root logger) */
  component: string | null;
  msg: string;
  /** the line's other fields (job, video, host, err…), as compact JSON, cut at a few KiB; null when none */
  details: string | null;
}

export interface RecentLogs {
  /** Lowest level kept (pino's name): the logger sends this level and above. */
  readonly level: RecentLogLevel;
  /** A pino destination: one serialized JSON line per call. */
  write(line: string): void;
  /** Newest first, at `level` or above, of `component` when given. */
  list(query?: { level?: RecentLogLevel; component?: string; limit?: number }): { total: number; data: RecentLogEntry[] };
}

/** Fields every line has, not repeated in `details`. */
const BASE_FIELDS = new Set(['time', 'level', 'msg', 'component', 'pid', 'hostname', 'name', 'v']);
const DETAILS_MAX = 4096;
const MSG_MAX = 2048;

export function createRecentLogs(options: { capacity?: number; level?: RecentLogLevel } = {}): RecentLogs {
  const capacity = Math.max(1, Math.trunc(options.capacity ?? 200));
  const level = options.level ?? 'warn';
  const ring: RecentLogEntry[] = new Array(capacity);
  let next = 0;
  let count = 0;

  function parse(line: string): RecentLogEntry | null {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return null;
    }
    if (typeof raw !== 'object' || raw === null) return null;
    const obj = raw as Record<string, unknown>;
    if (obj.notInRecentLogs === true) return null;
    const levelName = levelOf(obj.level);
    if (!levelName || LEVEL_NUMBERS[levelName] < LEVEL_NUMBERS[level]) return null;
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!BASE_FIELDS.has(k)) rest[k] = v;
    let details: string | null = Object.keys(rest).length > 0 ? JSON.stringify(rest) : null;
    if (details && details.length > DETAILS_MAX) details = `${details.slice(0, DETAILS_MAX)}…`;
    const msg = typeof obj.msg === 'string' ? obj.msg : '';
    return {
      time: typeof obj.time === 'number' && Number.isFinite(obj.time) ? new Date(obj.time).toISOString() : null,
      level: levelName,
      component: typeof obj.component === 'string' ? obj.component : null,
      msg: msg.length > MSG_MAX ? `${msg.slice(0, MSG_MAX)}…` : msg,
      details,
    };
  }

  return {
    level,
    write(line) {
      const entry = parse(line);
      if (!entry) return;
      ring[next] = entry;
      next = (next + 1) % capacity;
      count = Math.min(capacity, count + 1);
    },
    list(query = {}) {
      const min = LEVEL_NUMBERS[query.level ?? level];
      const limit = Math.max(0, Math.trunc(query.limit ?? capacity));
      const matching: RecentLogEntry[] = [];
      for (let i = 1; i <= count; i++) {
        const e = ring[(next - i + capacity) % capacity]!;
        if (LEVEL_NUMBERS[e.level] < min) continue;
        if (query.component !== undefined && e.component !== query.component) continue;
        matching.push(e);
      }
      return { total: matching.length, data: matching.slice(0, limit) };
    },
  };
}

function levelOf(value: unknown): RecentLogLevel | null {
  if (typeof value === 'string') return (RECENT_LOG_LEVELS as readonly string[]).includes(value) ? (value as RecentLogLevel) : null;
  if (typeof value !== 'number') return null;
  if (value >= 60) return 'fatal';
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  return null;
}
