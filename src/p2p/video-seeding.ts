import { readFile } from 'node:fs/promises';
import type { SeedableFileSource, SeedCandidate } from './seedable-files.js';
import type { Seeder, SeederLogger, SeedKind } from './seeder.js';

/** How many files are prepared (torrent read, file checked, torrent added) at once. */
const CONCURRENCY = 4;

/**
 * Keeps the seeder in step with the files we hold: seeds everything at start-up (in the
 * background), re-syncs one video after an upload or a transcode, and stops seeding a deleted one.
 * Its methods never throw: seeding is best-effort and must not fail an upload or a job.
 */
export function createVideoSeeding(options: { seeder: Seeder; sources: SeedableFileSource[]; logger: SeederLogger }) {
  const { seeder, logger } = options;
  const deps = { sources: [...options.sources] };
  let background: Promise<void> | undefined;
  const controller = new AbortController();

  async function seedCandidate(candidate: SeedCandidate): Promise<boolean> {
    let torrentFile: Buffer;
    try {
      torrentFile = await readFile(candidate.torrentPath);
    } catch {
      logger.warn({ video: candidate.videoUuid, torrent: candidate.torrentPath }, 'seeding: torrent file missing');
      return false;
    }
    const result = await seeder.seed({ ...candidate, torrentFile });
    if (!result.ok) {
      if (result.reason.type !== 'not-running') logger.warn({ video: candidate.videoUuid, reason: result.reason }, 'seeding: file not seeded');
      return false;
    }
    return true;
  }

  async function seedAll(signal: AbortSignal): Promise<{ seeded: number; refused: number }> {
    let seeded = 0;
    let refused = 0;
    const running = new Set<Promise<void>>();
    for (const source of deps.sources) {
      if (signal.aborted) break;
      for await (const candidate of source.all()) {
        if (signal.aborted) break;
        const task: Promise<void> = seedCandidate(candidate).then((done) => {
          if (done) seeded++;
          else refused++;
          running.delete(task);
        });
        running.add(task);
        if (running.size >= CONCURRENCY) await Promise.race(running);
      }
    }
    await Promise.all(running);
    return { seeded, refused };
  }

  return {
    /** Adds a source of files (the redundancy engine's copies, kind `mirror`); call before start-up seeding. */
    addSource(source: SeedableFileSource): void {
      deps.sources.push(source);
    },

    /** Starts seeding every file of every source, without waiting (see `whenSeeded`). */
    seedAllInBackground(): void {
      if (background) return;
      background = seedAll(controller.signal).then(
        (counts) => logger.info(counts, 'seeding: start-up seeding done'),
        (err: unknown) => logger.warn({ err }, 'seeding: start-up seeding failed'),
      );
    },

    /** Resolves when the start-up seeding has finished. */
    async whenSeeded(): Promise<void> {
      await background;
    },

    /** Seeds the video's current files and stops seeding those it no longer has. */
    async syncVideo(videoUuid: string): Promise<void> {
      try {
        const candidates = (await Promise.all(deps.sources.map((s) => s.ofVideo(videoUuid)))).flat();
        const wanted = new Set(candidates.map((c) => c.infoHash.toLowerCase()));
        for (const seeded of seeder.list({ videoUuid })) if (!wanted.has(seeded.infoHash)) await seeder.unseed(seeded.infoHash);
        for (const candidate of candidates) await seedCandidate(candidate);
      } catch (err) {
        logger.warn({ err, video: videoUuid }, 'seeding: could not sync a video');
      }
    },

    /**
     * Brings the seeding of one kind of files in line with its sources: seeds what is missing and
     * stops seeding what is gone (mirrored copies appear and are evicted by the redundancy engine).
     */
    async syncKind(kind: SeedKind): Promise<{ seeded: number; unseeded: number }> {
      let seeded = 0;
      let unseeded = 0;
      try {
        const wanted = new Map<string, SeedCandidate>();
        for (const source of deps.sources.filter((s) => s.kind === kind)) for await (const c of source.all()) wanted.set(c.infoHash.toLowerCase(), c);
        for (const current of seeder.list().filter((m) => m.kind === kind)) {
          if (!wanted.has(current.infoHash) && (await seeder.unseed(current.infoHash))) unseeded++;
        }
        for (const [infoHash, candidate] of wanted) if (!seeder.isSeeding(infoHash) && (await seedCandidate(candidate))) seeded++;
      } catch (err) {
        logger.warn({ err, kind }, 'seeding: could not sync');
      }
      return { seeded, unseeded };
    },

    /** Stops seeding every file of the video (before its files are deleted). */
    async unseedVideo(videoUuid: string): Promise<void> {
      try {
        for (const seeded of seeder.list({ videoUuid })) await seeder.unseed(seeded.infoHash);
      } catch (err) {
        logger.warn({ err, video: videoUuid }, 'seeding: could not unseed a video');
      }
    },

    /** Stops the start-up seeding (what was seeded stays until the seeder stops). */
    async stop(): Promise<void> {
      controller.abort();
      await background;
    },
  };
}

export type VideoSeeding = ReturnType<typeof createVideoSeeding>;
