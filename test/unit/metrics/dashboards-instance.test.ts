import { describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GRAFANA_DIR, dashboardExpressions } from '../../support/prometheus.js';

// Issue 10, item 15: with two instances in one Prometheus the dashboards added them together.
// Every dashboard has an `instance` variable, and every series selector of every query uses it.

const SELECTOR = /\b(mirrortube_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b(\{[^}]*\})?(?!\s*\()/g;

describe('the Grafana dashboards are per instance', () => {
  it('each dashboard has a single-valued `instance` variable', async () => {
    const dir = join(GRAFANA_DIR, 'dashboards');
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const d = JSON.parse(await readFile(join(dir, file), 'utf8')) as { templating: { list: { name: string; multi?: boolean; includeAll?: boolean; query: { query: string } }[] } };
      const v = d.templating.list.find((x) => x.name === 'instance');
      expect([file, v?.multi, v?.includeAll, v?.query.query]).toEqual([file, false, false, 'label_values(mirrortube_build_info, instance)']);
    }
  });

  it('every series selector of every query filters by $instance', async () => {
    const missing: string[] = [];
    const uses = await dashboardExpressions();
    expect(uses.length).toBeGreaterThan(40);
    for (const u of uses) {
      for (const m of u.expr.matchAll(SELECTOR)) {
        if (!(m[2] ?? '').includes('instance=~"$instance"')) missing.push(`${u.where}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
