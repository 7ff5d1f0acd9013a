import { z } from 'zod';
import { fail, ok, type Result } from '../../lib/result.js';
import { addressList, apUrl, idOf, idReference } from './ap-schemas.js';
import { refusalFromZod, type VocabRefusal } from './refusal.js';

/** The activity types PeerTube 6.3 processes (its `activityCheckers`). */
export const ACTIVITY_TYPES = [
  'Create',
  'Update',
  'Delete',
  'Follow',
  'Accept',
  'Reject',
  'Announce',
  'Undo',
  'Like',
  'Dislike',
  'View',
  'Flag',
  'ApproveReply',
  'RejectReply',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** An RsaSignature2017 block as found on an activity (verified by the signatures module, not here). */
export interface LdSignatureBlock {
  type: string;
  creator: string;
  created: string;
  signatureValue: string;
}

/** A received activity, checked and normalised; `raw` is the document as received. */
export interface ParsedActivity {
  id: string;
  type: string;
  /** the actor's id (PeerTube and Mastodon send a URL; some send the actor object) */
  actor: string;
  /** the object: a URL, or an embedded object (Create's Video, Accept's Follow, Undo's activity…) */
  object: string | Record<string, unknown>;
  /** the object's id when it has one */
  objectId: string | null;
  /** the embedded object's type, null when the object is a URL */
  objectType: string | null;
  to: string[];
  cc: string[];
  signature: LdSignatureBlock | null;
  raw: Record<string, unknown>;
}

const signatureSchema = z.looseObject({
  type: z.string().max(100),
  creator: z.string().max(2000),
  created: z.string().max(64),
  signatureValue: z.string().max(4096),
});

const envelopeSchema = z.looseObject({
  id: apUrl,
  actor: idReference,
  object: z.union([apUrl, z.record(z.string(), z.unknown())]),
  to: addressList,
  cc: addressList,
});

/**
 * Checks the envelope every activity shares: an `id` URL, a known `type`, an `actor` (URL or
 * object with an id), an `object` (URL or object), `to`/`cc` as bounded address lists (default
 * empty). What the object must be is the handler's business (parseVideoObject, parseActor…).
 */
export function parseActivity(input: unknown, options: { types?: readonly string[] } = {}): Result<ParsedActivity, VocabRefusal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail({ type: 'not-an-object' });
  const types = options.types ?? ACTIVITY_TYPES;
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !types.includes(type)) return fail({ type: 'wrong-type', expected: types, received: typeof type === 'string' ? type.slice(0, 100) : null });

  const parsed = envelopeSchema.safeParse(input);
  if (!parsed.success) return fail(refusalFromZod(parsed.error, input));
  const { id, actor, object, to, cc } = parsed.data;
  const signature = signatureSchema.safeParse((input as { signature?: unknown }).signature);
  const objectType = typeof object === 'object' && typeof object.type === 'string' ? object.type : null;
  const objectId = idOf(object);
  return ok({
    id,
    type,
    actor,
    object,
    objectId: objectId !== null && apUrl.safeParse(objectId).success ? objectId : null,
    objectType,
    to,
    cc,
    signature: signature.success
      ? { type: signature.data.type, creator: signature.data.creator, created: signature.data.created, signatureValue: signature.data.signatureValue }
      : null,
    raw: input as Record<string, unknown>,
  });
}
