/**
 * Steps 3 and 4 of planRedundancy: limits lowered by the admin (see "Evicting" in ./index.ts).
 * A budget over its size keeps its best-ranked copies that fit; over `total_size`, the
 * lowest-priority budgets shed their worst-ranked copies first. Whatever their age.
 */
import { rankText, worstFirst, type Budget } from './budgets.js';
import type { Evictions } from './evictions.js';
import { formatBytes } from './format.js';
import type { CurrentCopy } from './types.js';

const removeKept = (b: Budget, copy: CurrentCopy) => {
  b.keptBytes -= copy.sizeBytes;
};

/**
 * Evicts what no longer fits (each budget's size, then the total cap), then drops every evicted
 * copy from its budget's `kept`. Returns the bytes kept in all, manual copies included.
 */
export function shedOverLimits(
  budgets: readonly Budget[],
  manualBytes: number,
  totalLimit: number | null,
  evictions: Evictions,
  notes: string[],
): number {
  const { evict, evicted } = evictions;

  // --- 3. a budget over its limit (the admin lowered it) keeps its best copies that fit ----
  for (const b of budgets) {
    if (b.keptBytes <= b.limit) continue;
    const before = b.keptBytes;
    let room = b.limit;
    const shed: CurrentCopy[] = [];
    for (const copy of worstFirst(b).reverse()) {
      if (copy.sizeBytes <= room) room -= copy.sizeBytes;
      else shed.push(copy);
    }
    for (const copy of shed.reverse()) {
      removeKept(b, copy);
      evict(copy, b, 'over-budget', `budget ${b.id} holds ${formatBytes(before)}, over its size ${formatBytes(b.limit)}; it keeps its best-ranked copies that fit (this one is ${rankText(b, copy.videoId)})`);
    }
  }

  // --- 4. over the total cap: the lowest-priority budgets shed their worst copies ----------
  let totalKept = manualBytes + budgets.reduce((s, b) => s + b.keptBytes, 0);
  if (totalLimit !== null && totalKept > totalLimit) {
    const before = totalKept;
    const shed: [Budget, CurrentCopy][] = [];
    for (const b of [...budgets].reverse()) {
      for (const copy of worstFirst(b)) {
        if (totalKept <= totalLimit) break;
        if (evicted.has(copy.videoId)) continue;
        shed.push([b, copy]);
        totalKept -= copy.sizeBytes;
      }
    }
    // Take back, best first, the shed copies that still fit under the cap.
    for (let i = shed.length - 1; i >= 0; i--) {
      const [, copy] = shed[i]!;
      if (totalKept + copy.sizeBytes <= totalLimit) {
        totalKept += copy.sizeBytes;
        shed.splice(i, 1);
      }
    }
    for (const [b, copy] of shed) {
      removeKept(b, copy);
      evict(copy, b, 'over-total', `copies hold ${formatBytes(before)}, over total_size ${formatBytes(totalLimit)}; the lowest-priority budget (${b.id}) sheds its worst-ranked copies first (this one is ${rankText(b, copy.videoId)})`);
    }
    if (totalKept > totalLimit) {
      notes.push(`manual copies alone hold ${formatBytes(manualBytes)}, over total_size ${formatBytes(totalLimit)}: nothing else can be mirrored`);
    }
  }
  for (const b of budgets) {
    for (let i = b.kept.length - 1; i >= 0; i--) if (evicted.has(b.kept[i]!.videoId)) b.kept.splice(i, 1);
  }
  return totalKept;
}
