import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { MirrorPort } from '../../../src/redundancy/engine-deps.js';
import { objectStorageMirror } from '../../../src/redundancy/object-storage-copies.js';
import { createFolderObjectStore, createObjectStorage, type ObjectStorage } from '../../../src/storage/index.js';

const UUID = '0b2c6f0e-1c4e-4a57-9a43-6f5d3c2a1b00';

/** Our copies in a bucket (a folder store here): staged, committed with the manifest last, verified by it, cleaned up. */
describe('mirrored copies in object storage', () => {
  let root: string;
  let objects: ObjectStorage;
  let mirror: MirrorPort;
  let localCopies: string[];
  const redundancyDir = () => join(root, 'redundancy');
  const keys = async () => (await objects.store.list('redundancy', '')).map((o) => o.key);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mt-copies-'));
    const loaded = loadConfig({ cwd: root });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    objects = createObjectStorage(loaded.config.object_storage, createFolderObjectStore(join(root, 'bucket')));
    localCopies = [];
    // the disk mirror: "downloads and verifies" a copy into <redundancyDir>/hls/<uuid>
    const local: MirrorPort = {
      async copy(input) {
        const dir = join(redundancyDir(), 'hls', input.uuid);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'master.m3u8'), '#EXTM3U\n');
        await writeFile(join(dir, 'x-240-fragmented.mp4'), Buffer.alloc(3000, 1));
        await writeFile(join(dir, 'segments-sha256.json'), '{}');
        localCopies.push(input.uuid);
        return { ok: true, totalBytes: 3020 };
      },
      verify: async () => ({ ok: false, message: 'not on disk' }),
      remove: async () => {},
      cleanup: async () => {},
    };
    mirror = objectStorageMirror(local, objects, { redundancyDir: redundancyDir() });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const copy = () => mirror.copy({ uuid: UUID, playlistUrl: 'http://o/master.m3u8', segmentsSha256Url: 'http://o/s.json', torrentUrls: {}, signal: new AbortController().signal });

  it('a copy is committed under <uuid>/ with its manifest, no staging left, nothing left on disk; verified by its manifest', async () => {
    expect((await copy()).ok).toBe(true);
    expect(await keys()).toEqual([`${UUID}/_manifest.json`, `${UUID}/master.m3u8`, `${UUID}/segments-sha256.json`, `${UUID}/x-240-fragmented.mp4`]);
    expect(await readdir(join(redundancyDir(), 'hls'))).toEqual([]);
    expect(await mirror.verify(UUID)).toEqual({ ok: true });
    // a file lost from the bucket: the copy no longer verifies
    await objects.store.remove('redundancy', [`${UUID}/x-240-fragmented.mp4`]);
    expect((await mirror.verify(UUID)).ok).toBe(false);
  });

  it('a half commit (no manifest) does not verify; the next copy drops the earlier staging and commits whole', async () => {
    await objects.store.put('redundancy', `_staging/${UUID}-0123456789ab/master.m3u8`, { body: Buffer.from('old') }, { acl: 'public' });
    await objects.store.put('redundancy', `${UUID}/master.m3u8`, { body: Buffer.from('half') }, { acl: 'public' });
    await objects.store.put('redundancy', `${UUID}/stale-file.mp4`, { body: Buffer.from('stale') }, { acl: 'public' });
    expect((await mirror.verify(UUID)).ok).toBe(false);
    expect((await copy()).ok).toBe(true);
    expect(await keys()).toEqual([`${UUID}/_manifest.json`, `${UUID}/master.m3u8`, `${UUID}/segments-sha256.json`, `${UUID}/x-240-fragmented.mp4`]);
  });

  it('clean-up: objects of unknown copies and staging of copies not in progress go; kept and in-progress ones stay; eviction removes all', async () => {
    const other = '7d1f3a62-5b0e-4d21-8c3e-2f9e8a7b6c5d';
    const stray = '11111111-2222-4333-8444-555555555555';
    expect((await copy()).ok).toBe(true);
    for (const key of [`${other}/master.m3u8`, `${stray}/master.m3u8`, `_staging/${other}-0123456789ab/a.mp4`, `_staging/${stray}-0123456789ab/a.mp4`]) {
      await objects.store.put('redundancy', key, { body: Buffer.from('x') }, { acl: 'public' });
    }
    await mirror.cleanup(new Set([UUID]), new Set([other]));
    expect((await keys()).filter((k) => !k.startsWith(`${UUID}/`)).sort()).toEqual([`${other}/master.m3u8`, `_staging/${other}-0123456789ab/a.mp4`].sort());
    await mirror.remove(UUID);
    await mirror.remove(other);
    expect(await keys()).toEqual([]);
  });
});
