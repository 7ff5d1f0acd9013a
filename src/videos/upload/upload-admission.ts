import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Tx } from '../../lib/tx.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { QuotaStore } from './quota-store.js';

export type AdmissionRefusal =
  | { type: 'not-your-channel'; message: string }
  | { type: 'quota-reached'; message: string }
  | { type: 'too-large'; message: string };

/**
 * Lets an upload in: the channel is the user's, the size is within `uploads.max_file_size`, and the
 * quota has room, checked and reserved in one atomic step (a per-user lock on both databases), so
 * parallel uploads cannot all pass the same check. The reservation lives until the video row that
 * replaces it is written (in the same transaction) or the upload fails.
 */
export function createUploadAdmission(deps: { store: QuotaStore; clock: Clock; owner: string; maxFileSize: number }) {
  const { store } = deps;

  return {
    /** `id`: the resumable session id (the session then owns the reservation); a random one otherwise. */
    async admit(userId: number, channelId: number, size: number, id = randomBytes(16).toString('hex')): Promise<Result<{ reservationId: string }, AdmissionRefusal>> {
      if (!(await store.ownsChannel(userId, channelId))) {
        return fail({ type: 'not-your-channel', message: `channel ${channelId} does not exist or is not one of yours` });
      }
      if (size > deps.maxFileSize) {
        return fail({ type: 'too-large', message: `the file (${size} bytes) is larger than the limit of ${deps.maxFileSize} bytes` });
      }
      const reserved = await store.reserve({ id, userId, size, owner: deps.owner }, deps.clock.now());
      if (!reserved.ok) {
        const message = reserved.which === 'daily' ? 'The user video daily quota is exceeded with this video.' : 'The user video quota is exceeded with this video.';
        return fail({ type: 'quota-reached', message });
      }
      return ok({ reservationId: id });
    },
    /** Records the uuid of the video being made before any of its files is moved into place (crash sweep). */
    claimUuid: (reservationId: string, videoUuid: string) => store.setVideoUuid(reservationId, videoUuid),
    /** Removes the reservation, inside the transaction that writes the video when given. */
    release: (reservationId: string, tx?: Tx) => store.release(reservationId, tx),
  };
}

export type UploadAdmission = ReturnType<typeof createUploadAdmission>;
