import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { axeViolations, CHROMIUM_ARGS, CHROMIUM_PATH, E2E_ARTIFACTS, serious } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedClip } from '../support/media.js';
import { waitFor } from '../support/ports.js';
import { ROOT_PASSWORD, startTestInstance, type TestInstance } from '../support/instance.js';

const ARTIFACTS = E2E_ARTIFACTS;

/** Reads the page until `check` gives a value (the page polls the API on its own). */
async function until<T>(page: Page, what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, async () => (await check()) || undefined, timeoutMs, 150).catch(async (err: unknown) => {
    await page.screenshot({ path: join(ARTIFACTS, `failed-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }) as Promise<T>;
}


/**
 * The operator console, only through its pages (Chromium): B's operator logs in, follows A,
 * allows redundancy for A, edits the policy (a wrong value shows the API's message and changes
 * nothing), sees the dry-run, saves, watches the copy appear with live progress (B's mirror
 * bandwidth is capped so the download lasts a few seconds), then sees its ratio after a download
 * from the copy. axe-core checks the redundancy page; screenshots go to test/e2e/artifacts/.
 */
describe('operator console (Chromium)', () => {
  let a: TestInstance;
  let b: TestInstance;
  let context: BrowserContext;
  let page: Page;
  let profile = '';
  let uuid = '';
  let fragmentedFile = '';
  const hostOf = (t: TestInstance) => `127.0.0.1:${t.instance.port}`;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const clip = await generatedClip({ seconds: 4 });
    [a, b] = await Promise.all([
      startTestInstance({ db: 'embedded' }),
      startTestInstance({
        db: 'embedded',
        overrides: {
          instance: { name: 'Mirror B' },
          // 16 KiB/s: the copy (~170 KB, the first 64 KiB at once) takes seconds, so its progress can be watched
          redundancy: { min_lifetime_floor: '1 second', mirror: { bandwidth: 16 * 1024 }, videos: { check_interval: '10 minutes', strategies: [] } },
        },
      }),
    ]);
    const upload = (await (await a.uploadMultipart(clip, { name: 'Console clip', channelId: '1' })).json()) as { video: { uuid: string } };
    uuid = upload.video.uuid;
    const published = (await a.waitForPublished(uuid)) as { streamingPlaylists: { files: { fileUrl: string }[] }[] };
    fragmentedFile = basename(new URL(published.streamingPlaylists[0]!.files[0]!.fileUrl).pathname);
    profile = await mkdtemp(join(tmpdir(), 'mirrortube-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, bypassCSP: true, viewport: { width: 1400, height: 1000 } });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('an operator follows, allows redundancy, edits the policy with a dry-run, then watches a copy download and seed', async () => {
    // 1. the console asks for an administrator
    await page.goto(`${b.url}/admin/following`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await until(page, 'the login error', async () => (await page.locator('#login-error').textContent())?.trim());
    await page.getByLabel('Password').fill(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${b.url}/admin/following`);

    // 2. follow A; A accepts
    await page.getByLabel('Host or channel handle').fill(hostOf(a));
    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    const row = page.locator(`#following-table tr[data-host="${hostOf(a)}"]`);
    await until(page, 'the follow of A accepted', async () => (await row.count()) === 1 && (await row.locator('td').nth(1).textContent()) === 'accepted');
    expect(await row.locator('.redundancy-state').textContent()).toBe('refused');
    // delivery's health of A (our Follow reached it)
    await until(page, 'A healthy for delivery', async () => (await row.locator('td').nth(3).textContent())?.startsWith('healthy'));

    // 3. allow redundancy for A
    await page.getByRole('button', { name: `Allow redundancy for ${hostOf(a)}` }).click();
    await until(page, 'redundancy allowed for A', async () => (await row.locator('.redundancy-state').textContent()) === 'allowed');
    expect((await b.json<{ data: { following: { hostRedundancyAllowed: boolean } }[] }>('/api/v1/server/following')).data[0]!.following.hostRedundancyAllowed).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-following.png'), fullPage: true });
    // B knows A's video before planning (the follow brought the catalogue)
    await waitFor('A\'s video on B', () => b.api(`/api/v1/videos/${uuid}`).then((r) => (r.ok ? true : undefined)), 60_000);

    // 4. the policy editor: a wrong value shows the API's message and changes nothing
    // (the page follows the console through server-sent events; it reads it once after an action)
    const consoleReads = { events: [] as number[], polls: 0 };
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === '/api/v1/server/redundancy/console/events') consoleReads.events.push(r.status());
      if (path === '/api/v1/server/redundancy/console') consoleReads.polls += 1;
    });
    await page.getByRole('link', { name: 'Redundancy' }).click();
    await page.waitForURL(`${b.url}/admin/redundancy`);
    await until(page, 'the policy in force shown', async () => (await page.locator('#policy-source').textContent())?.includes('configuration file'));
    const before = await b.json<Record<string, unknown>>('/api/v1/server/redundancy/policy');
    await page.getByRole('button', { name: 'Add a strategy' }).click();
    const strategy = page.locator('.strategy-rule').last();
    await strategy.getByLabel('Strategy').selectOption('recently-added');
    await strategy.getByLabel('Size').fill('a lot');
    await strategy.getByLabel('Minimum lifetime').fill('25 hours');
    await strategy.getByLabel('Minimum views (recently-added)').fill('0');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    const shown = await until(page, 'the API\'s refusal shown', async () => (await page.locator('#policy-error').textContent())?.trim());
    // the very message the API gives for that body
    const refused = await b.api('/api/v1/server/redundancy/policy/dry-run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...before, strategies: [{ strategy: 'recently-added', size: 'a lot', min_lifetime: '25 hours', min_views: 0 }] }),
    });
    expect(refused.status).toBe(400);
    expect(shown).toBe(((await refused.json()) as { detail: string }).detail);
    expect(shown).toMatch(/size/);
    // the dry-run refuses it the same way
    await page.getByRole('button', { name: 'Dry run' }).click();
    await until(page, 'the dry-run refused', async () => (await page.locator('#policy-error').textContent())?.trim() === shown);
    expect(await b.json('/api/v1/server/redundancy/policy')).toEqual(before);

    // 5. a right value, with a host rule for A whose filter keeps nothing: the dry-run adds nothing
    await strategy.getByLabel('Size').fill('1GB');
    await page.getByRole('button', { name: 'Add a host rule' }).click();
    const rule = page.locator('.host-rule').last();
    await rule.getByLabel('Host', { exact: true }).fill(hostOf(a));
    await rule.getByLabel('Size', { exact: true }).fill('500MB');
    await rule.getByLabel('Include tags').fill('none-such, other');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await until(page, 'the dry-run with the host rule', async () => (await page.locator('#dry-run-summary').textContent())?.startsWith('0 to add'));
    expect(await page.locator('#dry-run table').textContent()).toContain(`host:${hostOf(a)}`);
    expect(await page.locator('#policy-error').textContent()).toBe('');
    // without the rule, the strategy takes A's video
    await rule.getByRole('button', { name: 'Remove this host rule' }).click();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await until(page, 'the dry-run without the host rule', async () => (await page.locator('#dry-run-summary').textContent())?.startsWith('1 to add'));
    const decisions = await until(page, 'the dry-run\'s decisions', async () => (await page.locator('#dry-run-decisions li').allTextContents()).join('\n'));
    expect(decisions).toContain('add Console clip');
    expect(decisions).toContain(hostOf(a));
    expect(await page.locator('#dry-run-summary').textContent()).toBe('1 to add, 0 to evict, 0 to renew or refresh. Nothing has been changed yet.');
    expect(await page.locator('#dry-run').textContent()).not.toMatch(/null|undefined|NaN/);
    expect(await page.locator('#policy-error').textContent()).toBe('');
    expect(await b.json('/api/v1/server/redundancy/policy')).toEqual(before);
    expect((await b.json<{ copies: unknown[] }>('/api/v1/server/redundancy/console')).copies).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-redundancy-dry-run.png'), fullPage: true });

    // 6. save: the copy appears and its progress moves while it downloads
    const pollsBeforeSave = consoleReads.polls;
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await until(page, 'the policy saved', async () => (await page.locator('#policy-source').textContent())?.includes('version 1'));
    expect((await b.json<{ source: string; strategies: { strategy: string; size: string }[] }>('/api/v1/server/redundancy/policy')).strategies).toEqual([expect.objectContaining({ strategy: 'recently-added', size: '1GB' })]);
    const copy = page.locator(`#copies-table tr[data-video="${uuid}"]`);
    const seen: number[] = [];
    const timeline: string[] = [];
    await until(
      page,
      'the copy active',
      async () => {
        if ((await copy.count()) === 0) return false;
        const state = await copy.getAttribute('data-state');
        const line = `${state}: ${(await copy.locator('td.progress').textContent()) ?? ''}`;
        if (timeline[timeline.length - 1] !== line) timeline.push(line);
        const bar = copy.locator('progress');
        if (state === 'downloading' && (await bar.count()) === 1) {
          const value = Number(await bar.getAttribute('value'));
          if (!seen.includes(value)) {
            seen.push(value);
            if (seen.length === 1) await page.screenshot({ path: join(ARTIFACTS, 'admin-redundancy-downloading.png'), fullPage: true });
          }
        }
        return state === 'active';
      },
      120_000,
    );
    console.log(`what the page showed while the copy was written:\n${timeline.join('\n')}`);
    // live through the event stream: no polling while the copy was written (one read after the save at most)
    expect(consoleReads.events).toEqual([200]);
    expect(consoleReads.polls - pollsBeforeSave).toBeLessThanOrEqual(1);
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
    expect(await copy.locator('td.progress').textContent()).toBe('complete');

    // 7. a download from the copy: the page shows the bytes served and the ratio (A's probes of the copy count too)
    type Report = { copies: { transfers: { uploadedBytes: number; downloadedBytes: number; ratio: number } }[] };
    const uploadedBefore = (await b.json<Report>('/api/v1/server/redundancy/console')).copies[0]!.transfers.uploadedBytes;
    const served = await fetch(`${b.url}/static/redundancy/hls/${uuid}/${fragmentedFile}`);
    expect(served.status).toBe(200);
    const body = await served.arrayBuffer();
    expect(body.byteLength).toBeGreaterThan(0);
    const report = await waitFor('the download counted', async () => {
      const r = await b.json<Report>('/api/v1/server/redundancy/console');
      return r.copies[0]!.transfers.uploadedBytes >= uploadedBefore + body.byteLength ? r : undefined;
    });
    const expected = report.copies[0]!.transfers.ratio.toFixed(2);
    expect(Number(expected)).toBeGreaterThan(0);
    await until(page, 'the ratio shown', async () => (await copy.locator('td.ratio').textContent()) === expected);
    expect(await copy.locator('td.served').textContent()).toMatch(/^[\d.]+ (B|KB|MB) \/ 0 B \/ 0 B$/);
    // re-verify the copy from the page
    await copy.getByRole('button', { name: 'Re-verify the copy of Console clip' }).click();
    await until(page, 'the copy re-verified', async () => (await page.locator('#notice').textContent()) === 'The copy of Console clip verifies.');
    // a manual copy: the API's refusals are shown (unknown video; already mirrored)
    const manual = page.getByLabel('Add a manual copy of a remote video (id or uuid)');
    await manual.fill('999999');
    await page.getByRole('button', { name: 'Mirror it' }).click();
    await until(page, 'the unknown video refused', async () => (await page.locator('#manual-error').textContent()) === 'Video not found');
    await manual.fill(uuid);
    await page.getByRole('button', { name: 'Mirror it' }).click();
    await until(page, 'the mirrored video refused', async () => (await page.locator('#manual-error').textContent()) === 'This video is already mirrored');
    expect(await page.locator('#copies-table tbody tr').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-redundancy.png'), fullPage: true });

    // 8. accessibility of the redundancy page: no serious or critical violation
    const violations = await axeViolations(page);
    console.log('axe on the redundancy page:', JSON.stringify(violations));
    expect(serious(violations)).toEqual([]);
  });

  it('the jobs page shows the mirror job with its progress; the instance page lists /metrics and the dashboards; the origin sees its mirror', async () => {
    await page.goto(`${b.url}/admin/jobs?state=completed&jobType=videos-redundancy-mirror`);
    const job = page.locator('#jobs-table tbody tr').first();
    await until(page, 'the completed mirror job listed', async () => (await job.locator('td').nth(1).textContent()) === 'videos-redundancy-mirror');
    expect(await job.locator('progress').getAttribute('value')).toBe('100');
    expect(await job.locator('td.attempts').textContent()).toMatch(/^1 of \d+$/);
    const queue = page.locator('#queues-table tr', { hasText: 'videos-redundancy-mirror' });
    expect(await queue.locator('td').nth(5).textContent()).toBe('1');
    expect(await page.locator('#errors-table tbody').textContent()).toBe('No recent errors.');
    // a warning the instance logs shows in the recent log lines (polled), redacted
    b.instance.logger.child({ component: 'e2e' }).warn({ accessToken: 'e2e-secret' }, 'a warning for the console');
    const logLine = page.locator('#logs-table tbody tr', { hasText: 'a warning for the console' });
    await until(page, 'the warning listed', async () => (await logLine.count()) === 1);
    expect(await logLine.locator('td').nth(1).textContent()).toBe('warn');
    expect(await logLine.locator('td').nth(2).textContent()).toBe('e2e');
    expect(await logLine.locator('td').nth(4).textContent()).not.toContain('e2e-secret');
    expect(serious(await axeViolations(page))).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-jobs.png'), fullPage: true });

    await page.goto(`${b.url}/admin/instance`);
    await until(page, 'the statistics', async () => (await page.locator('#stats dt').count()) > 0);
    expect(await page.locator('table code', { hasText: 'mirrortube_build_info' }).count()).toBe(1);
    const dashboards = await page.locator('a[href^="/admin/grafana/"]').allTextContents();
    expect(dashboards.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-instance.png'), fullPage: true });
    expect(serious(await axeViolations(page))).toEqual([]);
    // a dashboard downloads (for an administrator only)
    const href = await page.locator('a[href^="/admin/grafana/"]').first().getAttribute('href');
    const dashboard = await page.evaluate(async (url) => (await fetch(url)).status, href!);
    expect(dashboard).toBe(200);
    expect((await fetch(`${b.url}${href}`, { redirect: 'manual' })).status).toBe(302);

    // a user who is not an administrator gets no console page, even with a valid token
    expect((await b.api('/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: 'viewer-password', email: 'viewer@example.org', role: 2 }) })).status).toBe(200);
    const viewerToken = await b.login('viewer', 'viewer-password');
    const refused = await fetch(`${b.url}/admin/redundancy`, { headers: { cookie: `mirrortube_admin=${viewerToken}` }, redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('viewer is not an administrator');
    const json = { 'content-type': 'application/json' };
    const endpoints: [string, string, RequestInit?][] = [
      ['GET', '/api/v1/server/redundancy/console'],
      ['POST', '/api/v1/server/redundancy/policy/dry-run', { headers: json, body: JSON.stringify({ strategies: [] }) }],
      ['POST', '/api/v1/server/redundancy/videos/1/verify'],
      ['GET', '/api/v1/server/hosts-health'],
      ['POST', `/api/v1/server/hosts-health/${hostOf(a)}/reset`],
      ['GET', '/api/v1/server/job-queues'],
      ['GET', '/api/v1/server/jobs-console/completed'],
      ['GET', '/api/v1/server/logs/recent'],
    ];
    for (const [method, path, init] of endpoints) {
      expect([method, path, (await b.api(path, { method, ...init, token: null })).status]).toEqual([method, path, 401]);
      expect([method, path, (await b.api(path, { method, ...init, token: viewerToken })).status]).toEqual([method, path, 403]);
    }
    // the API's refusals
    expect((await b.api('/api/v1/server/redundancy/policy/dry-run', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'strategies: []' })).status).toBe(415);
    expect((await b.api('/api/v1/server/redundancy/videos/999/verify', { method: 'POST' })).status).toBe(404);
    expect((await b.api('/api/v1/server/hosts-health/nowhere.example/reset', { method: 'POST' })).status).toBe(404);
    expect((await b.api('/api/v1/server/jobs-console/sleeping')).status).toBe(400);

    // logging out ends the session: the pages ask for a login again
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto(`${b.url}/admin/redundancy`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');

    // the origin's console: who mirrors our videos, with A's probe of B's copy
    await page.goto(`${a.url}/admin/redundancy`);
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${a.url}/admin/redundancy`);
    const mirror = page.locator('#mirrors-table tbody tr', { hasText: hostOf(b) });
    await until(page, 'B listed as a mirror of A\'s video, probed healthy', async () => (await mirror.count()) === 1 && (await mirror.locator('td').nth(3).textContent()) === 'active');
    expect(await mirror.locator('td').first().textContent()).toBe('Console clip');
    expect(await mirror.locator('td').nth(2).textContent()).toBe('hls');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-redundancy-origin.png'), fullPage: true });
  });
});
