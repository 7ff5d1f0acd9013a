import Router from '@koa/router';
import type { Auth } from '../auth.js';

/** A node of the cluster as the admin list shows it (src/cluster's NodeView). */
export interface ServerNode {
  id: string;
  name: string;
  url: string;
  version: string;
  state: 'online' | 'offline' | 'stopped';
  self: boolean;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
}

/** A periodic tick shared by the cluster: which node ran it last, when it is due again. */
export interface ServerTick {
  name: string;
  holder: string;
  dueAt: Date;
  runningUntil: Date | null;
  lastRunAt: Date;
  runs: number;
}

/**
 * `GET /api/v1/server/nodes` (ours; PeerTube has no such view): the nodes sharing this database,
 * online, offline (silent past node.lease_duration) or stopped, and the cluster's periodic ticks
 * with the node that ran each last. Admins only.
 */
export function serverNodesRouter(deps: { nodes: { list(): Promise<ServerNode[]>; ticks(): Promise<ServerTick[]> }; auth: Auth }): Router {
  const { auth } = deps;
  const router = new Router();
  router.get('/server/nodes', auth.required, auth.right('MANAGE_JOBS'), async (ctx) => {
    const [nodes, ticks] = await Promise.all([deps.nodes.list(), deps.nodes.ticks()]);
    const nameOf = new Map(nodes.map((n) => [n.id, n.name]));
    ctx.body = {
      total: nodes.length,
      data: nodes,
      ticks: ticks.map((t) => ({
        name: t.name,
        node: nameOf.get(t.holder) ?? t.holder,
        lastRunAt: t.lastRunAt.toISOString(),
        dueAt: t.dueAt.toISOString(),
        running: t.runningUntil !== null,
        runs: t.runs,
      })),
    };
  });
  return router;
}
