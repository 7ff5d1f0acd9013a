import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { NodeRow, NodeStore } from './node-store.js';

/** How a node looks in `GET /api/v1/server/nodes`. */
export interface NodeView {
  id: string;
  name: string;
  url: string;
  version: string;
  /** online: seen within the lease; offline: silent longer (crashed, or cut off); stopped: stopped cleanly */
  state: 'online' | 'offline' | 'stopped';
  self: boolean;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
}

export function nodeState(row: Pick<NodeRow, 'lastSeenAt' | 'stoppedAt'>, now: Date, leaseMs: number): NodeView['state'] {
  if (row.stoppedAt) return 'stopped';
  return now.getTime() - row.lastSeenAt.getTime() <= leaseMs ? 'online' : 'offline';
}

/** Refused start: another live node already has this node's name. */
export class NodeNameTakenError extends Error {
  override readonly name = 'NodeNameTakenError';
}

/**
 * This node's row in the registry: written at start, refreshed every third of the lease, marked
 * stopped by stop(). Other nodes find each other here (e.g. the node holding an upload's file).
 */
export function createNodeRegistry(deps: {
  store: NodeStore;
  clock: Clock;
  logger: Logger;
  self: { id: string; name: string; url: string; version: string };
  leaseMs: number;
}) {
  const { store, clock, self, leaseMs } = deps;
  const logger = deps.logger.child({ component: 'cluster', node: self.name });
  let timer: NodeJS.Timeout | undefined;
  let beating = false;
  let startedAt = clock.now();

  async function heartbeat(): Promise<void> {
    if (beating) return;
    beating = true;
    try {
      const now = clock.now();
      if (!(await store.seen(self.id, now))) await store.register({ ...self, startedAt, lastSeenAt: now });
    } catch (err) {
      logger.warn({ err }, 'refreshing this node in the registry failed');
    } finally {
      beating = false;
    }
  }

  return {
    self,
    /** Registers this node; refuses (throws) when another live node uses the same name. */
    async start(): Promise<void> {
      startedAt = clock.now();
      const taken = (await store.list()).find((row) => row.name === self.name && row.id !== self.id && nodeState(row, startedAt, leaseMs) === 'online');
      if (taken) {
        throw new NodeNameTakenError(
          `node.name "${self.name}" is already used by a running node (${taken.id}, ${taken.url}): give each node its own node.name`,
        );
      }
      // the worker id lives in storage.root: another running node with it shares this storage folder,
      // and each would take the other's job leases for its own
      const twin = (await store.find(self.id)) ?? undefined;
      if (twin && twin.name !== self.name && nodeState(twin, startedAt, leaseMs) === 'online') {
        throw new NodeNameTakenError(
          `the running node "${twin.name}" (${twin.url}) uses the same storage.root (worker id ${self.id}): give each node its own storage.root`,
        );
      }
      await store.register({ ...self, startedAt, lastSeenAt: startedAt });
      timer = setInterval(() => void heartbeat(), Math.max(1, Math.floor(leaseMs / 3)));
      logger.info({ id: self.id, url: self.url }, 'node registered');
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await store.stopped(self.id, clock.now()).catch((err: unknown) => logger.warn({ err }, 'marking this node stopped failed'));
    },
    /** Refreshes this node's row now (the timer does it every third of the lease). */
    heartbeat,
    async list(): Promise<NodeView[]> {
      const now = clock.now();
      return (await store.list()).map((row) => ({
        id: row.id,
        name: row.name,
        url: row.url,
        version: row.version,
        // the node answering is running, whatever its last heartbeat says
        state: row.id === self.id && !row.stoppedAt ? 'online' : nodeState(row, now, leaseMs),
        self: row.id === self.id,
        startedAt: row.startedAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
        stoppedAt: row.stoppedAt?.toISOString() ?? null,
      }));
    },
    /** The internal URL of a live node (null when it is unknown, stopped or silent). */
    async urlOf(id: string): Promise<string | null> {
      const row = await store.find(id);
      return row && nodeState(row, clock.now(), leaseMs) === 'online' ? row.url : null;
    },
  };
}

export type NodeRegistry = ReturnType<typeof createNodeRegistry>;
