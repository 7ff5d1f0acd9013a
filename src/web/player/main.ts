/**
 * The player bundle (/client/player.js): hls.js with PeerTube's p2p-media-loader fork (v1, the
 * one PeerTube 6.3's player runs: same swarms, same wire protocol) over the instance's WebSocket
 * tracker, HTTP from the origin and every mirror in `redundancies[]` (a failing or slow
 * source is dropped within a second and the segment fetched again from another), every segment
 * checked against `segments-sha256.json`, bytes counted per source and posted as PeerTube's
 * playback metrics. Without HLS: the web-video MP4.
 */
import Hls from 'hls.js';
import { Events, type Segment } from '@peertube/p2p-media-loader-core';
import { Engine, initHlsJsPlayer } from '@peertube/p2p-media-loader-hlsjs';
import { engineSettings, hlsjsLoaderClass } from './p2p-engine.js';
import { sha256HexSync } from './sha256.js';
import { folderOf, SourcePool, toHex, type SegmentsSha256, type SourceEntry } from './sources.js';

interface VideoFileJson {
  fileUrl: string;
  resolution: { id: number };
  size: number;
}
interface VideoJson {
  id: number;
  uuid: string;
  isLive: boolean;
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; redundancies: { baseUrl: string }[]; files: VideoFileJson[] }[];
  files: VideoFileJson[];
  trackerUrls?: string[];
}

/** What the page (and the e2e tests) can read of a player. */
export interface PlayerState {
  mode: 'p2p-media-loader' | 'web-video' | 'none';
  sources: SourceEntry[];
  peerBytes: number;
  peerUploadedBytes: number;
  peers: number;
  hashChecked: number;
  hashFailures: number;
  errors: number;
  events: { at: number; what: string }[];
  reportsPosted: number;
  postedP2PBytes: number;
}

declare global {
  interface Window {
    mirrortubePlayers?: PlayerState[];
  }
}

const SOURCE_TIMEOUT_MS = 1000;
const REPORT_EVERY_MS = 5000;

function log(state: PlayerState, what: string) {
  state.events.push({ at: Date.now(), what });
  if (state.events.length > 200) state.events.shift();
}

/** WebCrypto where the page is a secure context (HTTPS, localhost), plain JavaScript elsewhere */
async function sha256Hex(data: ArrayBuffer): Promise<string> {
  if (globalThis.crypto?.subtle) return toHex(await crypto.subtle.digest('SHA-256', data));
  return sha256HexSync(data);
}

function randomId(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32).toString(16)).join('-');
}

function renderStats(root: Element, state: PlayerState) {
  const panel = root.ownerDocument.getElementById('player-stats');
  if (!panel) return;
  const tbody = panel.querySelector('[data-stats]');
  const summary = panel.querySelector('[data-stats-summary]');
  const now = Date.now();
  if (tbody) {
    const rows = state.sources.map((s) => [s.kind === 'origin' ? 'origin' : `mirror ${s.label}`, String(s.bytes), s.downUntil > now ? `dropped (${s.lastError ?? 'error'})` : 'ok']);
    rows.push(['peers', String(state.peerBytes), `${state.peers} connected`]);
    tbody.replaceChildren(
      ...rows.map((cells) => {
        const tr = document.createElement('tr');
        for (const c of cells) {
          const td = document.createElement('td');
          td.textContent = c;
          tr.append(td);
        }
        return tr;
      }),
    );
  }
  if (summary) summary.textContent = `${state.mode}; segments checked: ${state.hashChecked}, wrong hashes: ${state.hashFailures}; uploaded to peers: ${state.peerUploadedBytes} bytes`;
}

async function startPlayer(root: HTMLElement) {
  const video = root.querySelector('video');
  if (!video) return;
  const uuid = root.dataset.video ?? '';
  const autoplay = root.dataset.autoplay === '1';
  const muted = root.dataset.muted === '1';
  const start = root.dataset.start ? Number(root.dataset.start) : null;
  const p2pEnabled = root.dataset.p2p !== '0';
  const forceWebVideo = root.dataset.mode === 'web-video';
  const state: PlayerState = {
    mode: 'none',
    sources: [],
    peerBytes: 0,
    peerUploadedBytes: 0,
    peers: 0,
    hashChecked: 0,
    hashFailures: 0,
    errors: 0,
    events: [],
    reportsPosted: 0,
    postedP2PBytes: 0,
  };
  (window.mirrortubePlayers ??= []).push(state);
  if (muted) video.muted = true;

  const res = await fetch(`/api/v1/videos/${encodeURIComponent(uuid)}`, { headers: tokenHeader() });
  if (!res.ok) {
    showMessage(root, `This video cannot be played (${res.status}).`);
    return;
  }
  const details = (await res.json()) as VideoJson;
  const playlist = details.streamingPlaylists[0];
  let report: () => { http: number; p2p: number; uploaded: number; peers: number; resolution?: number };
  let resolutionChanges = 0;

  if (playlist && !(forceWebVideo && details.files.length > 0) && Hls.isSupported()) {
    state.mode = 'p2p-media-loader';
    const firstFile = playlist.files[0]?.fileUrl ?? playlist.playlistUrl;
    const pool = new SourcePool([
      { label: 'origin', kind: 'origin', base: folderOf(firstFile) },
      ...playlist.redundancies.map((r) => ({ label: new URL(r.baseUrl).host, kind: 'mirror' as const, base: r.baseUrl })),
    ]);
    state.sources = pool.sources;
    const fetchHashes = () =>
      fetch(playlist.segmentsSha256Url)
        .then((r) => (r.ok ? (r.json() as Promise<SegmentsSha256>) : {}))
        .catch(() => ({}));
    let hashes = fetchHashes();

    const trackers = (details.trackerUrls ?? []).filter((t) => t.startsWith('ws'));
    const engine = new Engine(
      engineSettings({
        // PeerTube's swarm id: the master playlist's URL (viewers of one video on any instance share it)
        swarmId: playlist.playlistUrl,
        trackers: trackers.length ? trackers : [`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/tracker/socket`],
        p2pEnabled,
        pool,
        // a live's list grows: it is fetched again when a segment is not in it (PeerTube's validator does the same)
        hashes: (refresh) => (refresh ? (hashes = fetchHashes()) : hashes),
        isLive: details.isLive,
        sha256Hex,
        sourceTimeoutMs: SOURCE_TIMEOUT_MS,
        hooks: {
          checked(via, source, ok, bytes, what) {
            state.hashChecked++;
            if (!ok) {
              state.hashFailures++;
              log(state, `wrong hash from ${via === 'http' ? (source?.label ?? 'http') : 'a peer'} for ${what}`);
            } else if (via === 'p2p') state.peerBytes += bytes;
            // bytes are counted once checked: a source that sent wrong bytes served nothing
            else if (source) pool.addBytes(source, bytes);
          },
          dropped(source, reason) {
            log(state, `dropped ${source.label}: ${reason}`);
          },
        },
      }),
    );
    // Engine is an EventEmitter (Node's `events` types are not loaded in the browser bundle's check)
    const emitter = engine as unknown as { on(event: string, listener: (...args: never[]) => void): void };
    emitter.on(Events.PieceBytesUploaded, (_method: string, _segment: Segment, bytes: number) => {
      state.peerUploadedBytes += bytes;
    });
    emitter.on(Events.SegmentError, () => {
      state.errors++;
    });
    emitter.on(Events.SegmentLoaded, (segment: Segment, peerId?: string) => {
      if (peerId) log(state, 'segment from a peer');
      else log(state, `segment from ${pool.sourceOf(segment.requestUrl ?? segment.url)?.label ?? 'http'}`);
    });
    emitter.on(Events.PeerConnect, () => {
      state.peers++;
    });
    emitter.on(Events.PeerClose, () => {
      state.peers = Math.max(0, state.peers - 1);
    });
    const hls = new Hls({
      maxBufferLength: 8,
      maxMaxBufferLength: 16,
      ...(start !== null ? { startPosition: start } : {}),
      loader: hlsjsLoaderClass(engine) as unknown as typeof Hls.DefaultConfig.loader,
      // a failed fragment is asked again soon: the engine has already started it on another source
      fragLoadPolicy: {
        default: {
          maxTimeToFirstByteMs: 10_000,
          maxLoadTimeMs: 120_000,
          timeoutRetry: { maxNumRetry: 4, retryDelayMs: 0, maxRetryDelayMs: 0 },
          errorRetry: { maxNumRetry: 20, retryDelayMs: 150, maxRetryDelayMs: 1000 },
        },
      },
    });
    // the engine follows the playing fragment and seeks (PeerTube's player does the same)
    initHlsJsPlayer(
      {
        media: video,
        on: (event: string, listener: () => void) => video.addEventListener(event, listener),
        off: (event: string, listener: () => void) => video.removeEventListener(event, listener),
      },
      hls,
    );
    hls.attachMedia(video);
    hls.loadSource(playlist.playlistUrl);
    let levelSwitches = 0;
    hls.on(Hls.Events.LEVEL_SWITCHED, () => {
      // the first switch is the start level, not a change
      if (levelSwitches++ > 0) resolutionChanges++;
    });
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) {
        state.errors++;
        log(state, `fatal ${data.type}: ${data.details}`);
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
        else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      }
    });
    report = () => ({
      http: pool.sources.reduce((n, s) => n + s.bytes, 0),
      p2p: state.peerBytes,
      uploaded: state.peerUploadedBytes,
      peers: state.peers,
      resolution: hls.levels[hls.currentLevel]?.height,
    });
  } else {
    // no HLS (or no MediaSource): the web-video MP4 of the highest resolution up to 720p
    const files = [...details.files].sort((a, b) => b.resolution.id - a.resolution.id);
    const file = files.find((f) => f.resolution.id <= 720) ?? files[files.length - 1];
    const hlsFile = !file && playlist && video.canPlayType('application/vnd.apple.mpegurl') ? playlist.playlistUrl : null;
    if (!file && !hlsFile) {
      showMessage(root, 'This video has no playable file yet.');
      return;
    }
    state.mode = 'web-video';
    video.src = hlsFile ?? file!.fileUrl;
    if (start !== null) video.currentTime = start;
    report = () => ({ http: 0, p2p: 0, uploaded: 0, peers: 0, resolution: file?.resolution.id });
  }

  if (autoplay) {
    video.play().catch(() => {
      // browsers refuse sound without a gesture: PeerTube's embed retries muted
      video.muted = true;
      return video.play().catch(() => undefined);
    });
  }

  const stats = setInterval(() => renderStats(root, state), 500);
  let last = { http: 0, p2p: 0, uploaded: 0, errors: 0 };
  let stalls = 0;
  video.addEventListener('waiting', () => stalls++);
  const post = async () => {
    const now = report();
    const body = {
      playerMode: state.mode === 'web-video' ? 'web-video' : 'p2p-media-loader',
      resolution: now.resolution,
      p2pEnabled,
      p2pPeers: now.peers,
      resolutionChanges,
      bufferStalled: stalls,
      errors: state.errors - last.errors,
      downloadedBytesP2P: now.p2p - last.p2p,
      downloadedBytesHTTP: now.http - last.http,
      uploadedBytesP2P: now.uploaded - last.uploaded,
      videoId: details.uuid,
      // beyond PeerTube: the HTTP bytes per source (PeerTube ignores unknown fields)
      downloadedBytesHTTPBySource: Object.fromEntries(state.sources.map((s) => [s.kind === 'origin' ? 'origin' : s.label, s.bytes])),
    };
    stalls = 0;
    resolutionChanges = 0;
    last = { http: now.http, p2p: now.p2p, uploaded: now.uploaded, errors: state.errors };
    try {
      const r = await fetch('/api/v1/metrics/playback', { method: 'POST', headers: { 'content-type': 'application/json', ...tokenHeader() }, body: JSON.stringify(body) });
      if (r.ok) {
        state.reportsPosted++;
        state.postedP2PBytes += body.downloadedBytesP2P;
      }
    } catch {
      // the instance is unreachable: the figures of this period are lost, playback goes on
    }
  };
  // PeerTube's viewer reports: "watching at currentTime" while playing (views and "watching now" come from them)
  const sessionId = randomId();
  let seeked = false;
  video.addEventListener('seeking', () => (seeked = true));
  const watching = () => {
    if (video.paused && !seeked) return;
    const body = { currentTime: Math.floor(video.currentTime), sessionId, ...(seeked ? { viewEvent: 'seek' } : {}) };
    seeked = false;
    void fetch(`/api/v1/videos/${encodeURIComponent(details.uuid)}/views`, { method: 'POST', headers: { 'content-type': 'application/json', ...tokenHeader() }, body: JSON.stringify(body) }).catch(
      () => undefined,
    );
  };
  video.addEventListener('playing', watching, { once: true });
  const views = setInterval(watching, REPORT_EVERY_MS);
  const timer = setInterval(() => void post(), REPORT_EVERY_MS);
  window.addEventListener('pagehide', () => {
    clearInterval(timer);
    clearInterval(views);
    clearInterval(stats);
  });
}

function tokenHeader(): Record<string, string> {
  const token = localStorage.getItem('mirrortube-token');
  return token ? { authorization: `Bearer ${token}` } : {};
}

function showMessage(root: HTMLElement, text: string) {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = text;
  root.append(p);
}

for (const root of document.querySelectorAll<HTMLElement>('[data-player]')) void startPlayer(root);
