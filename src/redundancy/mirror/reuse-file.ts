import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFileRanges } from '../../transcoding/index.js';
import type { PlannedFile } from './copy-plan.js';

/**
 * Refreshing a copy downloads only what changed: a media file of the new plan that the current
 * copy already holds under the same name, long enough and matching every hashed range of the new
 * hashes, is copied from it into the work folder instead. Returns its size, or null (download it).
 */
export async function reuseVerifiedFile(fromDir: string, workDir: string, file: PlannedFile): Promise<number | null> {
  const source = join(fromDir, file.filename);
  const size = await stat(source).then(
    (s) => (s.isFile() ? s.size : null),
    () => null,
  );
  if (size === null || size < file.minSize || file.ranges.length === 0) return null;
  const hashed = await hashFileRanges(source, file.ranges);
  if (!hashed.ok || hashed.hashes.some((h, i) => h !== file.ranges[i]!.sha256)) return null;
  await copyFile(source, join(workDir, file.filename));
  return size;
}
