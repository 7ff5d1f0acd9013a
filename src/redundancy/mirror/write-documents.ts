import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchedPlaylists } from './fetch-playlists.js';

/**
 * Phase 2: the work folder gets the documents as the origin wrote them. In a folder adopted from
 * an earlier attempt, only partial media files of the plan are kept, and only when the hashes
 * are the same as then; everything else goes.
 */
export async function writeDocuments(work: { readonly dir: string; readonly adopted: boolean }, fetched: FetchedPlaylists): Promise<void> {
  if (work.adopted) {
    const mediaNames = new Set(fetched.plan.files.map((f) => f.filename));
    const previousHashes = await readFile(join(work.dir, fetched.segmentsSha256Filename)).catch(() => undefined);
    const sameHashes = previousHashes !== undefined && previousHashes.equals(fetched.hashes);
    for (const name of await readdir(work.dir)) {
      if (!sameHashes || !mediaNames.has(name)) await rm(join(work.dir, name), { recursive: true, force: true });
    }
  }
  await Promise.all([
    writeFile(join(work.dir, fetched.segmentsSha256Filename), fetched.hashes),
    writeFile(join(work.dir, fetched.masterFilename), fetched.master),
    ...fetched.variants.map((variant) => writeFile(join(work.dir, variant.filename), variant.body)),
  ]);
}
