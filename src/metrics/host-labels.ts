/** The `origin_host` label value for hosts beyond the cap. */
export const OTHER_HOST_LABEL = 'other';

export interface HostLabels {
  /** The label for `host`: the host itself while fewer than `max` distinct hosts were labelled, else "other". */
  of(host: string): string;
  /** Hosts labelled so far (ours first). */
  known(): string[];
}

/**
 * Keeps the `origin_host` label bounded. Copies only come from instances we follow (the
 * redundancy policy decides), so in practice the set is that list; the cap is a guarantee on top
 * of it: once `max` hosts have a label of their own, later ones share "other". Our own host
 * always has its label. Hosts seen first (pass the busiest first at start-up) keep theirs.
 */
export function createHostLabels(ownHost: string, max: number): HostLabels {
  const labelled = new Set<string>([ownHost]);
  return {
    of(host) {
      if (labelled.has(host)) return host;
      if (labelled.size < max) {
        labelled.add(host);
        return host;
      }
      return OTHER_HOST_LABEL;
    },
    known: () => [...labelled],
  };
}
