import { z } from 'zod';

/** The job kind: one job per (activity, inbox). PeerTube's name for the same job. */
export const DELIVERY_JOB = 'activitypub-http-unicast';

/**
 * A delivery job's payload (stored as JSON). The body is the exact bytes to POST: our own
 * activities serialised once (with their LD signature) by the delivery service, or a forwarded
 * activity's bytes as received. UTF-8 text is kept readable in `body`; anything that would not
 * survive JSON storage byte for byte goes in `bodyBase64`.
 */
export interface DeliveryPayload {
  /** Same for every job that carries this (activity, inbox), across deferrals. */
  deliveryId: string;
  /** 0 for the first job, +1 for each successor after a deferral. */
  generation: number;
  inbox: string;
  signerActorId: number;
  body?: string;
  bodyBase64?: string;
  /** For logs and the admin job list. */
  activityId?: string;
  activityType?: string;
  forwarded: boolean;
  /** ISO time the delivery was first enqueued (max age counts from it). */
  queuedAt: string;
  /** Counted attempts spent by earlier jobs of this delivery. */
  priorAttempts: number;
}

export type DeliveryJobKinds = { [DELIVERY_JOB]: DeliveryPayload };

export const deliveryPayloadSchema = z
  .object({
    deliveryId: z.string().min(1),
    generation: z.number().int().min(0),
    inbox: z.url({ protocol: /^https?$/ }),
    signerActorId: z.number().int().positive(),
    body: z.string().optional(),
    bodyBase64: z.base64().optional(),
    activityId: z.string().optional(),
    activityType: z.string().optional(),
    forwarded: z.boolean(),
    queuedAt: z.iso.datetime(),
    priorAttempts: z.number().int().min(0),
  })
  .refine((p) => (p.body === undefined) !== (p.bodyBase64 === undefined), { message: 'exactly one of body and bodyBase64' });

/** The stored form of a body: readable text when it round-trips exactly through a JSON string. */
export function encodeBody(body: Buffer): Pick<DeliveryPayload, 'body' | 'bodyBase64'> {
  const text = body.toString('utf8');
  // PostgreSQL's jsonb cannot hold U+0000; invalid UTF-8 would not come back as the same bytes.
  if (!text.includes('\u0000') && Buffer.from(text, 'utf8').equals(body)) return { body: text };
  return { bodyBase64: body.toString('base64') };
}

export function decodeBody(payload: Pick<DeliveryPayload, 'body' | 'bodyBase64'>): Buffer {
  if (payload.body !== undefined) return Buffer.from(payload.body, 'utf8');
  return Buffer.from(payload.bodyBase64 ?? '', 'base64');
}
