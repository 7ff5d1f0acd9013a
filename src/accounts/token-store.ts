import type { Prisma } from '../db/index.js';

/** An OAuth token row, by its hashes (the tokens themselves are never stored). */
export interface TokenRow {
  accessTokenHash: string;
  refreshTokenHash: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  userId: number;
}

/** OAuth clients and tokens, and the users they log in. */
export interface TokenStore {
  /** the first client, created with `fresh` when there is none */
  localClient(fresh: { clientId: string; clientSecret: string }): Promise<{ clientId: string; clientSecret: string }>;
  clientExists(clientId: string, clientSecret: string): Promise<boolean>;
  /** a user by lower-cased username or by email */
  userForLogin(username: string, email: string): Promise<{ id: number; passwordHash: string; blocked: boolean } | null>;
  create(token: TokenRow): Promise<void>;
  byRefreshHash(hash: string): Promise<{ id: number; userId: number; refreshTokenExpiresAt: Date } | null>;
  byAccessHash(hash: string): Promise<{ userId: number; accessTokenExpiresAt: Date; userBlocked: boolean } | null>;
  delete(id: number): Promise<void>;
  deleteByAccessHash(hash: string): Promise<void>;
}

export function createPrismaTokenStore(prisma: Prisma): TokenStore {
  return {
    async localClient(fresh) {
      const client = (await prisma.oAuthClient.findFirst({ orderBy: { id: 'asc' } })) ?? (await prisma.oAuthClient.create({ data: fresh }));
      return { clientId: client.clientId, clientSecret: client.clientSecret };
    },
    async clientExists(clientId, clientSecret) {
      return (await prisma.oAuthClient.count({ where: { clientId, clientSecret } })) > 0;
    },
    userForLogin(username, email) {
      return prisma.user.findFirst({ where: { OR: [{ username }, { email }] }, select: { id: true, passwordHash: true, blocked: true } });
    },
    async create(token) {
      await prisma.oAuthToken.create({ data: token });
    },
    byRefreshHash(hash) {
      return prisma.oAuthToken.findUnique({ where: { refreshTokenHash: hash }, select: { id: true, userId: true, refreshTokenExpiresAt: true } });
    },
    async byAccessHash(hash) {
      const row = await prisma.oAuthToken.findUnique({ where: { accessTokenHash: hash }, select: { userId: true, accessTokenExpiresAt: true, user: { select: { blocked: true } } } });
      return row ? { userId: row.userId, accessTokenExpiresAt: row.accessTokenExpiresAt, userBlocked: row.user.blocked } : null;
    },
    async delete(id) {
      await prisma.oAuthToken.delete({ where: { id } });
    },
    async deleteByAccessHash(hash) {
      await prisma.oAuthToken.deleteMany({ where: { accessTokenHash: hash } });
    },
  };
}
