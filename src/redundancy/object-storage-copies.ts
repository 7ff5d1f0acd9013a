import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ObjectStorage } from '../storage/index.js';
import type { MirrorPort } from './engine-deps.js';
import { assertSafeUuid, copyDir, isSafeUuid, randomSuffix } from './mirror/index.js';

/** Written last by a commit: a copy in the bucket is complete exactly when its manifest is there and every file it lists is. */
export const COPY_MANIFEST = '_manifest.json';
const manifestSchema = z.object({ files: z.array(z.object({ name: z.string(), size: z.number().int().min(0) })) });

/**
 * Our mirrored copies in object storage (the `redundancy` bucket): the mirror downloads and
 * verifies a copy into its local folder as before, then the copy goes up under a staging prefix
 * (`_staging/<uuid>-<attempt>/`), is committed by server-side copies to `<uuid>/` with its
 * manifest written last, and the staging objects and the local folder go. Only then does the
 * mirror job mark it active and announce it, so a crash at any point announces nothing: the job
 * starts again (its earlier staging objects are deleted first), and the clean-up removes objects of
 * copies the database does not know.
 */
export function objectStorageMirror<P extends MirrorPort>(local: P, objects: ObjectStorage, paths: { redundancyDir: string }): P {
  const store = objects.store;
  const finalPrefix = (uuid: string) => objects.copyKey(uuid, '');

  async function dropStaging(uuid: string): Promise<void> {
    const prefixes = new Set<string>();
    for (const o of await store.list('redundancy', `${objects.stagingRoot}${uuid}-`)) prefixes.add(o.key.slice(0, o.key.indexOf('/', objects.stagingRoot.length) + 1));
    for (const p of prefixes) await store.removePrefix('redundancy', p);
  }

  async function commit(uuid: string, dir: string): Promise<void> {
    await dropStaging(uuid);
    const staging = objects.stagingPrefix(uuid, randomSuffix());
    const names = (await readdir(dir)).filter((n) => n !== COPY_MANIFEST).sort();
    const files: { name: string; size: number }[] = [];
    for (const name of names) {
      const s = await stat(join(dir, name));
      if (s.isFile()) files.push({ name, size: s.size });
    }
    // 1. staged: nothing under <uuid>/ changes while the upload runs
    for (const f of files) await store.put('redundancy', `${staging}${f.name}`, { path: join(dir, f.name) }, { acl: 'public' });
    // 2. commit: the old manifest goes first (the copy is incomplete from here), files are copied in, stale ones go, the manifest last
    const final = finalPrefix(uuid);
    await store.remove('redundancy', [`${final}${COPY_MANIFEST}`]);
    for (const f of files) await store.copy('redundancy', `${staging}${f.name}`, `${final}${f.name}`, 'public');
    const wanted = new Set(files.map((f) => `${final}${f.name}`));
    await store.remove('redundancy', (await store.list('redundancy', final)).map((o) => o.key).filter((k) => !wanted.has(k)));
    await store.put('redundancy', `${final}${COPY_MANIFEST}`, { body: Buffer.from(JSON.stringify({ files })) }, { acl: 'public', contentType: 'application/json' });
    await store.removePrefix('redundancy', staging);
  }

  async function verify(uuid: string): Promise<{ ok: true } | { ok: false; message: string }> {
    assertSafeUuid(uuid);
    const body = await store.read('redundancy', `${finalPrefix(uuid)}${COPY_MANIFEST}`);
    if (!body) return { ok: false, message: 'no committed copy in the bucket' };
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const parsed = manifestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (!parsed.success) return { ok: false, message: 'the copy\'s manifest is unreadable' };
    const listed = new Map((await store.list('redundancy', finalPrefix(uuid))).map((o) => [o.key.slice(finalPrefix(uuid).length), o.size]));
    for (const f of parsed.data.files) {
      if (listed.get(f.name) !== f.size) return { ok: false, message: `${f.name} is missing or has another size in the bucket` };
    }
    return { ok: true };
  }

  const port: MirrorPort = {
    async copy(input) {
      // media of the current copy are in the bucket, not on disk: a refresh downloads again
      const result = await local.copy({ ...input, reuse: false });
      if (!result.ok) return result;
      const dir = copyDir(paths.redundancyDir, input.uuid);
      await commit(input.uuid, dir);
      await rm(dir, { recursive: true, force: true });
      return result;
    },
    verify,
    async remove(uuid) {
      assertSafeUuid(uuid);
      await local.remove(uuid);
      await dropStaging(uuid);
      await store.removePrefix('redundancy', finalPrefix(uuid));
    },
    async cleanup(keep, inProgress) {
      await local.cleanup(keep, inProgress);
      const gone = new Set<string>();
      for (const o of await store.list('redundancy', '')) {
        if (o.key.startsWith(objects.stagingRoot)) {
          const name = o.key.slice(objects.stagingRoot.length).split('/')[0] ?? '';
          const uuid = name.replace(/-[0-9a-f]{12}$/, '');
          if (!inProgress.has(uuid)) gone.add(o.key);
          continue;
        }
        const uuid = o.key.split('/')[0] ?? '';
        if (isSafeUuid(uuid) && !keep.has(uuid) && !inProgress.has(uuid)) gone.add(o.key);
      }
      await store.remove('redundancy', [...gone]);
    },
  };
  // every method returns what the local port returned, or void: the port keeps the local port's types
  return port as P;
}
