/** How errors and reasons name a rule: `strategies[0] (most-views)`, `hosts[1] (tube.example)`. */
export const strategyLabel = (i: number, s: { strategy?: unknown }): string =>
  typeof s.strategy === 'string' ? `strategies[${i}] (${s.strategy})` : `strategies[${i}]`;
export const hostLabel = (i: number, r: { host?: unknown }): string =>
  typeof r.host === 'string' ? `hosts[${i}] (${r.host})` : `hosts[${i}]`;
