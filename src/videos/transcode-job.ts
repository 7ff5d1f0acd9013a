import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { completed, jobFailure, skipped, type JobContext, type JobHandler, type JobOutcome } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import {
  p2pMediaLoaderInfohashes,
  planLadder,
  probeMedia,
  transcodeHls,
  transcodeWebVideo,
  type Ffmpeg,
  type HlsPlaylistFile,
  type WebVideoFile,
  type LadderConfig,
  type MediaProbe,
  type Rendition,
  type TranscodeOptions,
} from '../transcoding/index.js';
import { VideoState } from './constants.js';
import { moveFile, removeAll } from './files.js';
import type { SeedingPort, TorrentMaker, VideoEvents } from './ports.js';
import type { StorageLayout } from './storage-layout.js';
import { placementForPrivacy } from './privacy-folders.js';
import type { TranscodeOutputs, TranscodeRunStore, TranscodeSource, TranscodeStore } from './transcode-store.js';
import { retargetWorkTorrents, type WorkTorrent } from './transcode-placement.js';
import { removeVideoLeftovers } from './video-leftovers.js';
import { createTranscodeProgress, transcodeStages } from './transcode-progress.js';
import type { StorageMoveJobKinds } from './object-storage-move.js';

export const TRANSCODE_JOB = 'video-transcoding';
export type VideoJobKinds = { [TRANSCODE_JOB]: { videoId: number } } & StorageMoveJobKinds;

const payloadSchema = z.object({ videoId: z.number().int().positive() });

export interface TranscodeJobDeps {
  ffmpeg: Ffmpeg;
  clock: Clock;
  urls: InstanceUrls;
  layout: StorageLayout;
  torrents: TorrentMaker;
  ladder: LadderConfig;
  options: TranscodeOptions;
  concurrency: number;
  events: VideoEvents;
  /** transcoding wall time per output type */
  observe?(type: 'hls' | 'web-video', seconds: number): void;
  /** server-side seeding of the new files (absent when disabled) */
  seeding?: SeedingPort;
  /** the run's and the failure path's reads and writes */
  store: Pick<TranscodeStore, 'referencedFiles' | 'bestHlsFilename' | 'markTranscodingFailed'> & TranscodeRunStore;
  logger?: { warn(obj: object, msg: string): void };
  /** object storage: fetches an input file that was moved to the bucket (absent: files are local) */
  fetchInput?(video: { uuid: string; privacy: number }, input: { hlsFilename?: string; webVideo?: string }, to: string): Promise<void>;
  /**
   * object storage: moves the published outputs to the bucket from this node, the one whose disk
   * holds them (the move job written with the publication is the crash-safe fallback)
   */
  moveOutputs?(videoId: number): Promise<void>;
}

type Placement = { layout: StorageLayout; urls: InstanceUrls };
type Torrented = { torrentFilename: string; infoHash: string };
type HlsOutput = { masterFilename: string; segmentsSha256Filename: string; playlists: (HlsPlaylistFile & Torrented)[] };
type WebVideoOutput = WebVideoFile & Torrented;
/** What ffmpeg made, in the work folder: `hls/`, `web/` and `torrents/`. */
type WorkOutputs = { work: string; hls: HlsOutput | null; webVideos: WebVideoOutput[] };
type Progress = ReturnType<typeof createTranscodeProgress>;

/**
 * Transcodes an uploaded video into the HLS ladder (and web videos when enabled). Everything is
 * written to a work folder, torrents included; only a complete result is moved into place, then one
 * transaction swaps the file rows and publishes the video. A crash at any point leaves the upload
 * intact, and the job (claimed under a lease) runs again from the start.
 */
export function createTranscodeJob(deps: TranscodeJobDeps): JobHandler<{ videoId: number }> {
  const { store } = deps;

  /** Load: the video, where its files are, and the file to transcode from (the best web video, else the best HLS file). */
  async function load(videoId: number): Promise<{ video: TranscodeSource; from: Placement; input: string; source: { webVideo?: string; hlsFilename?: string } } | { outcome: JobOutcome }> {
    const video = await store.source(videoId);
    if (!video) return { outcome: skipped('video deleted') };
    // a private video's files live in the private folders, under the private URLs
    const from = placementForPrivacy(deps, video.privacy);
    if (video.state === VideoState.PUBLISHED && video.hasHls) return { outcome: skipped('already transcoded') };
    const original = [...video.webVideos].sort((a, b) => b.resolution - a.resolution)[0];
    // an admin rerun of a video that only has HLS files transcodes from its best one
    const hlsInput = original ? null : await store.bestHlsFilename(video.id);
    if (!original && !hlsInput) return { outcome: jobFailure(`video ${video.uuid} has no input file`) };
    const input = original ? from.layout.webVideo(original.filename) : join(from.layout.hlsDir(video.uuid), hlsInput!);
    return { video, from, input, source: original ? { webVideo: original.filename } : { hlsFilename: hlsInput! } };
  }

  /** Probe and ladder: what the input is, and the renditions to make of it. */
  async function plan(input: string, signal: AbortSignal): Promise<{ probe: MediaProbe; ladder: Rendition[] } | { outcome: JobOutcome }> {
    const probed = await probeMedia(deps.ffmpeg, input, { signal });
    if (!probed.ok) return { outcome: jobFailure(`input unreadable: ${probed.reason.message}`) };
    const ladder = planLadder(probed.probe, deps.ladder);
    if (ladder.length === 0) return { outcome: jobFailure('nothing to transcode: no enabled resolution fits this input') };
    return { probe: probed.probe, ladder };
  }

  /** A torrent of one output, written to the work folder with the webseed of the placement the job started with. */
  async function torrentOf(work: string, filePath: string, torrentFilename: string, name: string, webseed: string): Promise<Torrented> {
    const t = await deps.torrents.create({ filePath, name, urlList: [webseed] });
    await writeFile(join(work, 'torrents', torrentFilename), t.torrent);
    return { torrentFilename, infoHash: t.infoHash };
  }

  /** ffmpeg, HLS: every rendition in one run, then a torrent per fragmented MP4. */
  async function runHls(video: TranscodeSource, from: Placement, input: string, planned: { probe: MediaProbe; ladder: Rendition[] }, work: string, signal: AbortSignal, progress: Progress): Promise<HlsOutput> {
    const started = performance.now();
    const onProgress = (fraction: number) => progress.stage('hls', fraction);
    const hls = await transcodeHls({ ffmpeg: deps.ffmpeg, input, outDir: join(work, 'hls'), uuid: video.uuid, ladder: planned.ladder, probe: planned.probe, options: deps.options, signal, onProgress });
    if (!hls.ok) throw new Error(`HLS transcoding failed: ${hls.reason.message}`);
    deps.observe?.('hls', (performance.now() - started) / 1000);
    const playlists: HlsOutput['playlists'] = [];
    for (const p of hls.hls.playlists) {
      const torrent = await torrentOf(work, join(work, 'hls', p.fileFilename), `${video.uuid}-${p.resolution}-hls.torrent`, video.name, from.urls.hlsFile(video.uuid, p.fileFilename));
      playlists.push({ ...p, ...torrent });
    }
    return { masterFilename: hls.hls.masterFilename, segmentsSha256Filename: hls.hls.segmentsSha256Filename, playlists };
  }

  /** ffmpeg, web videos: one run and one torrent per rendition. */
  async function runWebVideos(video: TranscodeSource, from: Placement, input: string, planned: { probe: MediaProbe; ladder: Rendition[] }, work: string, signal: AbortSignal, progress: Progress): Promise<WebVideoOutput[]> {
    await mkdir(join(work, 'web'), { recursive: true });
    const webVideos: WebVideoOutput[] = [];
    for (const rendition of planned.ladder) {
      const started = performance.now();
      const onProgress = (fraction: number) => progress.stage(`web-video-${rendition.resolution}`, fraction);
      const out = await transcodeWebVideo({ ffmpeg: deps.ffmpeg, input, outDir: join(work, 'web'), uuid: video.uuid, rendition, probe: planned.probe, options: deps.options, signal, onProgress });
      if (!out.ok) throw new Error(`web video transcoding failed: ${out.reason.message}`);
      deps.observe?.('web-video', (performance.now() - started) / 1000);
      const torrent = await torrentOf(work, join(work, 'web', out.webVideo.filename), `${video.uuid}-${out.webVideo.resolution}.torrent`, video.name, from.urls.webVideo(out.webVideo.filename));
      webVideos.push({ ...out.webVideo, ...torrent });
    }
    return webVideos;
  }

  /**
   * Moves the complete result into the folders of `to` (its torrents retargeted to its URLs when
   * the privacy changed while ffmpeg ran); returns the names now in place.
   */
  async function place(video: TranscodeSource, outputs: WorkOutputs, from: Placement, to: Placement, privacy: number, ctx: JobContext): Promise<Set<string>> {
    const { work, hls, webVideos } = outputs;
    const playlists = hls?.playlists ?? [];
    const workTorrents: WorkTorrent[] = [
      ...playlists.map((p) => ({ torrentFilename: p.torrentFilename, webseed: (u: InstanceUrls) => u.hlsFile(video.uuid, p.fileFilename) })),
      ...webVideos.map((w) => ({ torrentFilename: w.torrentFilename, webseed: (u: InstanceUrls) => u.webVideo(w.filename) })),
    ];
    const retargeted = await retargetWorkTorrents({ work, torrents: workTorrents, from: from.urls, to: to.urls });
    if (retargeted > 0) ctx.logger.info({ video: video.uuid, privacy, retargeted }, 'privacy changed during the transcode: files placed for the new one');
    const placed = new Set<string>();
    if (hls) {
      // a rerun's previous playlist, wherever a privacy change left it
      for (const dir of new Set([from.layout.hlsDir(video.uuid), to.layout.hlsDir(video.uuid)])) await rm(dir, { recursive: true, force: true });
      await rename(join(work, 'hls'), to.layout.hlsDir(video.uuid));
    }
    for (const w of webVideos) {
      await moveFile(join(work, 'web', w.filename), to.layout.webVideo(w.filename));
      placed.add(w.filename);
    }
    for (const t of [...playlists, ...webVideos]) {
      await moveFile(join(work, 'torrents', t.torrentFilename), to.layout.torrent(t.torrentFilename));
      placed.add(t.torrentFilename);
    }
    return placed;
  }

  /** The rows that replace the video's files, the video published. */
  function rowsOf(video: TranscodeSource, outputs: WorkOutputs, to: Placement, probe: MediaProbe): TranscodeOutputs {
    const { hls, webVideos } = outputs;
    return {
      hls: hls && {
        playlistFilename: hls.masterFilename,
        segmentsSha256Filename: hls.segmentsSha256Filename,
        // PeerTube's swarm ids of the variants (its player computes the same from the master URL)
        p2pMediaLoaderInfohashes: p2pMediaLoaderInfohashes(to.urls.hlsFile(video.uuid, hls.masterFilename), hls.playlists.length),
        files: hls.playlists.map((p) => ({
          resolution: p.resolution,
          width: p.hasVideo ? p.width : null,
          height: p.hasVideo ? p.height : null,
          fps: p.fps,
          size: p.size,
          filename: p.fileFilename,
          playlistFilename: p.playlistFilename,
          torrentFilename: p.torrentFilename,
          infoHash: p.infoHash,
        })),
      },
      webVideos: webVideos.map((w) => ({
        resolution: w.resolution,
        width: w.resolution === 0 ? null : w.width,
        height: w.resolution === 0 ? null : w.height,
        fps: w.fps,
        size: w.size,
        filename: w.filename,
        torrentFilename: w.torrentFilename,
        infoHash: w.infoHash,
      })),
      duration: Math.round(probe.durationSeconds),
      publishedAt: deps.clock.now(),
    };
  }

  /**
   * Publish: the privacy may have changed while ffmpeg ran. Under the video's row lock, the complete
   * result goes to the folders (and its torrents name the URLs) of the privacy now in force, then
   * the rows are swapped in the same transaction. null when the video was deleted meanwhile.
   */
  async function publish(video: TranscodeSource, outputs: WorkOutputs, from: Placement, probe: MediaProbe, ctx: JobContext): Promise<{ placed: Set<string>; to: Placement } | null> {
    return store.underPrivacyLock(video.id, async (privacy, tx) => {
      const to = placementForPrivacy(deps, privacy);
      const placed = await place(video, outputs, from, to, privacy, ctx);
      await store.recordOutputs(video.id, rowsOf(video, outputs, to, probe), tx);
      return { placed, to };
    });
  }

  /** The upload has been replaced (unless a transcoded web video took its exact name): from the folder it was in when the job started and the one a privacy change moved it to. */
  async function removeReplaced(video: TranscodeSource, placed: Set<string>, from: Placement, to: Placement): Promise<void> {
    const stale = video.webVideos.flatMap((f) => [f.filename, f.torrentFilename ?? '']).filter((n) => n && !placed.has(n));
    await removeAll(stale.flatMap((n) => (n.endsWith('.torrent') ? [to.layout.torrent(n)] : [...new Set([from.layout.webVideo(n), to.layout.webVideo(n)])])));
  }

  async function run(payload: { videoId: number }, ctx: JobContext): Promise<JobOutcome> {
    const loaded = await load(payload.videoId);
    if ('outcome' in loaded) return loaded.outcome;
    const { video, from } = loaded;
    let input = loaded.input;
    // the input was moved to object storage (a rerun): fetched next to the work folder
    let fetched: string | null = null;
    if (deps.fetchInput && !(await pathExists(input))) {
      fetched = join(from.layout.transcodeTmp, `${video.uuid}-${ctx.job.id}-input.mp4`);
      await deps.fetchInput(video, loaded.source, fetched);
      input = fetched;
    }
    try {
      return await transcode(video, from, input, ctx);
    } finally {
      if (fetched) await rm(fetched, { force: true });
    }
  }

  async function transcode(video: TranscodeSource, from: Placement, input: string, ctx: JobContext): Promise<JobOutcome> {
    const planned = await plan(input, ctx.signal);
    if ('outcome' in planned) return planned.outcome;

    const work = join(from.layout.transcodeTmp, `${video.uuid}-${ctx.job.id}`);
    await rm(work, { recursive: true, force: true });
    await mkdir(join(work, 'torrents'), { recursive: true });
    // progress per ffmpeg run, weighted by the renditions it encodes (transcode-progress.ts)
    const progress = createTranscodeProgress(transcodeStages(planned.ladder, { hls: deps.ladder.hls, webVideos: deps.ladder.webVideos }), (p) => ctx.reportProgress(p));
    try {
      const outputs: WorkOutputs = {
        work,
        hls: deps.ladder.hls ? await runHls(video, from, input, planned, work, ctx.signal, progress) : null,
        webVideos: deps.ladder.webVideos ? await runWebVideos(video, from, input, planned, work, ctx.signal, progress) : [],
      };
      const published = await publish(video, outputs, from, planned.probe, ctx);
      if (!published) return skipped('video deleted');
      await deps.moveOutputs?.(video.id).catch((err: unknown) => ctx.logger.warn({ err, video: video.uuid }, 'could not move the outputs to object storage now: the move job will'));

      await deps.events.published(video.id);
      // Seed the new files, and stop seeding the replaced upload before it is removed.
      await deps.seeding?.syncVideo(video.uuid);
      await removeReplaced(video, published.placed, from, published.to);
      progress.done();
      return completed({ resolutions: planned.ladder.map((r) => r.resolution), hls: outputs.hls?.playlists.length ?? 0, webVideos: outputs.webVideos.length });
    } finally {
      // cleanup: whatever was not moved into place
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * The failure path, whatever ended the job (an unreadable input, ffmpeg failing on the last
   * attempt, or crashes using the attempts up): the video goes to "Transcoding failed", and what
   * the attempts left (work folders, outputs moved into place but never recorded) is removed. The
   * reason stays in the job's error (`GET /api/v1/jobs/failed`). Idempotent.
   */
  async function onFailed(failure: { payload: unknown; error: string }): Promise<void> {
    const parsed = payloadSchema.safeParse(failure.payload);
    if (!parsed.success) return;
    const refs = await deps.store.referencedFiles(parsed.data.videoId);
    if (!refs) return;
    await deps.store.markTranscodingFailed(parsed.data.videoId);
    const removed = await removeVideoLeftovers(deps.layout, refs);
    deps.logger?.warn({ video: refs.uuid, reason: failure.error.split('\n')[0], removed: removed.length }, 'transcoding failed for good');
  }

  return { concurrency: deps.concurrency, maxAttempts: 3, parse: (raw) => payloadSchema.parse(raw), run, onFailed };
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
