import { hostname } from 'node:os';
import type { InstanceConfig } from '../config/index.js';
import type { Prisma } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { createNodeRegistry } from './node-registry.js';
import { createNodeStore } from './node-store.js';
import { createTickGate } from './tick-gate.js';
import { createTickLeaseStore } from './tick-lease-store.js';

/** This node's name: `node.name`, else the host name (made a valid name). */
export function nodeNameOf(config: Pick<InstanceConfig, 'node'>, host: string = hostname()): string {
  return config.node.name ?? (host.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100) || 'mirrortube');
}

/** Where the other nodes reach this one: `node.internal_url`, else the listen address. */
export function internalUrlOf(config: Pick<InstanceConfig, 'node' | 'listen'>, port: number): string {
  if (config.node.internal_url) return config.node.internal_url.replace(/\/+$/, '');
  const host = config.listen.hostname;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/**
 * Several nodes on one database: the tick gate (periodic ticks once per interval across the
 * cluster) and this node's registry row. The registry starts once the node listens (its port may be 0).
 */
export function createCluster(deps: { config: InstanceConfig; prisma: Prisma; clock: Clock; logger: Logger; workerId: string; version: string }) {
  const { config, prisma, clock, logger, workerId } = deps;
  const leaseMs = config.node.lease_duration;
  const name = nodeNameOf(config);
  const ticks = createTickLeaseStore(prisma);
  const gate = createTickGate({ store: ticks, holder: workerId, leaseMs });
  const store = createNodeStore(prisma);
  let registry: ReturnType<typeof createNodeRegistry> | undefined;

  return {
    name,
    gate,
    /** Registers this node (listening on `port`) and starts its heartbeat. */
    async start(port: number): Promise<void> {
      registry = createNodeRegistry({ store, clock, logger, leaseMs, self: { id: workerId, name, url: internalUrlOf(config, port), version: deps.version } });
      await registry.start();
    },
    async stop(): Promise<void> {
      await registry?.stop();
    },
    nodes: {
      /** this node's worker id */
      self: workerId,
      list: () => registry?.list() ?? Promise.resolve([]),
      urlOf: (id: string) => registry?.urlOf(id) ?? Promise.resolve(null),
      ticks: () => ticks.list(),
    },
  };
}

export type Cluster = ReturnType<typeof createCluster>;
