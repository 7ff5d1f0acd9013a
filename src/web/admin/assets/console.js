/* The operator console's script: reads and changes the instance through its REST API with the
   administrator's access token (kept in a cookie by the login page). Plain DOM, no framework;
   every value from the API is set as text, never as markup. */
/* global document, window, fetch, location, URLSearchParams, setTimeout, clearTimeout */
'use strict';

const TOKEN_COOKIE = 'mirrortube_admin';

function token() {
  const m = document.cookie.match(new RegExp('(?:^|; )' + TOKEN_COOKIE + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : null;
}

function setToken(value, maxAgeSeconds) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  if (value === null) document.cookie = TOKEN_COOKIE + '=; path=/admin; max-age=0; SameSite=Strict' + secure;
  else document.cookie = TOKEN_COOKIE + '=' + encodeURIComponent(value) + '; path=/admin; max-age=' + maxAgeSeconds + '; SameSite=Strict' + secure;
}

/** A call to /api/v1: `{ ok, status, data, message }`; a 401 sends the operator to the login page. */
async function api(path, options) {
  const opts = options || {};
  const headers = { authorization: 'Bearer ' + token() };
  let body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, { method: opts.method || 'GET', headers: headers, body: body });
  } catch (err) {
    return { ok: false, status: 0, data: null, message: 'the instance did not answer: ' + err.message };
  }
  if (res.status === 401) {
    setToken(null);
    location.assign('/admin/login?next=' + encodeURIComponent(location.pathname));
    return new Promise(() => {});
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const message = res.ok ? '' : (data && (data.detail || data.error || data.title)) || 'HTTP ' + res.status;
  return { ok: res.ok, status: res.status, data: data, message: message };
}

/** el('td', { class: 'x' }, 'text', child): a DOM element; strings become text nodes. */
function el(tag, attrs) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (let i = 2; i < arguments.length; i++) {
    const c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) c.forEach((x) => x !== null && x !== undefined && node.append(x));
    else node.append(c instanceof window.Node ? c : String(c));
  }
  return node;
}

function $(id) {
  return document.getElementById(id);
}

function fillBody(tableId, rows, emptyText) {
  const tbody = $(tableId).tBodies[0];
  const cols = $(tableId).tHead.rows[0].cells.length;
  tbody.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: cols }, emptyText))]));
}

function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]];
  for (const [name, size] of units) if (Math.abs(n) >= size) return (n / size).toFixed(n / size >= 100 ? 0 : 1) + ' ' + name;
  return n + ' B';
}

function seconds(s) {
  if (s === null || s === undefined) return '–';
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

function stateCell(state) {
  return el('td', { class: 'state-' + state }, state);
}

function notice(text) {
  $('notice').textContent = text;
}

/** Runs `task` now and every `ms` (never two at once); a task may return the next interval. */
function every(ms, task) {
  let timer;
  const run = async () => {
    clearTimeout(timer);
    let next = ms;
    try {
      const asked = await task();
      if (typeof asked === 'number') next = asked;
    } finally {
      timer = setTimeout(run, next);
    }
  };
  run();
  return run;
}

/** A button whose action calls the API, then shows the API's message or refreshes. */
function actionButton(label, action, opts) {
  const o = opts || {};
  return el('button', {
    type: 'button',
    class: o.danger ? 'danger' : null,
    'aria-label': o.ariaLabel || null,
    onclick: async (ev) => {
      const b = ev.currentTarget;
      if (o.confirm && !window.confirm(o.confirm)) return;
      b.disabled = true;
      const r = await action();
      b.disabled = false;
      if (r && !r.ok) notice(label + ': ' + r.message);
      else notice(o.done || label + ': done');
      if (o.after) await o.after();
    },
  }, label);
}

// ---------------------------------------------------------------- login

function loginPage() {
  const form = $('login-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = $('login-error');
    error.textContent = '';
    const client = await (await fetch('/api/v1/oauth-clients/local')).json();
    const body = new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username: form.username.value, password: form.password.value });
    const res = await fetch('/api/v1/users/token', { method: 'POST', body: body });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      error.textContent = data.detail || data.error || 'Login failed (HTTP ' + res.status + ')';
      return;
    }
    setToken(data.access_token, data.expires_in || 3600);
    const me = await api('/users/me');
    if (!me.ok || me.data.role.id !== 0) {
      setToken(null);
      error.textContent = form.username.value + ' is not an administrator: log in with an administrator account.';
      return;
    }
    location.assign(form.dataset.next || '/admin/redundancy');
  });
}

function logoutButton() {
  const b = $('logout');
  if (!b) return;
  b.addEventListener('click', async () => {
    await api('/users/revoke-token', { method: 'POST' });
    setToken(null);
    location.assign('/admin/login');
  });
}

// ---------------------------------------------------------------- following

function healthText(h) {
  if (!h) return 'no delivery yet';
  let t = h.state;
  if (h.consecutiveFailures > 0) t += ', ' + h.consecutiveFailures + ' failure(s) in a row';
  if (h.pausedUntil) t += ', paused until ' + when(h.pausedUntil);
  if (h.lastError) t += ' (' + h.lastError + ')';
  return t;
}

function followingPage() {
  const refresh = every(3000, async () => {
    const [following, followers, hosts] = await Promise.all([api('/server/following?count=100'), api('/server/followers?count=100'), api('/server/hosts-health')]);
    if (!following.ok) return notice('following: ' + following.message);
    const health = new Map(((hosts.ok && hosts.data.data) || []).map((h) => [h.host, h]));
    fillBody('following-table', following.data.data.map((f) => {
      const host = f.following.host;
      const target = f.following.name === 'peertube' ? host : f.following.name + '@' + host;
      const allowed = f.following.hostRedundancyAllowed;
      return el('tr', { 'data-host': host },
        el('td', {}, target),
        stateCell(f.state),
        el('td', {}, el('span', { class: 'redundancy-state' }, allowed ? 'allowed' : 'refused'), ' ',
          actionButton(allowed ? 'Refuse redundancy' : 'Allow redundancy', () => api('/server/redundancy/' + encodeURIComponent(host), { method: 'PUT', json: { redundancyAllowed: !allowed } }), { ariaLabel: (allowed ? 'Refuse redundancy for ' : 'Allow redundancy for ') + host, after: () => refresh() })),
        el('td', { class: 'state-' + (health.get(host) ? health.get(host).state : 'pending') }, healthText(health.get(host))),
        el('td', {}, actionButton('Unfollow', () => api('/server/following/' + encodeURIComponent(target), { method: 'DELETE' }), { danger: true, ariaLabel: 'Unfollow ' + target, confirm: 'Stop following ' + target + '? Our copies of its videos are removed.', after: () => refresh() })));
    }), 'We follow no one.');
    if (followers.ok) {
      fillBody('followers-table', followers.data.data.map((f) => {
        const handle = f.follower.name + '@' + f.follower.host;
        return el('tr', {},
          el('td', {}, handle),
          stateCell(f.state),
          el('td', {}, healthText(health.get(f.follower.host))),
          el('td', {},
            f.state === 'pending' ? actionButton('Accept', () => api('/server/followers/' + encodeURIComponent(handle) + '/accept', { method: 'POST' }), { ariaLabel: 'Accept ' + handle, after: () => refresh() }) : null,
            f.state === 'pending' ? actionButton('Reject', () => api('/server/followers/' + encodeURIComponent(handle) + '/reject', { method: 'POST' }), { danger: true, ariaLabel: 'Reject ' + handle, after: () => refresh() }) : null,
            f.state !== 'pending' ? actionButton('Remove', () => api('/server/followers/' + encodeURIComponent(handle), { method: 'DELETE' }), { danger: true, ariaLabel: 'Remove follower ' + handle, after: () => refresh() }) : null));
      }), 'No one follows us.');
    }
    if (hosts.ok) {
      fillBody('hosts-table', hosts.data.data.map((h) => el('tr', {},
        el('td', {}, h.host), stateCell(h.state), el('td', {}, h.consecutiveFailures), el('td', {}, when(h.pausedUntil)), el('td', {}, when(h.lastSuccessAt)), el('td', {}, h.lastError || ''),
        el('td', {}, h.state === 'healthy' ? '' : actionButton('Retry now', () => api('/server/hosts-health/' + encodeURIComponent(h.host) + '/reset', { method: 'POST' }), { ariaLabel: 'Retry deliveries to ' + h.host, after: () => refresh() })))), 'No delivery yet.');
    }
  });
  $('follow-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = $('follow-target').value.trim();
    const body = value.includes('@') ? { handles: [value] } : { hosts: [value] };
    const r = await api('/server/following', { method: 'POST', json: body });
    $('follow-error').textContent = r.ok ? '' : r.message;
    if (r.ok) {
      notice('Follow request sent to ' + value);
      $('follow-target').value = '';
    }
    await refresh();
  });
}

// ---------------------------------------------------------------- redundancy

const STRATEGIES = ['most-views', 'trending', 'recently-added'];

/** Numbers stay numbers when they look like one; anything else is sent as typed (the API says what is wrong). */
function numberOrText(v) {
  const t = v.trim();
  if (t === '') return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function list(v) {
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

let fieldSeq = 0;
function field(label, name, value, attrs) {
  const id = 'f' + ++fieldSeq;
  return [el('label', { for: id }, label), el('input', Object.assign({ id: id, 'data-field': name, value: value === null || value === undefined ? '' : String(value) }, attrs || {}))];
}

function strategyRow(s) {
  const id = 'f' + ++fieldSeq;
  const select = el('select', { id: id, 'data-field': 'strategy' }, STRATEGIES.map((n) => el('option', { value: n, selected: n === s.strategy }, n)));
  const row = el('div', { class: 'rule strategy-rule' },
    el('div', { class: 'grid' },
      el('label', { for: id }, 'Strategy'), select,
      field('Size', 'size', s.size),
      field('Minimum lifetime', 'min_lifetime', s.min_lifetime),
      field('Minimum views (recently-added)', 'min_views', s.min_views),
      field('Priority (higher first under a total cap)', 'priority', s.priority)),
    el('button', { type: 'button', class: 'danger', onclick: () => row.remove() }, 'Remove this strategy'));
  return row;
}

function hostRow(h) {
  const inc = h.include || {};
  const exc = h.exclude || {};
  const strategies = (h.strategies || []).map((s) => (s.min_views ? s.strategy + ':' + s.min_views : s.strategy)).join(', ');
  const mirrorAllId = 'f' + ++fieldSeq;
  const row = el('div', { class: 'rule host-rule' },
    el('div', { class: 'grid' },
      field('Host', 'host', h.host),
      field('Priority', 'priority', h.priority),
      field('Size', 'size', h.size),
      field('Minimum lifetime', 'min_lifetime', h.min_lifetime),
      el('label', { for: mirrorAllId }, 'Mirror every video'), el('input', { id: mirrorAllId, type: 'checkbox', 'data-field': 'mirror_all', checked: Boolean(h.mirror_all) }),
      field('Strategies (comma separated; recently-added:10 for min views)', 'strategies', strategies),
      field('Include channels (name@host)', 'include.channels', (inc.channels || []).join(', ')),
      field('Include accounts (name@host)', 'include.accounts', (inc.accounts || []).join(', ')),
      field('Include tags', 'include.tags', (inc.tags || []).join(', ')),
      field('Include languages', 'include.languages', (inc.languages || []).join(', ')),
      field('Include at most this size', 'include.max_size', inc.max_size),
      field('Include at least this duration', 'include.min_duration', inc.min_duration),
      field('Include at most this duration', 'include.max_duration', inc.max_duration),
      field('Exclude channels', 'exclude.channels', (exc.channels || []).join(', ')),
      field('Exclude accounts', 'exclude.accounts', (exc.accounts || []).join(', ')),
      field('Exclude tags', 'exclude.tags', (exc.tags || []).join(', ')),
      field('Exclude languages', 'exclude.languages', (exc.languages || []).join(', '))),
    el('button', { type: 'button', class: 'danger', onclick: () => row.remove() }, 'Remove this host rule'));
  return row;
}

function fillPolicyForm(policy) {
  const form = $('policy-form');
  form.check_interval.value = policy.check_interval || '';
  form.target_replicas.value = policy.target_replicas === null || policy.target_replicas === undefined ? '' : policy.target_replicas;
  form.total_size.value = policy.total_size || '';
  $('strategies').replaceChildren(...(policy.strategies || []).map(strategyRow));
  $('host-rules').replaceChildren(...(policy.hosts || []).map(hostRow));
  $('policy-source').textContent = policy.source === 'api'
    ? 'In force: version ' + policy.version + ', set ' + when(policy.updatedAt) + (policy.setBy ? ' by ' + policy.setBy : '') + '.'
    : 'In force: the configuration file\'s redundancy.videos (never changed through the API).';
}

/** The form as the policy endpoint's JSON body (the config file's shape). */
function policyFromForm() {
  const form = $('policy-form');
  const get = (root, name) => root.querySelector('[data-field="' + name + '"]');
  const text = (root, name) => get(root, name).value.trim();
  const out = {
    check_interval: numberOrText(form.check_interval.value) === null ? undefined : numberOrText(form.check_interval.value),
    target_replicas: numberOrText(form.target_replicas.value),
    total_size: numberOrText(form.total_size.value),
    strategies: [...$('strategies').querySelectorAll('.strategy-rule')].map((r) => {
      const s = { strategy: get(r, 'strategy').value, size: numberOrText(text(r, 'size')), min_lifetime: numberOrText(text(r, 'min_lifetime')) };
      if (text(r, 'min_views') !== '') s.min_views = numberOrText(text(r, 'min_views'));
      if (text(r, 'priority') !== '') s.priority = numberOrText(text(r, 'priority'));
      return s;
    }),
    hosts: [...$('host-rules').querySelectorAll('.host-rule')].map((r) => {
      const h = { host: text(r, 'host'), size: numberOrText(text(r, 'size')), min_lifetime: numberOrText(text(r, 'min_lifetime')) };
      if (text(r, 'priority') !== '') h.priority = numberOrText(text(r, 'priority'));
      if (get(r, 'mirror_all').checked) h.mirror_all = true;
      else h.strategies = list(text(r, 'strategies')).map((s) => {
        const [name, views] = s.split(':');
        return views === undefined ? { strategy: name } : { strategy: name, min_views: numberOrText(views) };
      });
      const inc = {};
      for (const k of ['channels', 'accounts', 'tags', 'languages']) if (text(r, 'include.' + k) !== '') inc[k] = list(text(r, 'include.' + k));
      for (const k of ['max_size', 'min_duration', 'max_duration']) if (text(r, 'include.' + k) !== '') inc[k] = numberOrText(text(r, 'include.' + k));
      if (Object.keys(inc).length > 0) h.include = inc;
      const exc = {};
      for (const k of ['channels', 'accounts', 'tags', 'languages']) if (text(r, 'exclude.' + k) !== '') exc[k] = list(text(r, 'exclude.' + k));
      if (Object.keys(exc).length > 0) h.exclude = exc;
      return h;
    }),
  };
  if (out.check_interval === undefined) delete out.check_interval;
  return out;
}

function usageTable(usage, caption) {
  return el('table', { class: 'usage' }, el('caption', {}, caption),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Budget'), el('th', { scope: 'col' }, 'Used now'), el('th', { scope: 'col' }, 'After the plan'), el('th', { scope: 'col' }, 'Limit'))),
    el('tbody', {}, usage.map((u) => el('tr', {}, el('td', {}, u.budget), el('td', {}, bytes(u.used)), el('td', {}, bytes(u.afterPlan)), el('td', {}, bytes(u.limit))))));
}

function showDryRun(result) {
  const p = result.proposed;
  const adds = p.decisions.filter((d) => d.type === 'add');
  const evicts = p.decisions.filter((d) => d.type === 'evict');
  const others = p.decisions.filter((d) => d.type !== 'add' && d.type !== 'evict');
  const item = (d) => el('li', { class: 'dry-' + d.type }, el('strong', {}, d.type), ' ', d.videoName || 'video ' + d.videoId, d.host ? ' (' + d.host + ')' : '', d.sizeBytes !== null ? ', ' + bytes(d.sizeBytes) : '', ' — ', d.budget, ': ', d.reason);
  const parts = [
    el('h3', {}, 'Dry run: what saving this policy would do'),
    el('p', { id: 'dry-run-summary' }, adds.length + ' to add, ' + evicts.length + ' to evict, ' + others.length + ' to renew or refresh. Nothing has been changed yet.'),
    p.decisions.length > 0 ? el('ul', { id: 'dry-run-decisions' }, p.decisions.map(item)) : el('p', {}, 'The planner would change nothing.'),
    usageTable(p.usage, 'Budgets with the proposed policy'),
    p.notes.length > 0 ? el('ul', { class: 'hint' }, p.notes.map((n) => el('li', {}, n))) : null,
  ];
  $('dry-run').replaceChildren(...parts.filter((x) => x !== null));
}

function copyRow(c, refresh) {
  const p = c.progress;
  const running = c.state === 'downloading' || c.state === 'planned';
  const t = c.transfers;
  const served = t.protocols ? bytes(t.protocols.http.uploadedBytes) + ' / ' + bytes(t.protocols.bittorrent.uploadedBytes) + ' / ' + bytes(t.protocols.webrtc.uploadedBytes) : '–';
  const progressCell = running
    ? p && p.percent !== null
      ? el('td', { class: 'progress' }, el('progress', { max: 100, value: p.percent, 'aria-label': 'Download of ' + c.videoName }), ' ', el('span', { class: 'percent' }, p.percent.toFixed(1) + ' %'), ' ', bytes(p.bytesDone) + ' of ' + bytes(p.bytesExpected), p.filesTotal ? ', files ' + p.filesDone + '/' + p.filesTotal : '')
      : el('td', { class: 'progress' }, p ? p.phase + ', ' + bytes(p.bytesDone) : 'waiting')
    : el('td', { class: 'progress' }, c.state === 'active' ? 'complete' : '–');
  const health = c.state === 'failed' ? 'failed: ' + (c.reason || '') : 'verified ' + when(c.health.lastVerifiedAt) + (c.health.failures ? ', ' + c.health.failures + ' failure(s)' : '') + (c.health.originDown ? ', origin down: our copy is served' : '');
  return el('tr', { 'data-video': c.videoUuid, 'data-state': c.state },
    el('td', {}, c.videoName),
    el('td', {}, c.originHost),
    el('td', {}, c.strategy),
    el('td', {}, bytes(c.sizeBytes)),
    stateCell(c.state),
    progressCell,
    el('td', {}, running && p ? bytes(p.bytesPerSecond) + '/s' : '–'),
    el('td', {}, running && p ? seconds(p.etaSeconds) : '–'),
    el('td', { class: 'served' }, served),
    el('td', { class: 'ratio' }, t.ratio === null ? '–' : t.ratio.toFixed(2)),
    el('td', {}, health),
    el('td', {}, c.strategy === 'manual' ? 'never' : when(c.expiresOn)),
    el('td', {},
      c.state === 'active' ? actionButton('Re-verify', () => api('/server/redundancy/videos/' + c.id + '/verify', { method: 'POST' }), { ariaLabel: 'Re-verify the copy of ' + c.videoName, done: 'The copy of ' + c.videoName + ' verifies.', after: refresh }) : null,
      actionButton('Remove', () => api('/server/redundancy/videos/' + c.id, { method: 'DELETE' }), { danger: true, ariaLabel: 'Remove the copy of ' + c.videoName, confirm: 'Remove our copy of ' + c.videoName + '?', after: refresh })));
}

function redundancyPage() {
  const loadPolicy = async () => {
    const r = await api('/server/redundancy/policy');
    if (r.ok) fillPolicyForm(r.data);
    else $('policy-error').textContent = r.message;
  };
  loadPolicy();
  $('add-strategy').addEventListener('click', () => $('strategies').append(strategyRow({ strategy: 'recently-added', size: '10GB', min_lifetime: '25 hours', min_views: 0 })));
  $('add-host').addEventListener('click', () => $('host-rules').append(hostRow({ host: '', priority: 0, size: '10GB', min_lifetime: '25 hours', strategies: [{ strategy: 'trending' }] })));
  $('policy-reset').addEventListener('click', () => {
    $('policy-error').textContent = '';
    $('dry-run').replaceChildren();
    loadPolicy();
  });
  $('policy-dry-run').addEventListener('click', async () => {
    $('policy-error').textContent = '';
    const r = await api('/server/redundancy/policy/dry-run', { method: 'POST', json: policyFromForm() });
    if (!r.ok) {
      $('dry-run').replaceChildren();
      $('policy-error').textContent = r.message;
      return;
    }
    showDryRun(r.data);
  });
  $('policy-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('policy-error').textContent = '';
    const r = await api('/server/redundancy/policy', { method: 'PUT', json: policyFromForm() });
    if (!r.ok) {
      $('policy-error').textContent = r.message;
      return;
    }
    fillPolicyForm(r.data);
    $('dry-run').replaceChildren();
    notice('Policy saved (version ' + r.data.version + '); the planner has run with it.');
    await refresh();
  });
  $('manual-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = $('manual-video').value.trim();
    let id = /^\d+$/.test(value) ? Number(value) : null;
    if (id === null) {
      const v = await api('/videos/' + encodeURIComponent(value));
      if (!v.ok) {
        $('manual-error').textContent = v.message;
        return;
      }
      id = v.data.id;
    }
    const r = await api('/server/redundancy/videos', { method: 'POST', json: { videoId: id } });
    $('manual-error').textContent = r.ok ? '' : r.message;
    if (r.ok) notice('Manual copy planned.');
    await refresh();
  });

  const render = (d) => {
    fillBody('copies-table', d.copies.map((c) => copyRow(c, () => refresh())), 'No copies yet.');
    fillBody('budgets-table', d.budgets.map((u) => el('tr', {},
      el('td', {}, u.budget), el('td', {}, bytes(u.used)), el('td', {}, bytes(u.limit)),
      el('td', {}, el('meter', { min: 0, max: u.limit || 1, value: Math.min(u.used, u.limit || 1), 'aria-label': u.budget + ' use' }), ' ', u.limit ? (u.used > 0 && u.used / u.limit < 0.01 ? '< 1 %' : Math.round((u.used / u.limit) * 100) + ' %') : ''),
      el('td', {}, bytes(u.afterPlan)))).concat([el('tr', {}, el('td', {}, 'all copies (manual ones too)'), el('td', {}, bytes(d.total.used)), el('td', {}, d.total.limit === null ? 'no cap' : bytes(d.total.limit)), el('td', {}, ''), el('td', {}, bytes(d.total.afterPlan)))]), 'No budgets.');
    $('budget-notes').textContent = d.notes.join(' ');
    fillBody('mirrors-table', d.mirrorsOfOurVideos.map((m) => el('tr', {},
      el('td', {}, m.videoName), el('td', {}, m.mirrorHost || ''), el('td', {}, m.kind), stateCell(m.state), el('td', {}, when(m.lastVerifiedAt)), el('td', {}, m.failures), el('td', {}, m.reason || (m.state === 'active' ? 'matches our files' : '')), el('td', {}, m.expiresOn ? when(m.expiresOn) : 'never'))), 'No other instance announced a copy of our videos.');
    return d.copies.some((c) => c.state === 'planned' || c.state === 'downloading') ? 1000 : 3000;
  };
  const poll = async () => {
    const r = await api('/server/redundancy/console');
    if (!r.ok) return notice('console: ' + r.message);
    return render(r.data);
  };
  // after an action: read the console at once
  let refresh = poll;
  // live: the server sends the console each time it changes (it looks every second while a copy is
  // written, every 3 seconds otherwise); if it refuses the stream, the page polls at that pace
  streamEvents('/server/redundancy/console/events', (event, data) => {
    if (event === 'console') render(JSON.parse(data));
  }).then((streamed) => {
    if (!streamed) refresh = every(3000, poll);
  });
}

/**
 * Reads server-sent events from /api/v1`path` through fetch (EventSource cannot send the token),
 * calling `onEvent(name, data)` for each; reconnects 3 s after the stream drops. Resolves false
 * when the server refuses the stream (the caller polls instead).
 */
async function streamEvents(path, onEvent) {
  const pause = () => new Promise((resolve) => setTimeout(resolve, 3000));
  for (;;) {
    let res;
    try {
      res = await fetch('/api/v1' + path, { headers: { authorization: 'Bearer ' + token(), accept: 'text/event-stream' } });
    } catch {
      await pause();
      continue;
    }
    if (res.status === 401) {
      setToken(null);
      location.assign('/admin/login?next=' + encodeURIComponent(location.pathname));
      return true;
    }
    if (!res.ok || !res.body || typeof window.TextDecoderStream !== 'function') return false;
    const reader = res.body.pipeThrough(new window.TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0) onEvent(event, data.join('\n'));
        }
      }
    } catch {
      // the stream dropped: reconnect
    }
    await pause();
  }
}

// ---------------------------------------------------------------- jobs

function jobsPage() {
  const form = $('jobs-filter');
  const state = $('jobs-state');
  const type = $('jobs-type');
  const params = new URLSearchParams(location.search);
  if (params.get('state')) state.value = params.get('state');
  if (params.get('jobType')) type.value = params.get('jobType');
  const show = (s, t) => {
    state.value = s;
    type.value = t;
    refresh();
  };
  const refresh = every(3000, async () => {
    const q = new URLSearchParams({ count: '50', sort: '-createdAt' });
    if (type.value.trim()) q.set('jobType', type.value.trim());
    const [queues, r, failed, retrying] = await Promise.all([
      api('/server/job-queues'),
      api('/server/jobs-console/' + state.value + '?' + q),
      api('/server/jobs-console/failed?count=10'),
      api('/server/jobs-console/delayed?count=50'),
    ]);
    if (failed.ok && retrying.ok) {
      const errors = failed.data.data.concat(retrying.data.data.filter((j) => j.error))
        .map((j) => Object.assign({ at: j.finishedOn || j.processedOn || j.createdAt }, j))
        .sort((x, y) => (x.at < y.at ? 1 : -1))
        .slice(0, 10);
      fillBody('errors-table', errors.map((j) => el('tr', {},
        el('td', {}, j.id), el('td', {}, j.type), stateCell(j.state === 'failed' ? 'failed' : 'retrying'),
        el('td', {}, j.attempts === null ? '–' : j.attempts + ' of ' + j.maxAttempts),
        el('td', {}, when(j.at) + (j.state === 'delayed' ? ', next try ' + when(j.runAt) : '')),
        el('td', { class: 'problem' }, j.error || ''))), 'No recent errors.');
    }
    if (queues.ok) {
      $('queues-paused').textContent = queues.data.paused ? 'The queue of this process is paused: waiting jobs are not started.' : '';
      const cell = (queue, s) => el('td', {}, queue[s] > 0 ? el('a', { href: '?state=' + s + '&jobType=' + encodeURIComponent(queue.type), onclick: (ev) => { ev.preventDefault(); show(s, queue.type); } }, String(queue[s])) : '0');
      fillBody('queues-table', queues.data.queues.map((queue) => el('tr', {}, el('td', {}, queue.type), ['active', 'waiting', 'delayed', 'failed', 'completed'].map((s) => cell(queue, s)))), 'No jobs yet.');
      const types = new Set([...$('job-types').options].map((o) => o.value));
      for (const queue of queues.data.queues) if (!types.has(queue.type)) $('job-types').append(el('option', { value: queue.type }));
    }
    if (!r.ok) return notice('jobs: ' + r.message);
    fillBody('jobs-table', r.data.data.map((j) => el('tr', { 'data-job': j.id },
      el('td', {}, j.id), el('td', {}, j.type), stateCell(j.state),
      el('td', { class: 'attempts' }, j.attempts === null ? '–' : j.attempts + ' of ' + j.maxAttempts),
      el('td', {}, el('progress', { max: 100, value: j.progress, 'aria-label': 'Progress of job ' + j.id }), ' ', Math.round(j.progress) + ' %'),
      el('td', {}, when(j.createdAt)), el('td', {}, when(j.processedOn)),
      el('td', {}, j.finishedOn ? when(j.finishedOn) : j.state === 'delayed' || j.state === 'waiting' ? 'next run ' + when(j.runAt) : '–'),
      el('td', {}, el('code', {}, JSON.stringify(j.data))),
      el('td', { class: j.error && j.state !== 'completed' ? 'problem' : null }, j.error || (j.result ? JSON.stringify(j.result) : '')))), 'No ' + state.value + ' jobs' + (type.value.trim() ? ' of type ' + type.value.trim() : '') + '.');
    $('jobs-total').textContent = r.data.total + ' ' + state.value + ' job(s)' + (r.data.total > 50 ? ', the 50 newest shown' : '') + '.';
  });
  form.addEventListener('change', () => refresh());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    refresh();
  });
  recentLogs();
}

/** The jobs page's list of the last warnings and errors the instance logged. */
function recentLogs() {
  const level = $('logs-level');
  const component = $('logs-component');
  const refresh = every(3000, async () => {
    const q = new URLSearchParams({ level: level.value, count: '100' });
    if (component.value.trim()) q.set('component', component.value.trim());
    const r = await api('/server/logs/recent?' + q);
    if (!r.ok) {
      $('logs-total').textContent = 'Recent warnings and errors: ' + r.message;
      return;
    }
    fillBody('logs-table', r.data.data.map((e) => el('tr', {},
      el('td', {}, when(e.time)), el('td', { class: 'level-' + e.level }, e.level), el('td', {}, e.component || '–'),
      el('td', {}, e.msg), el('td', { class: 'log-details' }, e.details ? el('code', {}, e.details) : ''))),
    'Nothing logged at this level' + (component.value.trim() ? ' by ' + component.value.trim() : '') + ' since the start.');
    $('logs-total').textContent = r.data.total + ' line(s)' + (r.data.total > r.data.data.length ? ', the ' + r.data.data.length + ' newest shown' : '') + '.';
  });
  $('logs-filter').addEventListener('change', () => refresh());
  $('logs-filter').addEventListener('submit', (ev) => {
    ev.preventDefault();
    refresh();
  });
}

// ---------------------------------------------------------------- instance

function instancePage() {
  every(10000, async () => {
    const r = await api('/server/stats');
    if (!r.ok) return notice('stats: ' + r.message);
    const s = r.data;
    const rows = [
      ['Local videos', s.totalLocalVideos], ['All videos', s.totalVideos], ['Local video views', s.totalLocalVideoViews],
      ['Local files size', bytes(s.totalLocalVideoFilesSize)], ['Users', s.totalUsers], ['Local channels', s.totalLocalVideoChannels],
      ['Comments (local / all)', s.totalLocalVideoComments + ' / ' + s.totalVideoComments], ['Instance followers', s.totalInstanceFollowers], ['Instances followed', s.totalInstanceFollowing],
    ];
    for (const red of s.videosRedundancy || []) rows.push(['Redundancy ' + red.strategy, red.totalVideos + ' video(s), ' + bytes(red.totalUsed) + ' of ' + (red.totalSize ? bytes(red.totalSize) : 'no limit')]);
    $('stats').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  });
}

// ----------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  const root = document.querySelector('[data-page]');
  if (!root) return;
  logoutButton();
  const page = root.dataset.page;
  if (page === 'login') loginPage();
  else if (page === 'following') followingPage();
  else if (page === 'redundancy') redundancyPage();
  else if (page === 'jobs') jobsPage();
  else if (page === 'instance') instancePage();
});
