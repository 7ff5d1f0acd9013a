/**
 * The settings of PeerTube's p2p-media-loader fork (v1, `@peertube/p2p-media-loader-hlsjs`) for one
 * HLS playlist, as PeerTube 6.3's player sets them (swarm id = the master playlist's URL, segments
 * checked against `segments-sha256.json` by the `segmentValidator`, the HTTP source of each request
 * chosen by the `segmentUrlBuilder`, one HTTP download at a time), plus what our player adds: a
 * source whose request fails, answers a wrong hash or gives no byte for `sourceTimeoutMs` is
 * dropped (SourcePool) and the segment fetched again from another, and bytes are counted per source
 * once their hash is checked.
 */
import type { HybridLoaderSettings, Segment } from '@peertube/p2p-media-loader-core';
import type { Engine, HlsJsEngineSettings } from '@peertube/p2p-media-loader-hlsjs';
import { expectedHash, SourcePool, type SegmentsSha256, type SourceEntry } from './sources.js';

export interface EngineHooks {
  /** a segment's bytes passed (or failed) their hash check; `source` is null for a peer */
  checked(via: 'http' | 'p2p', source: SourceEntry | null, ok: boolean, bytes: number, what: string): void;
  /** a source was dropped */
  dropped(source: SourceEntry, reason: string): void;
}

export interface EngineOptions {
  swarmId: string;
  trackers: string[];
  p2pEnabled: boolean;
  pool: SourcePool;
  /** the hash list; `refresh`: fetched again (a segment was not in it) */
  hashes: (refresh?: boolean) => Promise<SegmentsSha256>;
  isLive: boolean;
  sha256Hex: (data: ArrayBuffer) => Promise<string>;
  sourceTimeoutMs: number;
  hooks: EngineHooks;
}

/** p2p-media-loader v1's `segment.range` (`bytes=<start>-<end>`, inclusive end) */
function parseRange(range: string | undefined): { start: number; end: number } | undefined {
  const m = range ? /bytes=(\d+)-(\d+)/.exec(range) : null;
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

const isPlaylist = (url: string) => new URL(url, location.href).pathname.endsWith('.m3u8');
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** times the hash list is fetched again for a segment it does not hold, 1 s apart (PeerTube's validator: 3) */
const HASH_LIST_RETRIES = 3;

export function engineSettings(options: EngineOptions): HlsJsEngineSettings {
  const { pool, hooks } = options;
  const drop = (source: SourceEntry | null, reason: string) => {
    if (!source) return;
    pool.fail(source, Date.now(), reason);
    hooks.dropped(source, reason);
  };

  const segmentValidator = async (segment: Segment, method: 'http' | 'p2p') => {
    const data = segment.data;
    const source = method === 'http' ? pool.sourceOf(segment.requestUrl ?? segment.url) : null;
    const range = parseRange(segment.range);
    const name = `${new URL(segment.url).pathname.split('/').pop() ?? ''}${range ? ` ${range.start}-${range.end}` : ''}`;
    let want = expectedHash(await options.hashes(), segment.url, range);
    for (let retry = 0; want === null && retry < HASH_LIST_RETRIES; retry++) {
      await wait(1000);
      want = expectedHash(await options.hashes(true), segment.url, range);
    }
    const ok = data !== undefined && want !== null && want === (await options.sha256Hex(data));
    hooks.checked(method, source, ok, data?.byteLength ?? 0, name);
    if (!ok) {
      if (method === 'http') drop(source, 'http-segment-validation-failed');
      throw new Error(`wrong hash for ${name}`);
    }
  };

  /**
   * Every segment request: its source is watched; no byte for `sourceTimeoutMs` (none at all, or
   * none since the last) fails the request as a timeout (the loader then fetches it again, from
   * the next source) and drops the source. Playlists are not watched (they come from the origin).
   */
  const xhrSetup = (xhr: XMLHttpRequest, url: string) => {
    if (isPlaylist(url)) return;
    const source = pool.sourceOf(url);
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        drop(source, 'bytes-receiving-timeout');
        // the loader listens for `timeout`; abort() alone would leave its request pending
        xhr.dispatchEvent(new ProgressEvent('timeout'));
        xhr.abort();
      }, options.sourceTimeoutMs);
    };
    xhr.addEventListener('loadstart', arm);
    xhr.addEventListener('progress', arm);
    xhr.addEventListener('loadend', () => {
      settled = true;
      clearTimeout(timer);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status < 200 || xhr.status >= 300) drop(source, `http-error-${xhr.status}`);
    });
    xhr.addEventListener('error', () => {
      if (!settled) drop(source, 'http-error');
    });
  };

  // PeerTube's settings for a live and for a video on demand
  const liveOrVod: Partial<HybridLoaderSettings> = options.isLive
    ? { requiredSegmentsPriority: 1 }
    : {
        requiredSegmentsPriority: 3,
        cachedSegmentExpiration: 86_400_000,
        cachedSegmentsCount: 100,
        httpDownloadMaxPriority: 9,
        httpDownloadProbability: 0.06,
        httpDownloadProbabilitySkipIfNoPeers: true,
        p2pDownloadMaxPriority: 50,
      };
  const loader: Partial<HybridLoaderSettings> = {
    trackerAnnounce: options.trackers,
    rtcConfig: { iceServers: [] },
    useP2P: options.p2pEnabled,
    simultaneousHttpDownloads: 1,
    ...liveOrVod,
    // ours: a failed segment is asked again (from the next source) after 100 ms, not PeerTube's
    // 1 s; and every request goes through the builder (PeerTube sends urgent ones to the origin,
    // which does not help when the origin is the source that died)
    httpFailedSegmentTimeout: 100,
    skipSegmentBuilderPriority: -1,
    segmentValidator,
    segmentUrlBuilder: (segment) => {
      const source = pool.pick(Date.now());
      return source ? SourcePool.urlOn(source, segment.url) : segment.url;
    },
    xhrSetup,
  };
  return { loader, segments: { swarmId: options.swarmId, forwardSegmentCount: liveOrVod.p2pDownloadMaxPriority ?? 20 } };
}

type LoaderClass = new (config: unknown) => { load(context: { type?: unknown; frag?: unknown }, config: unknown, callbacks: unknown): unknown };

/**
 * The engine's hls.js loader, for the hls.js we bundle: since hls.js 1.6 a fragment's loader
 * context has a `type` too, which the fork (written for hls.js 1.5, as in PeerTube 6.3) takes for
 * a playlist's (it would load the whole file as text). Fragments are handed over without it.
 */
export function hlsjsLoaderClass(engine: Engine): LoaderClass {
  const Base = engine.createLoaderClass() as LoaderClass;
  return class extends Base {
    constructor(config: unknown) {
      super(config);
      const load = this.load.bind(this);
      this.load = (context, config, callbacks) => load(context.frag ? { ...context, type: undefined } : context, config, callbacks);
    }
  };
}
