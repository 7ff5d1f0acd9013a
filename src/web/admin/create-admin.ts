import { readdirSync, readFileSync } from 'node:fs';
import type { AccountService, TokenService } from '../../accounts/index.js';
import { hasRight } from '../../accounts/index.js';
import type { InstanceConfig } from '../../config/index.js';
import type { Auth } from '../../http/auth.js';
import { adminConsoleRouter, type ConsolePorts, type HostHealthPort } from '../../http/api/admin-console.js';
import { createPrismaJobDetailsStore } from '../../http/api/job-details-store.js';
import { jobsConsoleRouter } from '../../http/api/jobs-console.js';
import { serverLogsRouter } from '../../http/api/server-logs.js';
import type { RecentLogs } from '../../lib/recent-logs.js';
import type { Prisma } from '../../db/index.js';
import type { ApiJobList, ApiJobState, ListJobsQuery } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Metrics } from '../../metrics/index.js';
import type { Redundancy } from '../../redundancy/create-redundancy.js';
import type { TransferAccounting } from '../../transfers/index.js';
import { adminPagesRouter } from './admin-router.js';
import type { InstanceFacts } from './admin-pages.js';

const DASHBOARDS_DIR = new URL('../../../grafana/dashboards/', import.meta.url);

/** The dashboards shipped in grafana/dashboards (file and title), read once. */
function readDashboards(): InstanceFacts['dashboards'] {
  try {
    return readdirSync(DASHBOARDS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => {
        let title = file;
        try {
          const parsed = JSON.parse(readFileSync(new URL(file, DASHBOARDS_DIR), 'utf8')) as { title?: unknown };
          if (typeof parsed.title === 'string') title = parsed.title;
        } catch {
          // a dashboard that does not parse is listed by its file name
        }
        return { file, title };
      });
  } catch {
    return [];
  }
}

/**
 * The operator console: its pages (/admin/...) and the API endpoints it needs beyond PeerTube's
 * (the redundancy console, the policy dry-run, re-verify, delivery's host health).
 */
export function createAdminConsole(deps: {
  config: InstanceConfig;
  tokens: TokenService;
  accounts: AccountService;
  auth: Auth;
  metrics: Metrics;
  redundancy: Redundancy;
  transfers: TransferAccounting;
  hosts: HostHealthPort;
  prisma: Prisma;
  clock: Clock;
  jobs: { list(query: ListJobsQuery): Promise<ApiJobList>; countsByKind(): Promise<Record<string, Record<ApiJobState, number>>>; isPaused(): boolean };
  /** the last warnings and errors of this process */
  recentLogs: Pick<RecentLogs, 'list'>;
  /** the live relays and the budget refusals (see ConsolePorts.liveRelays) */
  liveRelays?: ConsolePorts['liveRelays'];
}) {
  const { redundancy } = deps;
  const dashboards = readDashboards();
  const metricsPath = deps.config.metrics.listen ? `http://${deps.config.metrics.listen.hostname}:${deps.config.metrics.listen.port}/metrics` : '/metrics';
  // the budgets (a plan of the policy in force on a fresh snapshot) are read at most every 5 s, or
  // at once after the policy changed: the page polls every second while a copy is written
  let planned: { at: number; policy: unknown; plan: Promise<Awaited<ReturnType<Redundancy['console']['currentPlan']>>> } | null = null;
  const currentPlan = () => {
    const now = deps.clock.now().getTime();
    if (planned && planned.policy === redundancy.policy && now - planned.at < 5_000) return planned.plan;
    const plan = redundancy.console.currentPlan();
    planned = { at: now, policy: redundancy.policy, plan };
    plan.catch(() => {
      planned = null;
    });
    return plan;
  };
  const apiRouter = adminConsoleRouter({
    auth: deps.auth,
    transfers: deps.transfers,
    hosts: deps.hosts,
    console: {
      ourCopies: () => redundancy.console.store.ourCopies(),
      mirrorsOfOurVideos: () => redundancy.console.store.mirrorsOfOurVideos(),
      progress: (uuid) => redundancy.console.progress.get(uuid),
      currentPlan,
      dryRun: (body) => redundancy.console.dryRun(body),
      verifyCopy: (id) => redundancy.engine.verifyCopy(id),
      originDown: (host) => redundancy.originHealth.isDown(host),
      ...(deps.liveRelays ? { liveRelays: deps.liveRelays } : {}),
    },
  });
  const pagesRouter = adminPagesRouter({
    instanceName: deps.config.instance.name,
    dashboardsDir: DASHBOARDS_DIR,
    gate: async (token) => {
      const result = await deps.tokens.authenticate(token);
      if (!result.ok) return null;
      const user = await deps.accounts.getUser(result.value.userId);
      if (!user) return null;
      return { username: user.username, isAdmin: hasRight(user.role, 'MANAGE_VIDEOS_REDUNDANCIES') && hasRight(user.role, 'MANAGE_SERVER_FOLLOW') };
    },
    facts: () => ({
      metricsPath,
      dashboards,
      metrics: deps.metrics.registry
        .getMetricsAsArray()
        .map((m) => ({ name: m.name, help: m.help, type: String(m.type) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }),
  });
  const jobsRouter = jobsConsoleRouter({ auth: deps.auth, jobs: deps.jobs, store: createPrismaJobDetailsStore(deps.prisma) });
  const logsRouter = serverLogsRouter({ auth: deps.auth, logs: deps.recentLogs });
  return { apiRouters: [apiRouter, jobsRouter, logsRouter], pagesRouter };
}
