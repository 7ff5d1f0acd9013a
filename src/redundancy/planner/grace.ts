/**
 * Copies in their grace period (evicted and withdrawn, files kept so that a copy planned again
 * is verified and re-announced instead of downloaded): which of them to delete now. Pure: the
 * engine gives the grace copies of its snapshot and the plan's totals.
 */

/** One evicted copy whose files are still on disk. */
export interface GraceCopy {
  readonly videoId: number;
  readonly sizeBytes: number;
  /** epoch ms: the files go at this time at the latest */
  readonly graceUntil: number;
}

export interface GracePurge {
  readonly videoId: number;
  readonly reason: string;
}

/**
 * Grace copies to delete: those whose grace is over, then, when the policy has a `total_size`,
 * those that no longer fit beside the copies the plan keeps and adds (grace copies still count
 * toward the disk, and are the first to go when space is needed: the soonest-expiring first).
 * Copies the plan adds again (`reAdded`) are reused, never purged.
 */
export function planGracePurges(input: {
  readonly now: number;
  readonly grace: readonly GraceCopy[];
  readonly reAdded: ReadonlySet<number>;
  /** the policy's total_size (null: no total cap) */
  readonly totalSizeBytes: number | null;
  /** bytes of the copies after the plan (kept and added), grace copies not included */
  readonly totalAfterPlan: number;
}): GracePurge[] {
  const purges: GracePurge[] = [];
  const waiting: GraceCopy[] = [];
  for (const g of input.grace) {
    if (input.reAdded.has(g.videoId)) continue;
    if (g.graceUntil <= input.now) purges.push({ videoId: g.videoId, reason: 'grace period over' });
    else waiting.push(g);
  }
  if (input.totalSizeBytes === null) return purges;
  let onDisk = input.totalAfterPlan + waiting.reduce((n, g) => n + g.sizeBytes, 0);
  const soonestFirst = [...waiting].sort((a, b) => a.graceUntil - b.graceUntil || a.videoId - b.videoId);
  for (const g of soonestFirst) {
    if (onDisk <= input.totalSizeBytes) break;
    purges.push({ videoId: g.videoId, reason: 'space needed (total_size)' });
    onDisk -= g.sizeBytes;
  }
  return purges;
}
