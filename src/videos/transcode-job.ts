import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Prisma } from '../db/index.js';
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
  type TranscodeOptions,
} from '../transcoding/index.js';
import { VideoState } from './constants.js';
import { moveFile, removeAll } from './files.js';
import type { SeedingPort, TorrentMaker, VideoEvents } from './ports.js';
import type { StorageLayout } from './storage-layout.js';
import { placementForPrivacy } from './privacy-folders.js';
import { lockVideoPrivacy, type TranscodeStore } from './transcode-store.js';
import { retargetWorkTorrents, type WorkTorrent } from './transcode-placement.js';
import { removeVideoLeftovers } from './video-leftovers.js';

export const TRANSCODE_JOB = 'video-transcoding';
export type VideoJobKinds = { [TRANSCODE_JOB]: { videoId: number } };

const payloadSchema = z.object({ videoId: z.number().int().positive() });
/** File moves happen inside the transaction (under the row lock): give them room on a busy host. */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 };

export interface TranscodeJobDeps {
  prisma: Prisma;
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
  /** the failure path's reads and writes */
  store: TranscodeStore;
  logger?: { warn(obj: object, msg: string): void };
}

/**
 * Transcodes an uploaded video into the HLS ladder (and web videos when enabled). Everything is
 * written to a work folder, torrents included; only a complete result is moved into place, then one
 * transaction swaps the file rows and publishes the video. A crash at any point leaves the upload
 * intact, and the job (claimed under a lease) runs again from the start.
 */
export function createTranscodeJob(deps: TranscodeJobDeps): JobHandler<{ videoId: number }> {
  const { prisma } = deps;

  async function run(payload: { videoId: number }, ctx: JobContext): Promise<JobOutcome> {
    const video = await prisma.video.findUnique({ where: { id: payload.videoId }, include: { files: true, streamingPlaylists: true } });
    if (!video) return skipped('video deleted');
    // a private video's files live in the private folders, under the private URLs
    const { layout, urls } = placementForPrivacy(deps, video.privacy);
    if (video.state === VideoState.PUBLISHED && video.streamingPlaylists.length > 0) return skipped('already transcoded');
    const original = [...video.files].sort((a, b) => b.resolution - a.resolution)[0];
    // an admin rerun of a video that only has HLS files transcodes from its best one
    const hlsInput = original ? null : await deps.store.bestHlsFilename(video.id);
    if (!original && !hlsInput) return jobFailure(`video ${video.uuid} has no input file`);
    const input = original ? layout.webVideo(original.filename) : join(layout.hlsDir(video.uuid), hlsInput!);

    const probed = await probeMedia(deps.ffmpeg, input, { signal: ctx.signal });
    if (!probed.ok) return jobFailure(`input unreadable: ${probed.reason.message}`);
    const probe = probed.probe;
    const ladder = planLadder(probe, deps.ladder);
    if (ladder.length === 0) return jobFailure('nothing to transcode: no enabled resolution fits this input');

    const work = join(layout.transcodeTmp, `${video.uuid}-${ctx.job.id}`);
    await rm(work, { recursive: true, force: true });
    await mkdir(join(work, 'torrents'), { recursive: true });
    try {
      const playlists: (HlsPlaylistFile & { torrentFilename: string; infoHash: string })[] = [];
      let hls: Awaited<ReturnType<typeof transcodeHls>> | undefined;
      if (deps.ladder.hls) {
        const started = performance.now();
        hls = await transcodeHls({ ffmpeg: deps.ffmpeg, input, outDir: join(work, 'hls'), uuid: video.uuid, ladder, probe, options: deps.options, signal: ctx.signal });
        if (!hls.ok) throw new Error(`HLS transcoding failed: ${hls.reason.message}`);
        deps.observe?.('hls', (performance.now() - started) / 1000);
        for (const p of hls.hls.playlists) {
          const torrentFilename = `${video.uuid}-${p.resolution}-hls.torrent`;
          const t = await deps.torrents.create({ filePath: join(work, 'hls', p.fileFilename), name: video.name, urlList: [urls.hlsFile(video.uuid, p.fileFilename)] });
          await writeFile(join(work, 'torrents', torrentFilename), t.torrent);
          playlists.push({ ...p, torrentFilename, infoHash: t.infoHash });
        }
      }

      const webVideos: (WebVideoFile & { torrentFilename: string; infoHash: string })[] = [];
      if (deps.ladder.webVideos) {
        await mkdir(join(work, 'web'), { recursive: true });
        for (const rendition of ladder) {
          const started = performance.now();
          const out = await transcodeWebVideo({ ffmpeg: deps.ffmpeg, input, outDir: join(work, 'web'), uuid: video.uuid, rendition, probe, options: deps.options, signal: ctx.signal });
          if (!out.ok) throw new Error(`web video transcoding failed: ${out.reason.message}`);
          deps.observe?.('web-video', (performance.now() - started) / 1000);
          const torrentFilename = `${video.uuid}-${out.webVideo.resolution}.torrent`;
          const t = await deps.torrents.create({ filePath: join(work, 'web', out.webVideo.filename), name: video.name, urlList: [urls.webVideo(out.webVideo.filename)] });
          await writeFile(join(work, 'torrents', torrentFilename), t.torrent);
          webVideos.push({ ...out.webVideo, torrentFilename, infoHash: t.infoHash });
        }
      }

      // The privacy may have changed while ffmpeg ran: under the video's row lock, the complete
      // result goes to the folders (and its torrents name the URLs) of the privacy now in force,
      // then the rows are swapped in the same transaction.
      const keep = new Set<string>();
      let placed = layout;
      const recorded = await prisma.$transaction(async (tx) => {
        const privacy = await lockVideoPrivacy(tx, video.id);
        if (privacy === null) return false;
        const now = placementForPrivacy(deps, privacy);
        placed = now.layout;
        const workTorrents: WorkTorrent[] = [
          ...playlists.map((p) => ({ torrentFilename: p.torrentFilename, webseed: (u: InstanceUrls) => u.hlsFile(video.uuid, p.fileFilename) })),
          ...webVideos.map((w) => ({ torrentFilename: w.torrentFilename, webseed: (u: InstanceUrls) => u.webVideo(w.filename) })),
        ];
        const retargeted = await retargetWorkTorrents({ work, torrents: workTorrents, from: urls, to: now.urls });
        if (retargeted > 0) ctx.logger.info({ video: video.uuid, privacy, retargeted }, 'privacy changed during the transcode: files placed for the new one');
        if (hls?.ok) {
          // a rerun's previous playlist, wherever a privacy change left it
          for (const dir of new Set([layout.hlsDir(video.uuid), now.layout.hlsDir(video.uuid)])) await rm(dir, { recursive: true, force: true });
          await rename(join(work, 'hls'), now.layout.hlsDir(video.uuid));
        }
        for (const w of webVideos) {
          await moveFile(join(work, 'web', w.filename), now.layout.webVideo(w.filename));
          keep.add(w.filename);
        }
        for (const t of [...playlists, ...webVideos]) {
          await moveFile(join(work, 'torrents', t.torrentFilename), now.layout.torrent(t.torrentFilename));
          keep.add(t.torrentFilename);
        }

        await tx.videoFile.deleteMany({ where: { videoId: video.id } });
        await tx.videoStreamingPlaylist.deleteMany({ where: { videoId: video.id } });
        if (hls?.ok) {
          await tx.videoStreamingPlaylist.create({
            data: {
              videoId: video.id,
              type: 1,
              playlistFilename: hls.hls.masterFilename,
              segmentsSha256Filename: hls.hls.segmentsSha256Filename,
              // PeerTube's swarm ids of the variants (its player computes the same from the master URL)
              p2pMediaLoaderInfohashes: p2pMediaLoaderInfohashes(now.urls.hlsFile(video.uuid, hls.hls.masterFilename), playlists.length),
              files: {
                create: playlists.map((p) => ({
                  resolution: p.resolution,
                  width: p.hasVideo ? p.width : null,
                  height: p.hasVideo ? p.height : null,
                  fps: p.fps,
                  size: BigInt(p.size),
                  extname: '.mp4',
                  filename: p.fileFilename,
                  playlistFilename: p.playlistFilename,
                  torrentFilename: p.torrentFilename,
                  infoHash: p.infoHash,
                })),
              },
            },
          });
        }
        for (const w of webVideos) {
          await tx.videoFile.create({
            data: {
              videoId: video.id,
              resolution: w.resolution,
              width: w.resolution === 0 ? null : w.width,
              height: w.resolution === 0 ? null : w.height,
              fps: w.fps,
              size: BigInt(w.size),
              extname: '.mp4',
              filename: w.filename,
              torrentFilename: w.torrentFilename,
              infoHash: w.infoHash,
            },
          });
        }
        await tx.video.update({
          where: { id: video.id },
          data: { state: VideoState.PUBLISHED, duration: Math.round(probe.durationSeconds), publishedAt: deps.clock.now() },
        });
        return true;
      }, TRANSACTION_OPTIONS);
      if (!recorded) return skipped('video deleted');

      await deps.events.published(video.id);
      // Seed the new files, and stop seeding the replaced upload before it is removed.
      await deps.seeding?.syncVideo(video.uuid);

      // The upload has been replaced (unless a transcoded web video took its exact name).
      const stale = video.files.flatMap((f) => [f.filename, f.torrentFilename ?? '']).filter((n) => n && !keep.has(n));
      // from the folder it was in when the job started and the one a privacy change moved it to
      await removeAll(stale.flatMap((n) => (n.endsWith('.torrent') ? [placed.torrent(n)] : [...new Set([layout.webVideo(n), placed.webVideo(n)])])));
      return completed({ resolutions: ladder.map((r) => r.resolution), hls: playlists.length, webVideos: webVideos.length });
    } finally {
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
