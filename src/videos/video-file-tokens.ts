import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';

/** PeerTube's video file tokens live 8 hours; at most 100,000 are kept (the oldest go first). */
export const VIDEO_FILE_TOKEN_TTL_MS = 8 * 3600_000;
export const VIDEO_FILE_TOKEN_MAX = 100_000;

/**
 * PeerTube's video file tokens (`POST /api/v1/videos/:id/token`, used as `?videoFileToken=`):
 * short-lived capabilities to fetch one video's static files, for players that cannot send an
 * Authorization header. Kept in memory (as PeerTube's LRU), bounded, expiring on the injected
 * clock; a token carries the user it was made for, whose rights are checked again on each use.
 */
export function createVideoFileTokens(deps: { clock: Clock; ttlMs?: number; maxTokens?: number }) {
  const ttl = deps.ttlMs ?? VIDEO_FILE_TOKEN_TTL_MS;
  const max = deps.maxTokens ?? VIDEO_FILE_TOKEN_MAX;
  // insertion order = expiry order (one TTL for all)
  const tokens = new Map<string, { videoUuid: string; userId: number | null; expiresAt: number }>();

  function prune(now: number): void {
    for (const [token, entry] of tokens) {
      if (entry.expiresAt > now && tokens.size < max) return;
      tokens.delete(token);
    }
  }

  return {
    create(input: { videoUuid: string; userId: number | null }): { token: string; expires: string } {
      const now = deps.clock.now().getTime();
      prune(now);
      const token = randomUUID();
      const expiresAt = now + ttl;
      tokens.set(token, { videoUuid: input.videoUuid, userId: input.userId, expiresAt });
      return { token, expires: new Date(expiresAt).toISOString() };
    },
    /** The token's user when it is valid for this video now; null otherwise. */
    check(token: string, videoUuid: string): { userId: number | null } | null {
      const entry = tokens.get(token);
      if (!entry || entry.videoUuid !== videoUuid) return null;
      if (entry.expiresAt <= deps.clock.now().getTime()) {
        tokens.delete(token);
        return null;
      }
      return { userId: entry.userId };
    },
    get size(): number {
      return tokens.size;
    },
  };
}

export type VideoFileTokens = ReturnType<typeof createVideoFileTokens>;
