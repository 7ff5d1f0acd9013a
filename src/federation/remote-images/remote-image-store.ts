import type { Prisma } from '../../db/index.js';
import type { Prisma as P } from '../../generated/prisma/client.js';
import { remoteImageName, type RemoteImageKind } from './remote-image-name.js';

/** What the remote image service reads: the origin URL of an image we serve under a name. */
export interface RemoteImageStore {
  findUrl(kind: RemoteImageKind, filename: string): Promise<string | null>;
}

export function createPrismaRemoteImageStore(prisma: Prisma): RemoteImageStore {
  return {
    async findUrl(kind, filename) {
      const row = await prisma.remoteImage.findUnique({ where: { filename } });
      return row && row.kind === kind ? row.url : null;
    },
  };
}

/**
 * Records the images of a remote object (in the caller's transaction) and returns the names they
 * are served under, in order (null for an absent URL). The same URL always gets the same name.
 */
export async function recordRemoteImages(tx: P.TransactionClient, images: { kind: RemoteImageKind; url: string | null | undefined }[]): Promise<(string | null)[]> {
  const named = images.map((i) => (i.url ? { kind: i.kind, url: i.url, filename: remoteImageName(i.kind, i.url) } : null));
  const rows = named.filter((n): n is NonNullable<typeof n> => n !== null);
  if (rows.length > 0) await tx.remoteImage.createMany({ data: rows, skipDuplicates: true });
  return named.map((n) => n?.filename ?? null);
}
