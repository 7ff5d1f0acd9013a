// /.well-known (webfinger, nodeinfo, host-meta) and the NodeInfo documents.
export { wellKnownRouter, type WellKnownDeps } from './well-known-router.js';
export type { RedundancySummary } from './nodeinfo.js';
