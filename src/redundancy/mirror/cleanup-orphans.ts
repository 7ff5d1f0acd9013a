import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copiesRoot, isSafeUuid, parseParkedName, parseWorkDirName } from './copy-layout.js';

export interface CleanupOrphansParams {
  readonly redundancyDir: string;
  readonly tmpDir: string;
  /** uuids of the copies the database knows: every other copy folder is removed */
  readonly keep: ReadonlySet<string>;
  /**
   * uuids whose mirror job is running or will resume: their work folders are left alone. Call
   * this at start-up before mirror jobs run, or pass the running ones here.
   */
  readonly inProgress?: ReadonlySet<string>;
}

export interface CleanupOrphansResult {
  /** full paths removed from tmpDir (work folders a crash left) */
  readonly removedWorkDirs: readonly string[];
  /** full paths removed under `<redundancyDir>/hls` (unknown copies, half-swapped leftovers) */
  readonly removedCopies: readonly string[];
}

async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Removes what a crash or a forgotten copy leaves: work folders `mirror-<uuid>-<random>` in tmpDir
 * (unless the uuid is in progress), and under `<redundancyDir>/hls` the folders of copies the
 * database does not know plus `.old-*` / `.incoming-*` leftovers of an interrupted swap. Only
 * names this module creates are touched; anything else is left where it is.
 */
export async function cleanupOrphans(params: CleanupOrphansParams): Promise<CleanupOrphansResult> {
  const inProgress = params.inProgress ?? new Set<string>();
  const removedWorkDirs: string[] = [];
  const removedCopies: string[] = [];

  for (const entry of await entriesOf(params.tmpDir)) {
    if (!entry.isDirectory()) continue;
    const uuid = parseWorkDirName(entry.name);
    if (uuid === undefined || inProgress.has(uuid)) continue;
    const path = join(params.tmpDir, entry.name);
    await rm(path, { recursive: true, force: true });
    removedWorkDirs.push(path);
  }

  const root = copiesRoot(params.redundancyDir);
  for (const entry of await entriesOf(root)) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name);
    const parked = parseParkedName(entry.name);
    if (parked !== undefined) {
      if (parked.kind === 'incoming' && inProgress.has(parked.uuid)) continue;
      await rm(path, { recursive: true, force: true });
      removedCopies.push(path);
      continue;
    }
    if (!isSafeUuid(entry.name) || params.keep.has(entry.name) || inProgress.has(entry.name)) continue;
    await rm(path, { recursive: true, force: true });
    removedCopies.push(path);
  }
  return { removedWorkDirs, removedCopies };
}
