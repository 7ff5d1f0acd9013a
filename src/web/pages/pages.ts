import { html, raw, type SafeHtml } from '../shell/html.js';
import { renderMarkdown } from './markdown.js';

/** What a list of videos shows of each (a VideoSummary fits). */
export interface VideoCard {
  uuid: string;
  name: string;
  duration: number;
  views: number;
  isLocal: boolean;
  publishedAt: Date;
  thumbnailFilename: string | null;
  channel: { name: string; displayName: string; actor: { host: string | null } };
}

export interface ActorCard {
  name: string;
  displayName: string;
  description: string | null;
  actor: { host: string | null; url: string };
}

/** `1:05`, `1:02:03`: a duration as a player shows it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** PeerTube's `start`/`stop` option: seconds, or `1h2m3s` pieces; null when unreadable. */
export function parseTimeOption(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m || (!m[1] && !m[2] && !m[3])) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** A query flag as PeerTube's embed reads it (`1`/`true` on, `0`/`false` off). */
export function flagOption(value: unknown, fallback: boolean): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return fallback;
}

export const handleOf = (name: string, host: string | null) => (host ? `${name}@${host}` : name);

function videoCard(v: VideoCard): SafeHtml {
  const channel = handleOf(v.channel.name, v.channel.actor.host);
  return html`<li>
<a href="/w/${v.uuid}"><img src="${v.thumbnailFilename ? `/lazy-static/thumbnails/${v.thumbnailFilename}` : ''}" alt="" loading="lazy" width="220" height="124"><span>${v.name}</span></a>
<div class="meta"><a href="/c/${channel}">${v.channel.displayName}</a> · <span>${formatDuration(v.duration)}</span> · <span>${v.views} views</span> · <time datetime="${v.publishedAt.toISOString()}">${v.publishedAt.toISOString().slice(0, 10)}</time>${v.isLocal ? null : html` · <span>remote</span>`}</div>
</li>`;
}

export function videoList(videos: VideoCard[], empty = 'No videos yet.'): SafeHtml {
  if (videos.length === 0) return html`<p>${empty}</p>`;
  return html`<ul class="videos">${videos.map(videoCard)}</ul>`;
}

function pager(path: string, query: Record<string, string>, page: number, hasMore: boolean): SafeHtml {
  const link = (p: number, label: string, rel: string) => html`<a rel="${rel}" href="${path}?${new URLSearchParams({ ...query, page: String(p) }).toString()}">${label}</a>`;
  return html`<nav aria-label="Pages" class="filters">${page > 1 ? link(page - 1, 'Previous', 'prev') : null}${hasMore ? link(page + 1, 'Next', 'next') : null}</nav>`;
}

export type ListFilter = 'all' | 'local' | 'remote';
export type ListSort = 'recent' | 'trending';

export function homeBody(input: { videos: VideoCard[]; total: number; filter: ListFilter; sort: ListSort; page: number; pageSize: number; path: string }): SafeHtml {
  const opt = (filter: ListFilter, sort: ListSort, label: string) => {
    const q = new URLSearchParams({ ...(filter === 'all' ? {} : { filter }), ...(sort === 'recent' ? {} : { sort }) }).toString();
    const current = filter === input.filter && sort === input.sort;
    return html`<a href="/${q ? `?${q}` : ''}"${current ? raw(' aria-current="true"') : null}>${label}</a>`;
  };
  const title = `${input.sort === 'trending' ? 'Trending' : 'Recent'} videos${input.filter === 'all' ? '' : ` (${input.filter})`}`;
  const query: Record<string, string> = { ...(input.filter === 'all' ? {} : { filter: input.filter }), ...(input.sort === 'recent' ? {} : { sort: input.sort }) };
  return html`<h1>${title}</h1>
<nav aria-label="Filters" class="filters">${opt('all', 'recent', 'Recent')}${opt('all', 'trending', 'Trending')}${opt('local', input.sort, 'Local')}${opt('remote', input.sort, 'Remote')}</nav>
${videoList(input.videos)}
${pager(input.path, query, input.page, input.page * input.pageSize < input.total)}`;
}

export function actorBody(input: { kind: 'channel' | 'account'; actor: ActorCard; videos: VideoCard[]; total: number }): SafeHtml {
  const handle = handleOf(input.actor.name, input.actor.actor.host);
  return html`<h1>${input.actor.displayName}</h1>
<p class="meta">${input.kind === 'channel' ? 'Channel' : 'Account'} <code>@${handle}</code> · ${input.total} videos · <a href="${input.actor.actor.url}">profile</a></p>
${input.actor.description ? html`<p>${input.actor.description}</p>` : null}
<h2>Videos</h2>
${videoList(input.videos)}`;
}

export function searchBody(input: { search: string; videos: VideoCard[]; total: number }): SafeHtml {
  return html`<h1>Search</h1>
<form class="stack" role="search" action="/search" method="get">
<label for="search">Search videos</label>
<input id="search" name="search" type="search" value="${input.search}" maxlength="200">
<button type="submit">Search</button>
</form>
${input.search ? html`<h2>${input.total} results for “${input.search}”</h2>${videoList(input.videos, 'Nothing found.')}` : null}`;
}

export function aboutBody(input: { name: string; shortDescription: string; description: string; host: string; version: string; videos: number }): SafeHtml {
  return html`<h1>About ${input.name}</h1>
<p>${input.shortDescription}</p>
${input.description ? html`<section aria-labelledby="desc"><h2 id="desc">Description</h2><p>${input.description}</p></section>` : null}
<section aria-labelledby="facts"><h2 id="facts">This instance</h2>
<dl><dt>Host</dt><dd>${input.host}</dd><dt>Software</dt><dd>mirrortube ${input.version} (PeerTube-compatible)</dd><dt>Local videos</dt><dd>${input.videos}</dd></dl></section>`;
}

export function loginBody(): SafeHtml {
  return html`<h1>Log in</h1>
<form class="stack" id="login" method="post" action="/login">
<label for="username">User name or email</label>
<input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
<p class="error" id="login-error" role="alert"></p>
</form>
<p>Logging in needs JavaScript (it asks <code>/api/v1/users/token</code> for a token kept in this browser).</p>
<script src="/client/pages.js" defer></script>`;
}

export function uploadBody(channels: { id: number; displayName: string }[]): SafeHtml {
  return html`<h1>Upload a video</h1>
<form class="stack" id="upload" method="post" action="/api/v1/videos/upload" enctype="multipart/form-data">
<label for="videofile">Video file</label>
<input id="videofile" name="videofile" type="file" accept="video/*,audio/*" required>
<label for="name">Title</label>
<input id="name" name="name" required maxlength="120">
<label for="channelId">Channel</label>
${channels.length
  ? html`<select id="channelId" name="channelId">${channels.map((c) => html`<option value="${c.id}">${c.displayName}</option>`)}</select>`
  : html`<input id="channelId" name="channelId" inputmode="numeric" required>`}
<label for="privacy">Privacy</label>
<select id="privacy" name="privacy"><option value="1">Public</option><option value="2">Unlisted</option><option value="3">Private</option></select>
<fieldset><legend>Protocol</legend>
<label><input type="radio" name="protocol" value="resumable" checked> Resumable (chunks, survives a broken connection)</label>
<label><input type="radio" name="protocol" value="multipart"> One request (multipart form)</label>
</fieldset>
<button type="submit">Upload</button>
<label for="upload-progress">Progress</label>
<progress id="upload-progress" max="100" value="0">0%</progress>
<p id="upload-status" role="status" aria-live="polite"></p>
</form>
<p>Uploading needs JavaScript and a logged-in user (<a href="/login">log in</a>).</p>
<script src="/client/pages.js" defer></script>`;
}

export interface PlayerOptions {
  uuid: string;
  autoplay: boolean;
  muted: boolean;
  start: number | null;
  p2p: boolean;
  posterPath: string | null;
  title: string;
  /** PeerTube's `mode`: `web-video` plays the MP4 files even when HLS exists */
  mode?: 'web-video' | 'p2p-media-loader';
}

/** The player's element: a native <video> the bundle drives; its options as data attributes. */
export function playerElement(o: PlayerOptions): SafeHtml {
  return html`<div class="player" data-player data-video="${o.uuid}" data-autoplay="${o.autoplay ? '1' : '0'}" data-muted="${o.muted ? '1' : '0'}" data-start="${o.start ?? ''}" data-p2p="${o.p2p ? '1' : '0'}" data-mode="${o.mode ?? ''}">
<video controls playsinline preload="metadata" aria-label="${`Video: ${o.title}`}"${o.posterPath ? html` poster="${o.posterPath}"` : null}${o.muted ? raw(' muted') : null}></video>
<noscript><p>The player needs JavaScript.</p></noscript>
</div>
<script src="/client/player.js" defer></script>`;
}

export function sourcesPanel(): SafeHtml {
  return html`<details class="stats" id="player-stats"><summary>Where the bytes came from</summary>
<table><caption class="skip">Bytes per source</caption><thead><tr><th scope="col">Source</th><th scope="col">Bytes</th><th scope="col">State</th></tr></thead><tbody data-stats></tbody></table>
<p data-stats-summary></p></details>`;
}

export interface WatchInput {
  player: PlayerOptions;
  name: string;
  description: string | null;
  views: number;
  publishedAt: Date;
  isLocal: boolean;
  url: string;
  channel: { handle: string; displayName: string };
  account: { handle: string; displayName: string };
  tags: string[];
  embedPath: string;
}

export function watchBody(w: WatchInput): SafeHtml {
  return html`${playerElement(w.player)}
<h1>${w.name}</h1>
<p class="meta"><span>${w.views} views</span> · published <time datetime="${w.publishedAt.toISOString()}">${w.publishedAt.toISOString().slice(0, 10)}</time>
 · by <a href="/c/${w.channel.handle}">${w.channel.displayName}</a> (<a href="/a/${w.account.handle}">${w.account.displayName}</a>)${w.isLocal ? null : html` · <a href="${w.url}">on its origin</a>`}</p>
${sourcesPanel()}
${w.description ? html`<section aria-labelledby="description"><h2 id="description">Description</h2>${renderMarkdown(w.description)}</section>` : null}
${w.tags.length ? html`<ul class="filters" aria-label="Tags">${w.tags.map((t) => html`<li><a href="/search?${new URLSearchParams({ search: t }).toString()}">#${t}</a></li>`)}</ul>` : null}
<p><label for="embed-code">Embed code</label><br><input id="embed-code" readonly size="60" value="${`<iframe width="560" height="315" src="${w.embedPath}" allowfullscreen></iframe>`}"></p>`;
}

export function notFoundBody(what: string): SafeHtml {
  return html`<h1>${what} not found</h1><p><a href="/">Back to the home page</a></p>`;
}
