import Router from '@koa/router';
import type { BudgetUsage, TotalUsage } from '../../redundancy/planner/index.js';
import type { ConsoleCopyRow, ConsoleMirrorOfOurs } from '../../redundancy/console/console-store.js';
import type { RunningCopyProgress } from '../../redundancy/console/mirror-progress.js';
import type { DryRunResult } from '../../redundancy/console/policy-dry-run.js';
import { PassThrough } from 'node:stream';
import { parseDbId } from '../../lib/db-id.js';
import type { Auth } from '../auth.js';
import { Problem } from '../problem.js';

/** What the operator console's API reads from the redundancy engine. */
export interface ConsolePorts {
  ourCopies(): Promise<ConsoleCopyRow[]>;
  mirrorsOfOurVideos(): Promise<ConsoleMirrorOfOurs[]>;
  progress(videoUuid: string): RunningCopyProgress | null;
  /** budgets used vs limits, with the policy in force */
  currentPlan(): Promise<{ usage: readonly BudgetUsage[]; total: TotalUsage; notes: readonly string[] }>;
  dryRun(body: unknown): Promise<DryRunResult>;
  verifyCopy(id: number): Promise<{ ok: true } | { ok: false; status: 404 | 409 | 422; message: string }>;
  /** the origin of a copy does not answer (the failover serves our copy) */
  originDown(host: string): boolean;
  /** live relays: those running (with the bandwidth they take) and those a `live_bandwidth` budget keeps from starting */
  liveRelays?(): {
    relayed: Array<{ uuid: string; host: string; bandwidthBytes: number; since: Date; source: 'origin' | 'relay' }>;
    refused: Array<{ uuid: string; host: string; reason: string; since: Date }>;
  };
}

/** Delivery's view of remote hosts. */
export interface HostHealthPort {
  hostHealth(options?: { unhealthyOnly?: boolean }): Promise<{ host: string; state: string; consecutiveFailures: number; pausedUntil: Date | null; lastError: string | null; lastSuccessAt: Date | null }[]>;
  resetHost(host: string): Promise<boolean>;
}

/** bytes served and downloaded per protocol (http, bittorrent, webrtc) */
type BytesByProtocol = Record<string, { uploadedBytes: number; downloadedBytes: number }>;

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};
const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Console event streams open at once (each reads the console every 1-3 s). */
const MAX_EVENT_STREAMS = 8;
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
/** Unchanged looks (1-3 s each) before a comment keeps proxies from closing the stream. */
const KEEP_ALIVE_TICKS = 5;

/**
 * Ours, for the operator console (PeerTube has no such endpoints):
 * `GET /server/redundancy/console` (every copy of ours with live progress, bytes served by protocol
 * and ratio, budgets used vs limits, the mirrors of our videos with their probe results),
 * `POST /server/redundancy/policy/dry-run` (what the planner would add or evict with a proposed
 * policy, nothing changed), `POST /server/redundancy/videos/:redundancyId/verify`,
 * `GET /server/hosts-health` and `POST /server/hosts-health/:host/reset` (delivery's per-host health).
 */
export function adminConsoleRouter(deps: {
  auth: Auth;
  console: ConsolePorts;
  transfers: { videoSummaries(uuids: readonly string[]): Promise<Map<string, { uploadedBytes: number; downloadedBytes: number; ratio: number | null; protocols: BytesByProtocol }>> };
  hosts: HostHealthPort;
}): Router {
  const { auth } = deps;
  const router = new Router();
  const redundancyAdmin = [auth.required, auth.right('MANAGE_VIDEOS_REDUNDANCIES')] as const;
  const followAdmin = [auth.required, auth.right('MANAGE_SERVER_FOLLOW')] as const;

  function liveRelays() {
    const known = deps.console.liveRelays?.() ?? { relayed: [], refused: [] };
    return {
      relayed: known.relayed.map((r) => ({ ...r, since: r.since.toISOString() })),
      refused: known.refused.map((r) => ({ ...r, since: r.since.toISOString() })),
    };
  }

  /** What the console shows: every copy with its live progress, budgets, the mirrors of our videos. */
  async function snapshot() {
    const [copies, mirrors, plan] = await Promise.all([deps.console.ourCopies(), deps.console.mirrorsOfOurVideos(), deps.console.currentPlan()]);
    const transfers = await deps.transfers.videoSummaries(copies.map((c) => c.videoUuid));
    return {
      copies: copies.map((c) => {
        const t = transfers.get(c.videoUuid);
        const origin = hostOf(c.videoUrl);
        return {
          id: c.id,
          videoId: c.videoId,
          videoName: c.videoName,
          videoUuid: c.videoUuid,
          videoUrl: c.videoUrl,
          originHost: origin,
          fileUrl: c.fileUrl,
          state: c.state,
          strategy: c.strategy ?? 'manual',
          sizeBytes: c.sizeBytes,
          expiresOn: iso(c.expiresOn),
          graceUntil: iso(c.graceUntil),
          reason: c.reason,
          createdAt: iso(c.createdAt),
          updatedAt: iso(c.updatedAt),
          progress: c.state === 'downloading' || c.state === 'planned' || c.state === 'active' ? deps.console.progress(c.videoUuid) : null,
          health: { lastVerifiedAt: iso(c.lastVerifiedAt), failures: c.failures, originDown: origin !== '' && deps.console.originDown(origin) },
          transfers: t ? { uploadedBytes: t.uploadedBytes, downloadedBytes: t.downloadedBytes, ratio: t.ratio, protocols: t.protocols } : { uploadedBytes: 0, downloadedBytes: 0, ratio: null, protocols: null },
        };
      }),
      budgets: plan.usage,
      total: plan.total,
      notes: plan.notes,
      mirrorsOfOurVideos: mirrors.map((m) => ({ ...m, expiresOn: iso(m.expiresOn), lastVerifiedAt: iso(m.lastVerifiedAt), createdAt: iso(m.createdAt) })),
      liveRelays: liveRelays(),
    };
  }

  router.get('/server/redundancy/console', ...redundancyAdmin, async (ctx) => {
    const body = await snapshot();
    ctx.set('cache-control', 'no-store');
    ctx.body = body;
  });

  // the same as server-sent events: a `console` event with the whole snapshot each time it changes
  // (looked at every second while a copy is written, every 3 s otherwise), a comment when quiet
  let streams = 0;
  router.get('/server/redundancy/console/events', ...redundancyAdmin, async (ctx) => {
    if (streams >= MAX_EVENT_STREAMS) throw new Problem(503, `too many console event streams open (at most ${MAX_EVENT_STREAMS}): poll GET /api/v1/server/redundancy/console instead`);
    const first = await snapshot();
    streams += 1;
    const out = new PassThrough();
    let last = '';
    let quietTicks = 0;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      streams -= 1;
      clearTimeout(timer);
      out.end();
    };
    const send = (body: Awaited<ReturnType<typeof snapshot>>): void => {
      const json = JSON.stringify(body);
      // a client that reads nothing gets no more: its unread events would pile up here
      if (out.writableLength > MAX_UNREAD_BYTES) return close();
      if (json !== last) {
        last = json;
        quietTicks = 0;
        out.write(`event: console\ndata: ${json}\n\n`);
      } else if (++quietTicks >= KEEP_ALIVE_TICKS) {
        quietTicks = 0;
        out.write(': keep-alive\n\n');
      }
      const writing = body.copies.some((c) => c.state === 'planned' || c.state === 'downloading');
      timer = setTimeout(tick, writing ? 1_000 : 3_000);
    };
    const tick = (): void => {
      snapshot().then(
        (body) => {
          if (!closed) send(body);
        },
        // the instance is stopping (or the database is gone): the client reconnects or falls back to polling
        () => close(),
      );
    };
    // the response's close: the client went away, or the instance destroyed the socket on stop
    ctx.res.on('close', close);
    out.on('error', close);
    out.on('close', close);
    ctx.set('cache-control', 'no-store');
    ctx.set('x-accel-buffering', 'no');
    ctx.type = 'text/event-stream; charset=utf-8';
    ctx.status = 200;
    ctx.body = out;
    out.write('retry: 3000\n\n');
    // gone while the first snapshot was read: its close has been and gone
    if (ctx.res.destroyed || ctx.req.socket.destroyed) return close();
    send(first);
  });

  router.post('/server/redundancy/policy/dry-run', ...redundancyAdmin, async (ctx) => {
    if (!ctx.is('application/json')) throw new Problem(415, "the policy must be sent as application/json (the config file's redundancy.videos section, as JSON)");
    const result = await deps.console.dryRun(ctx.request.body);
    // the same refusal as PUT /server/redundancy/policy
    if (!result.ok) throw new Problem(400, `invalid redundancy policy: ${result.errors.join('; ')}`, undefined, { errors: result.errors });
    ctx.body = { proposed: result.proposed, current: result.current };
  });

  router.post('/server/redundancy/videos/:redundancyId/verify', ...redundancyAdmin, async (ctx) => {
    const id = parseDbId(ctx.params.redundancyId);
    if (id === null) throw new Problem(400, 'redundancyId must be a positive integer');
    const result = await deps.console.verifyCopy(id);
    if (!result.ok) throw new Problem(result.status, result.message);
    ctx.body = { verified: true };
  });

  router.get('/server/hosts-health', ...followAdmin, async (ctx) => {
    const hosts = await deps.hosts.hostHealth();
    ctx.set('cache-control', 'no-store');
    ctx.body = { total: hosts.length, data: hosts.map((h) => ({ ...h, pausedUntil: iso(h.pausedUntil), lastSuccessAt: iso(h.lastSuccessAt) })) };
  });

  router.post('/server/hosts-health/:host/reset', ...followAdmin, async (ctx) => {
    const host = (ctx.params.host ?? '').toLowerCase();
    if (!(await deps.hosts.resetHost(host))) throw new Problem(404, `${host} is not a host delivery knows`);
    ctx.status = 204;
  });
  return router;
}
