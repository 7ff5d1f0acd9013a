/** Expected failures are values (DESIGN §2.3): `{ ok: false, reason }` instead of a throw. */
export type Result<T, R extends { type: string }> = { ok: true; value: T } | { ok: false; reason: R };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <R extends { type: string }>(reason: R): { ok: false; reason: R } => ({ ok: false, reason });
