import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Prisma } from '../db/index.js';
// The copy layout straight from its file: the mirror folder's index imports p2p (a cycle otherwise).
import { copyDir, torrentFilenameFor } from '../redundancy/mirror/copy-layout.js';
import { readTorrentInfo } from './read-torrent-info.js';
import type { SeedableFileSource, SeedCandidate } from './seedable-files.js';

/**
 * Our mirrored copies' media files (kind `mirror`, origin = the video's host): every active copy
 * of ours (a VideoRedundancy row of our instance actor) at `<redundancyDir>/hls/<uuid>/`, each
 * `.mp4` with the `.torrent` the redundancy engine wrote beside it (announcing to our tracker; its
 * info dictionary is the origin's when the origin's torrent could be fetched).
 */
export function createMirrorSeedableFiles(deps: { prisma: Prisma; redundancyDir: string }): SeedableFileSource {
  const { prisma } = deps;
  const ours = { state: 'active', actor: { host: null } } as const;
  const select = { video: { select: { uuid: true, url: true, channel: { select: { actor: { select: { host: true } } } } } } } as const;

  async function candidatesOf(video: { uuid: string; url: string; channel: { actor: { host: string | null } } }): Promise<SeedCandidate[]> {
    const dir = copyDir(deps.redundancyDir, video.uuid);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return []; // not (or no longer) on disk
    }
    const present = new Set(names);
    const originHost = video.channel.actor.host ?? new URL(video.url).host;
    const found: SeedCandidate[] = [];
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.mp4'))) {
      const torrentName = [torrentFilenameFor(name), `${name}.torrent`].find((t) => present.has(t));
      if (!torrentName) continue;
      const torrentPath = join(dir, torrentName);
      const info = readTorrentInfo(await readFile(torrentPath).catch(() => Buffer.alloc(0)));
      if (!info.ok) continue;
      found.push({ path: join(dir, name), torrentPath, infoHash: info.value.infoHash, kind: 'mirror', originHost, videoUuid: video.uuid });
    }
    return found;
  }

  return {
    kind: 'mirror',
    async *all() {
      const rows = await prisma.videoRedundancy.findMany({ where: ours, select, orderBy: { id: 'asc' } });
      for (const row of rows) yield* await candidatesOf(row.video);
    },
    async ofVideo(videoUuid) {
      const rows = await prisma.videoRedundancy.findMany({ where: { ...ours, video: { uuid: videoUuid } }, select });
      return (await Promise.all(rows.map((r) => candidatesOf(r.video)))).flat();
    },
  };
}
