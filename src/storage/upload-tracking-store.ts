import type { Prisma } from '../db/index.js';
import type { UploadTrackingStore } from './upload-tracking.js';

/** The `ObjectUpload` rows over Prisma. */
export function createUploadTrackingStore(prisma: Prisma): UploadTrackingStore {
  return {
    async begin(upload) {
      return (await prisma.objectUpload.create({ data: upload, select: { id: true } })).id;
    },
    async end(id) {
      await prisma.objectUpload.deleteMany({ where: { id } });
    },
    list() {
      return prisma.objectUpload.findMany({ orderBy: { id: 'asc' } });
    },
    async remove(ids) {
      if (ids.length > 0) await prisma.objectUpload.deleteMany({ where: { id: { in: [...ids] } } });
    },
  };
}
