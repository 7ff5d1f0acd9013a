import { z } from 'zod';
import { describeRefusal, parseActor } from '../vocab/index.js';

// The actor documents a key resolution and the actor store need, read by the vocabulary's actor
// parser (../vocab/parse-actor.ts: PeerTube's rules), and the key documents some servers publish.

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

const keyDocumentSchema = publicKeySchema.extend({
  type: z.enum(['Key', 'CryptographicKey']).optional(),
});

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid document' : `${issue.path.join('.') || 'document'}: ${issue.message}`;
}

/** The actor fields the key resolver and the actor store need, from an actor document (the vocabulary's parser). */
export const parseActorDocument: ParseActor = (json) => {
  const r = parseActor(json);
  if (!r.ok) return { ok: false, message: describeRefusal(r.reason) };
  const a = r.value;
  return {
    ok: true,
    actor: {
      url: a.id,
      type: a.type,
      preferredUsername: a.preferredUsername,
      name: a.name,
      summary: a.summary,
      inboxUrl: a.inbox,
      sharedInboxUrl: a.sharedInbox,
      outboxUrl: a.outbox,
      followersUrl: a.followers,
      followingUrl: a.following,
      publicKeys: [a.publicKey],
      avatar: a.avatar,
    },
  };
};

/** A keyId that dereferences to a key on its own (`{ id, owner, publicKeyPem }`, GoToSocial style). */
export function parseKeyDocument(json: unknown): { ok: true; key: PublishedKey } | { ok: false; message: string } {
  const parsed = keyDocumentSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  return { ok: true, key: { id: parsed.data.id, owner: parsed.data.owner, publicKeyPem: parsed.data.publicKeyPem } };
}
