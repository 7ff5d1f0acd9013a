// Several nodes on one database: the node registry and the leases that run each periodic tick once per interval.
export { createCluster, internalUrlOf, nodeNameOf } from './create-cluster.js';
export type { Cluster } from './create-cluster.js';
export { createNodeRegistry, nodeState, NodeNameTakenError } from './node-registry.js';
export type { NodeRegistry, NodeView } from './node-registry.js';
export { createNodeStore } from './node-store.js';
export type { NodeRow, NodeStore } from './node-store.js';
export { createTickGate } from './tick-gate.js';
export { createTickLeaseStore } from './tick-lease-store.js';
export type { TickLeaseRow, TickLeaseStore } from './tick-lease-store.js';
