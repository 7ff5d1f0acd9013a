import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import { fail, ok, type Result } from '../lib/result.js';
import { verifyPassword } from './password.js';
import type { TokenStore } from './token-store.js';

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
export function createTokenService(deps: { store: TokenStore; clock: Clock; accessLifetimeMs?: number; refreshLifetimeMs?: number }) {
  const { store, clock } = deps;
  const accessLifetime = deps.accessLifetimeMs ?? 24 * 3600_000;
  const refreshLifetime = deps.refreshLifetimeMs ?? 14 * 24 * 3600_000;

  async function issue(userId: number): Promise<Tokens> {
    const access = newToken();
    const refresh = newToken();
    const now = clock.now().getTime();
    await store.create({
      accessTokenHash: sha256(access),
      refreshTokenHash: sha256(refresh),
      accessTokenExpiresAt: new Date(now + accessLifetime),
      refreshTokenExpiresAt: new Date(now + refreshLifetime),
      userId,
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
      const client = await store.localClient({ clientId: newToken(), clientSecret: newToken() });
      return { client_id: client.clientId, client_secret: client.clientSecret };
    },

    async checkClient(clientId: string, clientSecret: string): Promise<boolean> {
      return store.clientExists(clientId, clientSecret);
    },

    async grantPassword(usernameOrEmail: string, password: string): Promise<Result<Tokens, TokenRefusal>> {
      const user = await store.userForLogin(usernameOrEmail.toLowerCase(), usernameOrEmail);
      if (!user || !(await verifyPassword(password, user.passwordHash))) {
        return fail({ type: 'invalid-grant', message: 'Invalid grant: user credentials are invalid' });
      }
      if (user.blocked) return fail({ type: 'user-blocked' });
      return ok(await issue(user.id));
    },

    async grantRefresh(refreshToken: string): Promise<Result<Tokens, TokenRefusal>> {
      const row = await store.byRefreshHash(sha256(refreshToken));
      if (!row || row.refreshTokenExpiresAt <= clock.now()) {
        return fail({ type: 'invalid-grant', message: 'Invalid grant: refresh token is invalid or expired' });
      }
      await store.delete(row.id);
      return ok(await issue(row.userId));
    },

    async revoke(accessToken: string): Promise<void> {
      await store.deleteByAccessHash(sha256(accessToken));
    },

    /** The user id behind a bearer token. */
    async authenticate(accessToken: string): Promise<Result<{ userId: number }, TokenRefusal>> {
      const row = await store.byAccessHash(sha256(accessToken));
      if (!row) return fail({ type: 'invalid-token', message: 'Invalid token' });
      if (row.accessTokenExpiresAt <= clock.now()) return fail({ type: 'invalid-token', message: 'Token has expired' });
      if (row.userBlocked) return fail({ type: 'user-blocked' });
      return ok({ userId: row.userId });
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
