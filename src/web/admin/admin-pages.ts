import { html, raw, type SafeHtml } from '../shell/html.js';
import { renderPage } from '../shell/page.js';

/** The console's pages, in the order of its navigation. */
export const ADMIN_PAGES = [
  { id: 'redundancy', path: '/admin/redundancy', title: 'Redundancy' },
  { id: 'following', path: '/admin/following', title: 'Following' },
  { id: 'jobs', path: '/admin/jobs', title: 'Jobs' },
  { id: 'instance', path: '/admin/instance', title: 'Instance' },
] as const;

export type AdminPageId = (typeof ADMIN_PAGES)[number]['id'];

const head = html`<link rel="stylesheet" href="/admin/assets/console.css">
<script src="/admin/assets/console.js" defer></script>`;

function nav(current: AdminPageId | 'login', user: string | null): SafeHtml {
  return html`<nav class="admin-nav" aria-label="Administration">
<ul>${ADMIN_PAGES.map((p) => html`<li><a href="${p.path}"${p.id === current ? raw(' aria-current="page"') : ''}>${p.title}</a></li>`)}</ul>
${user ? html`<span class="who">${user}</span> <button type="button" id="logout">Log out</button>` : ''}
</nav>`;
}

const noscript = html`<noscript><p class="problem">The operator console needs JavaScript: it reads and changes the instance through the REST API.</p></noscript>`;

function page(input: { id: AdminPageId | 'login'; title: string; instanceName: string; user: string | null; body: SafeHtml }): string {
  return renderPage({
    title: `${input.title} · Administration`,
    head,
    instanceName: input.instanceName,
    user: input.user,
    section: 'admin',
    body: html`<div class="admin" data-page="${input.id}">
${input.id === 'login' ? '' : nav(input.id, input.user)}
<h1>${input.title}</h1>
${noscript}
<p id="notice" role="status" aria-live="polite" class="notice"></p>
${input.body}
</div>`,
  });
}

export function loginPage(input: { instanceName: string; next: string; error?: string }): string {
  return page({
    id: 'login',
    title: 'Operator login',
    instanceName: input.instanceName,
    user: null,
    body: html`<form id="login-form" class="card" data-next="${input.next}">
<p>Log in with an administrator account.</p>
${input.error ? html`<p class="problem" role="alert">${input.error}</p>` : ''}
<p id="login-error" class="problem" role="alert"></p>
<label for="login-username">Username</label>
<input id="login-username" name="username" autocomplete="username" required>
<label for="login-password">Password</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`,
  });
}

const followingBody = html`<section aria-labelledby="follow-h">
<h2 id="follow-h">Follow an instance</h2>
<form id="follow-form" class="inline">
<label for="follow-target">Host or channel handle</label>
<input id="follow-target" name="target" placeholder="tube.example or name@tube.example" required>
<button type="submit">Follow</button>
</form>
<p id="follow-error" class="problem" role="alert"></p>
</section>
<section aria-labelledby="following-h">
<h2 id="following-h">Following</h2>
<table id="following-table"><caption class="sr-only">Instances and channels we follow</caption>
<thead><tr><th scope="col">Host</th><th scope="col">Follow</th><th scope="col">Redundancy</th><th scope="col">Delivery health</th><th scope="col">Actions</th></tr></thead>
<tbody></tbody></table>
</section>
<section aria-labelledby="followers-h">
<h2 id="followers-h">Followers</h2>
<table id="followers-table"><caption class="sr-only">Instances and accounts that follow us</caption>
<thead><tr><th scope="col">Follower</th><th scope="col">State</th><th scope="col">Delivery health</th><th scope="col">Actions</th></tr></thead>
<tbody></tbody></table>
</section>
<section aria-labelledby="hosts-h">
<h2 id="hosts-h">Hosts delivery knows</h2>
<table id="hosts-table"><caption class="sr-only">Delivery health per host</caption>
<thead><tr><th scope="col">Host</th><th scope="col">State</th><th scope="col">Failures in a row</th><th scope="col">Paused until</th><th scope="col">Last success</th><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead>
<tbody></tbody></table>
</section>`;

const redundancyBody = html`<section aria-labelledby="copies-h">
<h2 id="copies-h">Our copies</h2>
<p class="hint">Updated live (server-sent events): every second while a copy is being written, every 3 seconds otherwise.</p>
<div class="scroll"><table id="copies-table"><caption class="sr-only">Copies of remote videos this instance holds</caption>
<thead><tr><th scope="col">Video</th><th scope="col">Origin</th><th scope="col">Budget</th><th scope="col">Size</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Speed</th><th scope="col">ETA</th><th scope="col">Served (HTTP / BitTorrent / WebRTC)</th><th scope="col">Ratio</th><th scope="col">Health</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
<tbody></tbody></table></div>
<form id="manual-form" class="inline">
<label for="manual-video">Add a manual copy of a remote video (id or uuid)</label>
<input id="manual-video" name="video" required>
<button type="submit">Mirror it</button>
</form>
<p id="manual-error" class="problem" role="alert"></p>
</section>
<section aria-labelledby="budgets-h">
<h2 id="budgets-h">Budgets</h2>
<table id="budgets-table"><caption class="sr-only">Space used and limit of each strategy and host rule</caption>
<thead><tr><th scope="col">Budget</th><th scope="col">Used</th><th scope="col">Limit</th><th scope="col">Use</th><th scope="col">After the next plan</th></tr></thead>
<tbody></tbody></table>
<p id="budget-notes" class="hint"></p>
</section>
<section aria-labelledby="policy-h">
<h2 id="policy-h">Policy</h2>
<p id="policy-source" class="hint"></p>
<form id="policy-form" novalidate>
<fieldset><legend>General</legend>
<div class="grid">
<label for="p-check_interval">Check interval</label><input id="p-check_interval" name="check_interval">
<label for="p-target_replicas">Target replicas (empty: none)</label><input id="p-target_replicas" name="target_replicas">
<label for="p-total_size">Total size cap (empty: none)</label><input id="p-total_size" name="total_size">
</div>
</fieldset>
<fieldset><legend>Strategies (PeerTube's: each is a budget of its own)</legend>
<div id="strategies"></div>
<button type="button" id="add-strategy">Add a strategy</button>
</fieldset>
<fieldset><legend>Host rules (a budget per followed host, with filters)</legend>
<div id="host-rules"></div>
<button type="button" id="add-host">Add a host rule</button>
</fieldset>
<div class="actions">
<button type="button" id="policy-dry-run">Dry run</button>
<button type="submit" id="policy-save">Save the policy</button>
<button type="button" id="policy-reset">Discard changes</button>
</div>
</form>
<p id="policy-error" class="problem" role="alert"></p>
<div id="dry-run" aria-live="polite"></div>
</section>
<section aria-labelledby="origin-h">
<h2 id="origin-h">Who mirrors our videos</h2>
<table id="mirrors-table"><caption class="sr-only">Copies other instances announced of our videos, with our probes of them</caption>
<thead><tr><th scope="col">Video</th><th scope="col">Mirror</th><th scope="col">Kind</th><th scope="col">Probe state</th><th scope="col">Last probe</th><th scope="col">Failures</th><th scope="col">Probe result</th><th scope="col">Expires</th></tr></thead>
<tbody></tbody></table>
</section>`;

const jobsBody = html`<section aria-labelledby="queues-h">
<h2 id="queues-h">Queues</h2>
<p id="queues-paused" class="hint"></p>
<table id="queues-table"><caption class="sr-only">Jobs per type and state</caption>
<thead><tr><th scope="col">Job type</th><th scope="col">Active</th><th scope="col">Waiting</th><th scope="col">Delayed</th><th scope="col">Failed</th><th scope="col">Completed</th></tr></thead>
<tbody></tbody></table>
</section>
<section aria-labelledby="errors-h">
<h2 id="errors-h">Recent errors</h2>
<p class="hint">Jobs that failed for good, and jobs waiting to retry after an error (delivery problems per host are on the Following page, failed copies on the Redundancy page).</p>
<table id="errors-table"><caption class="sr-only">Recent job errors</caption>
<thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">When</th><th scope="col">Error</th></tr></thead>
<tbody></tbody></table>
</section>
<section aria-labelledby="logs-h">
<h2 id="logs-h">Recent warnings and errors in the log</h2>
<form id="logs-filter" class="inline">
<label for="logs-level">Level</label>
<select id="logs-level" name="level"><option value="warn">warnings and errors</option><option value="error">errors only</option></select>
<label for="logs-component">Component (empty: all)</label>
<input id="logs-component" name="component">
</form>
<p class="hint">What this process logged at warn and above (its last 200 lines, kept in memory, secrets redacted), newest first. Updated every 3 seconds.</p>
<div class="scroll"><table id="logs-table"><caption class="sr-only">Recent warnings and errors in the log</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Component</th><th scope="col">Message</th><th scope="col">Details</th></tr></thead>
<tbody></tbody></table></div>
<p id="logs-total" class="hint"></p>
</section>
<section aria-labelledby="jobs-h">
<h2 id="jobs-h">Jobs</h2>
<form id="jobs-filter" class="inline">
<label for="jobs-state">State</label>
<select id="jobs-state" name="state">
<option value="active">active</option><option value="waiting">waiting</option><option value="delayed">delayed</option><option value="failed">failed</option><option value="completed">completed</option><option value="paused">paused</option>
</select>
<label for="jobs-type">Job type (empty: all)</label>
<input id="jobs-type" name="jobType" list="job-types">
<datalist id="job-types"></datalist>
</form>
<p class="hint">Updated every 3 seconds. Progress is reported by running jobs; the error is the last attempt's.</p>
<div class="scroll"><table id="jobs-table"><caption class="sr-only">Jobs</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Progress</th><th scope="col">Created</th><th scope="col">Started</th><th scope="col">Finished or next run</th><th scope="col">Payload</th><th scope="col">Outcome or error</th></tr></thead>
<tbody></tbody></table></div>
<p id="jobs-total" class="hint"></p>
</section>`;

export interface InstanceFacts {
  metrics: { name: string; help: string; type: string }[];
  dashboards: { file: string; title: string }[];
  metricsPath: string;
}

function instanceBody(facts: InstanceFacts): SafeHtml {
  return html`<section aria-labelledby="stats-h">
<h2 id="stats-h">Statistics</h2>
<dl id="stats" class="stats"></dl>
</section>
<section aria-labelledby="dash-h">
<h2 id="dash-h">Grafana dashboards</h2>
<p>Import these into Grafana (or provision them with <code>grafana/provisioning/</code>), with Prometheus scraping <code>${facts.metricsPath}</code>.</p>
<ul>${facts.dashboards.map((d) => html`<li><a href="/admin/grafana/${d.file}" download>${d.title}</a> (<code>grafana/dashboards/${d.file}</code>)</li>`)}</ul>
</section>
<section aria-labelledby="metrics-h">
<h2 id="metrics-h">What /metrics exposes</h2>
<table><caption class="sr-only">Prometheus metrics of this instance</caption>
<thead><tr><th scope="col">Metric</th><th scope="col">Type</th><th scope="col">Meaning</th></tr></thead>
<tbody>${facts.metrics.map((m) => html`<tr><td><code>${m.name}</code></td><td>${m.type}</td><td>${m.help}</td></tr>`)}</tbody></table>
</section>`;
}

export function adminPage(id: AdminPageId, input: { instanceName: string; user: string; facts: () => InstanceFacts }): string {
  const meta = ADMIN_PAGES.find((p) => p.id === id)!;
  const body = id === 'following' ? followingBody : id === 'redundancy' ? redundancyBody : id === 'jobs' ? jobsBody : instanceBody(input.facts());
  return page({ id, title: meta.title, instanceName: input.instanceName, user: input.user, body });
}
