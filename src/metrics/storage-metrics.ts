import { statfs } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';

/**
 * Disk figures of each storage folder (`folder` = its config key: web_videos, redundancy, tmp, …):
 * free and total bytes of the filesystem that holds it (read at each scrape), and the bytes of
 * the files under it (measured by a periodic walk, see housekeeping/folder-usage.ts).
 */
export function defineStorageMetrics(registry: Registry, folders: Readonly<Record<string, string>>) {
  const entries = Object.entries(folders);
  const filesystem = async (which: 'free' | 'size', gauge: Gauge<'folder'>) => {
    for (const [folder, path] of entries) {
      try {
        const s = await statfs(path);
        gauge.set({ folder }, which === 'free' ? s.bavail * s.bsize : s.blocks * s.bsize);
      } catch {
        gauge.remove({ folder });
      }
    }
  };
  new Gauge({
    name: 'mirrortube_storage_free_bytes',
    help: 'Bytes free (for us) on the filesystem of each storage folder',
    labelNames: ['folder'],
    registers: [registry],
    async collect() {
      await filesystem('free', this);
    },
  });
  new Gauge({
    name: 'mirrortube_storage_size_bytes',
    help: 'Total bytes of the filesystem of each storage folder',
    labelNames: ['folder'],
    registers: [registry],
    async collect() {
      await filesystem('size', this);
    },
  });
  const used = new Gauge({
    name: 'mirrortube_storage_used_bytes',
    help: 'Bytes of the files under each storage folder (measured periodically)',
    labelNames: ['folder'],
    registers: [registry],
  });
  for (const [folder] of entries) used.set({ folder }, 0);
  return {
    folders: entries,
    setUsed(folder: string, bytes: number): void {
      used.set({ folder }, bytes);
    },
  };
}

export type StorageMetrics = ReturnType<typeof defineStorageMetrics>;
