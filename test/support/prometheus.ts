import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { freePort, waitFor } from './ports.js';

export const GRAFANA_DIR = new URL('../../grafana/', import.meta.url).pathname;

/** Runs promtool (Debian's prometheus package); fails clearly when it is not installed. */
export function promtool(args: string[], input?: string): { status: number; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: GRAFANA_DIR });
  if (r.error) throw new Error(`promtool is needed (apt-get install --no-install-recommends prometheus): ${r.error.message}`);
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** The families of an exposition whose names start with `prefix` (HELP and TYPE lines included). */
export function onlyFamilies(exposition: string, prefix: string): string {
  return exposition
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('# HELP ') || line.startsWith('# TYPE ') ? line.split(' ')[2] : line.split(/[{\s]/)[0];
      return name?.startsWith(prefix) ?? false;
    })
    .join('\n')
    .concat('\n');
}

export interface QueryUse {
  /** dashboard uid and panel title, or the alert's name */
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

/** Every PromQL expression of the dashboards (grafana/dashboards/*.json). */
export async function dashboardExpressions(): Promise<QueryUse[]> {
  const dir = join(GRAFANA_DIR, 'dashboards');
  const uses: QueryUse[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const dashboard = JSON.parse(await readFile(join(dir, file), 'utf8')) as { uid: string; panels: Panel[] };
    const visit = (panels: Panel[]) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) if (target.expr) uses.push({ where: `${dashboard.uid} / ${panel.title ?? '?'}`, expr: target.expr });
        visit(panel.panels ?? []);
      }
    };
    visit(dashboard.panels);
  }
  return uses;
}

/** Every alert rule expression of grafana/prometheus/alerts.yml. */
export async function alertExpressions(): Promise<QueryUse[]> {
  const rules = parseYaml(await readFile(join(GRAFANA_DIR, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert ?? r.record}`, expr: String(r.expr).trim() })));
}

/**
 * Grafana's variables as a query would get them: `$__rate_interval` → a window that holds
 * several scrapes, `$__interval` likewise, template variables → match everything.
 */
export function substituteGrafanaVariables(expr: string, rateInterval: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, rateInterval)
    .replace(/\$__interval|\$\{__interval\}/g, rateInterval)
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{?[a-z_]+\}?/gi, '.*');
}

/**
 * An alert expression is a filter: it returns series only while the alert fires. To check that
 * its selectors match real series, its top-level comparisons (outside `{…}` matchers and
 * strings) are turned into `bool` comparisons, which return every series with 0 or 1.
 */
export function withBoolComparisons(expr: string): string {
  let out = '';
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += expr[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (depth === 0) {
      const two = expr.slice(i, i + 2);
      const op = ['==', '!=', '>=', '<='].includes(two) ? two : c === '>' || c === '<' ? c : null;
      if (op) {
        out += `${op} bool `;
        i += op.length - 1;
        // the spaces after the operator, and an explicit bool, are replaced by ours
        const skip = /^\s*(?:bool\b\s*)?/.exec(expr.slice(i + 1));
        i += skip?.[0].length ?? 0;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** A real Prometheus server (Debian's package) on 127.0.0.1 with temporary storage, scraping `target`. */
export async function startPrometheus(options: { target: string; scrapeIntervalSeconds: number; ruleFiles: string[] }) {
  const dir = await mkdtemp(join(tmpdir(), 'mt-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: `${options.scrapeIntervalSeconds}s`, evaluation_interval: `${options.scrapeIntervalSeconds}s` },
    rule_files: options.ruleFiles,
    scrape_configs: [{ job_name: 'mirrortube', metrics_path: '/metrics', static_configs: [{ targets: [options.target] }] }],
  };
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const log: string[] = [];
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;

  async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${body.error}`);
    const result = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    return result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  }

  try {
    await waitFor('Prometheus to answer', async () => ((await fetch(`${base}/-/ready`).catch(() => null))?.ok ? true : undefined), 20_000, 100);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${log.join('')}`);
  }

  return {
    base,
    query,
    log: () => log.join(''),
    async rules(): Promise<Array<{ name: string; health: string; lastError?: string }>> {
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
      return body.data.groups.flatMap((g) => g.rules);
    },
    async stop(): Promise<void> {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
