import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTorrentInfo, type SeedableFileSource, type SeedCandidate } from '../p2p/index.js';
import { copyDir, torrentFilenameFor } from './mirror/index.js';

/** Our active copies, oldest first (of one video when `videoUuid` is given), and whose bytes they carry. */
export interface SeedableCopiesStore {
  activeCopies(videoUuid?: string): Promise<{ videoUuid: string; originHost: string }[]>;
}

/**
 * Our mirrored copies' media files as a source of the seeder (kind `mirror`, origin = the video's
 * host): every active copy of ours at `<redundancyDir>/hls/<uuid>/`, each `.mp4` with the
 * `.torrent` the mirror wrote beside it (announcing to our tracker; its info dictionary is the
 * origin's when the origin's torrent could be fetched). The p2p area declares the source
 * interface; the composition root hands this one to the seeding service.
 */
export function createCopySeedSource(deps: { store: SeedableCopiesStore; redundancyDir: string }): SeedableFileSource {
  async function candidatesOf(copy: { videoUuid: string; originHost: string }): Promise<SeedCandidate[]> {
    const dir = copyDir(deps.redundancyDir, copy.videoUuid);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return []; // not (or no longer) on disk
    }
    const present = new Set(names);
    const found: SeedCandidate[] = [];
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.mp4'))) {
      const torrentName = [torrentFilenameFor(name), `${name}.torrent`].find((t) => present.has(t));
      if (!torrentName) continue;
      const torrentPath = join(dir, torrentName);
      const info = readTorrentInfo(await readFile(torrentPath).catch(() => Buffer.alloc(0)));
      if (!info.ok) continue;
      found.push({ path: join(dir, name), torrentPath, infoHash: info.value.infoHash, kind: 'mirror', originHost: copy.originHost, videoUuid: copy.videoUuid });
    }
    return found;
  }

  return {
    kind: 'mirror',
    async *all() {
      for (const copy of await deps.store.activeCopies()) yield* await candidatesOf(copy);
    },
    async ofVideo(videoUuid) {
      return (await Promise.all((await deps.store.activeCopies(videoUuid)).map((c) => candidatesOf(c)))).flat();
    },
  };
}
