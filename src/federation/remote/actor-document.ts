import { z } from 'zod';

// A deliberately small parse of the actor documents a key resolution needs. The full vocabulary
// parsers live in ../vocab/; this file is the one place to swap for them.

/** A public key as an actor publishes it. */
export interface PublishedKey {
  readonly id: string;
  readonly owner: string;
  readonly publicKeyPem: string;
}

/** What we keep of a remote actor document. */
export interface FetchedActor {
  /** the actor's `id` */
  readonly url: string;
  readonly type: string;
  readonly preferredUsername: string;
  readonly name: string | null;
  readonly summary: string | null;
  readonly inboxUrl: string;
  readonly sharedInboxUrl: string | null;
  readonly outboxUrl: string | null;
  readonly followersUrl: string | null;
  readonly followingUrl: string | null;
  readonly publicKeys: readonly PublishedKey[];
  /** the actor's avatar (largest `icon`), when the parser reads it: undefined leaves a stored one as it is */
  readonly avatar?: { readonly url: string; readonly width: number | null } | null;
}

export type ParseActorResult = { readonly ok: true; readonly actor: FetchedActor } | { readonly ok: false; readonly message: string };

/** The port the key resolver parses actors through. */
export type ParseActor = (json: unknown) => ParseActorResult;

const ACTOR_TYPES = ['Person', 'Group', 'Application', 'Service', 'Organization'] as const;

const httpUrl = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const { protocol } = new URL(text);
      return protocol === 'https:' || protocol === 'http:';
    } catch {
      return false;
    }
  }, 'not an http(s) URL');

const publicKeySchema = z.object({
  id: httpUrl,
  owner: httpUrl,
  publicKeyPem: z.string().min(1).max(16_384),
});

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? null);
const optionalUrl = httpUrl.nullish().transform((v) => v ?? null);

const actorSchema = z.object({
  id: httpUrl,
  type: z.enum(ACTOR_TYPES),
  preferredUsername: z.string().min(1).max(255),
  name: optionalText(1024),
  summary: optionalText(65_536),
  inbox: httpUrl,
  outbox: optionalUrl,
  followers: optionalUrl,
  following: optionalUrl,
  endpoints: z.object({ sharedInbox: optionalUrl }).partial().nullish(),
  publicKey: z.union([publicKeySchema, z.array(publicKeySchema).max(16)]).optional(),
});

const keyDocumentSchema = publicKeySchema.extend({
  type: z.enum(['Key', 'CryptographicKey']).optional(),
});

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid document' : `${issue.path.join('.') || 'document'}: ${issue.message}`;
}

/** The actor fields the key resolver and the actor store need, from an actor document. */
export const parseActorDocument: ParseActor = (json) => {
  const parsed = actorSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const a = parsed.data;
  const keys = a.publicKey === undefined ? [] : Array.isArray(a.publicKey) ? a.publicKey : [a.publicKey];
  return {
    ok: true,
    actor: {
      url: a.id,
      type: a.type,
      preferredUsername: a.preferredUsername,
      name: a.name,
      summary: a.summary,
      inboxUrl: a.inbox,
      sharedInboxUrl: a.endpoints?.sharedInbox ?? null,
      outboxUrl: a.outbox,
      followersUrl: a.followers,
      followingUrl: a.following,
      publicKeys: keys,
    },
  };
};

/** A keyId that dereferences to a key on its own (`{ id, owner, publicKeyPem }`, GoToSocial style). */
export function parseKeyDocument(json: unknown): { ok: true; key: PublishedKey } | { ok: false; message: string } {
  const parsed = keyDocumentSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  return { ok: true, key: { id: parsed.data.id, owner: parsed.data.owner, publicKeyPem: parsed.data.publicKeyPem } };
}
