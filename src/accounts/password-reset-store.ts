import { openDatabase, type Prisma } from '../db/index.js';

/** What `mirrortube reset-password` changes: the user's password hash, and its sessions end. */
export interface PasswordResetStore {
  /** false when no local user has that name */
  setPassword(username: string, passwordHash: string): Promise<boolean>;
}

export function createPasswordResetStore(prisma: Prisma): PasswordResetStore {
  return {
    async setPassword(username, passwordHash) {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.user.updateMany({ where: { username }, data: { passwordHash } });
        if (count === 0) return false;
        // whoever held a token of the old password is logged out
        await tx.oAuthToken.deleteMany({ where: { user: { username } } });
        return true;
      });
    },
  };
}

/** Opens the database (one connection) for the `reset-password` command; `close()` when done. */
export async function openPasswordResetStore(options: Parameters<typeof openDatabase>[0]): Promise<PasswordResetStore & { close(): Promise<void> }> {
  const db = await openDatabase(options);
  return { ...createPasswordResetStore(db.prisma), close: () => db.close() };
}
