import type { HostRule } from '../../redundancy/planner/index.js';

/** The bandwidth a live takes, in bytes per second: the sum of its master playlist's BANDWIDTH attributes (bits per second); null when none is given. */
export function masterBandwidthBytes(master: string): number | null {
  let bits = 0;
  let found = false;
  for (const line of master.split('\n')) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const value = /(?:^|[:,])BANDWIDTH=(\d+)/.exec(line)?.[1];
    if (value === undefined) continue;
    bits += Number(value);
    found = true;
  }
  return found ? Math.ceil(bits / 8) : null;
}

const perSecond = (bytes: number) => (bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB/s` : `${Math.ceil(bytes / 1000)} kB/s`);

/**
 * Why a rule's bandwidth budget does not let one more live be relayed (null: it fits, or the rule
 * has no budget). `need`: the live's bandwidth (null: unknown, refused under a budget), `used`: what
 * the rule's running relays take.
 */
export function bandwidthRefusal(rule: Pick<HostRule, 'host' | 'liveBandwidthBytes'>, need: number | null, used: number): string | null {
  const budget = rule.liveBandwidthBytes;
  if (budget === undefined) return null;
  if (need === null) return `its master playlist gives no BANDWIDTH, and the rule of ${rule.host} has a live bandwidth budget (${perSecond(budget)})`;
  if (used + need <= budget) return null;
  return `it needs ${perSecond(need)} and the rule of ${rule.host} allows ${perSecond(budget)} of live relays (${perSecond(used)} relayed now)`;
}
