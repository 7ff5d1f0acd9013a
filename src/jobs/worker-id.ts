import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A stable id for this instance's job leases, kept in its storage (`<root>/worker-id`) so a restart reclaims its own jobs. */
export async function workerIdFor(root: string): Promise<string> {
  const file = join(root, 'worker-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = `worker-${randomBytes(6).toString('hex')}`;
    await writeFile(file, id);
    return id;
  }
}
