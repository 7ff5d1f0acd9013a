import { createHash, randomBytes } from 'node:crypto';
import type { Prisma } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { fail, ok, type Result } from '../lib/result.js';
import { verifyPassword } from './password.js';

export interface Tokens {
  token_type: 'Bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

export type TokenRefusal =
  | { type: 'invalid-client' }
  | { type: 'invalid-grant'; message: string }
  | { type: 'invalid-token'; message: string }
  | { type: 'user-blocked' };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = () => randomBytes(20).toString('hex');

/** PeerTube's OAuth2 flavour: one local client, password and refresh_token grants, bearer tokens. */
export function createTokenService(deps: { prisma: Prisma; clock: Clock; accessLifetimeMs?: number; refreshLifetimeMs?: number }) {
  const { prisma, clock } = deps;
  const accessLifetime = deps.accessLifetimeMs ?? 24 * 3600_000;
  const refreshLifetime = deps.refreshLifetimeMs ?? 14 * 24 * 3600_000;

  async function issue(userId: number): Promise<Tokens> {
    const access = newToken();
    const refresh = newToken();
    const now = clock.now().getTime();
    await prisma.oAuthToken.create({
      data: {
        accessTokenHash: sha256(access),
        refreshTokenHash: sha256(refresh),
        accessTokenExpiresAt: new Date(now + accessLifetime),
        refreshTokenExpiresAt: new Date(now + refreshLifetime),
        userId,
      },
    });
    return {
      token_type: 'Bearer',
      access_token: access,
      refresh_token: refresh,
      expires_in: Math.floor(accessLifetime / 1000),
      refresh_token_expires_in: Math.floor(refreshLifetime / 1000),
    };
  }

  return {
    async getLocalClient(): Promise<{ client_id: string; client_secret: string }> {
      const existing = await prisma.oAuthClient.findFirst({ orderBy: { id: 'asc' } });
      const client = existing ?? (await prisma.oAuthClient.create({ data: { clientId: newToken(), clientSecret: newToken() } }));
      return { client_id: client.clientId, client_secret: client.clientSecret };
    },

    async checkClient(clientId: string, clientSecret: string): Promise<boolean> {
      return (await prisma.oAuthClient.count({ where: { clientId, clientSecret } })) > 0;
    },

    async grantPassword(usernameOrEmail: string, password: string): Promise<Result<Tokens, TokenRefusal>> {
      const user = await prisma.user.findFirst({
        where: { OR: [{ username: usernameOrEmail.toLowerCase() }, { email: usernameOrEmail }] },
      });
      if (!user || !(await verifyPassword(password, user.passwordHash))) {
        return fail({ type: 'invalid-grant', message: 'Invalid grant: user credentials are invalid' });
      }
      if (user.blocked) return fail({ type: 'user-blocked' });
      return ok(await issue(user.id));
    },

    async grantRefresh(refreshToken: string): Promise<Result<Tokens, TokenRefusal>> {
      const row = await prisma.oAuthToken.findUnique({ where: { refreshTokenHash: sha256(refreshToken) } });
      if (!row || row.refreshTokenExpiresAt <= clock.now()) {
        return fail({ type: 'invalid-grant', message: 'Invalid grant: refresh token is invalid or expired' });
      }
      await prisma.oAuthToken.delete({ where: { id: row.id } });
      return ok(await issue(row.userId));
    },

    async revoke(accessToken: string): Promise<void> {
      await prisma.oAuthToken.deleteMany({ where: { accessTokenHash: sha256(accessToken) } });
    },

    /** The user id behind a bearer token. */
    async authenticate(accessToken: string): Promise<Result<{ userId: number }, TokenRefusal>> {
      const row = await prisma.oAuthToken.findUnique({ where: { accessTokenHash: sha256(accessToken) }, include: { user: true } });
      if (!row) return fail({ type: 'invalid-token', message: 'Invalid token' });
      if (row.accessTokenExpiresAt <= clock.now()) return fail({ type: 'invalid-token', message: 'Token has expired' });
      if (row.user.blocked) return fail({ type: 'user-blocked' });
      return ok({ userId: row.userId });
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
