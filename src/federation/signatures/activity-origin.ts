/** What the caller learnt from the activity's JSON-LD signature, if it carried one. */
export type LdSignatureOutcome =
  | { readonly ok: true; /** owner of the key named in `signature.creator` */ readonly owner: string }
  | { readonly ok: false; readonly reason: { readonly type: string } };

export type ActivityOriginFailure =
  | { readonly type: 'activity-malformed'; readonly detail: string }
  | {
      readonly type: 'actor-not-signer';
      readonly actor: string;
      readonly signer: string;
      /** absent: no LD signature; invalid: it did not verify; other-signer: valid, but not by the actor */
      readonly ldSignature: 'absent' | 'invalid' | 'other-signer';
    }
  | { readonly type: 'id-origin-mismatch'; readonly id: string; readonly actor: string }
  | { readonly type: 'object-origin-mismatch'; readonly objectId: string; readonly actor: string };

export type ActivityOriginResult =
  | { readonly ok: true; readonly actor: string; /** true when the activity was accepted on its LD signature */ readonly forwarded: boolean }
  | { readonly ok: false; readonly reason: ActivityOriginFailure };

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inbound checks 4 and 5 (pure): the signer is the actor, and the activity's id, its actor and an
 * embedded object's id share one host. A signer other than the actor is accepted only when the
 * activity carries a valid JSON-LD signature by the actor (the forwarded case). A refusal with
 * `actor-not-signer` or `object-origin-mismatch` may be recovered by re-fetching the activity or
 * the object from its origin; that is the caller's choice.
 *
 * Note: an `Accept`/`Reject` that embeds our own `Follow` names an object on *our* host; it gets
 * `object-origin-mismatch` like any other foreign embedded object, and the handler looks it up locally.
 */
export function checkActivityOrigin(input: {
  readonly activity: unknown;
  /** `owner` of the key that signed the HTTP request. */
  readonly signerOwner: string;
  readonly ldSignatureResult?: LdSignatureOutcome | undefined;
}): ActivityOriginResult {
  const { activity, signerOwner, ldSignatureResult } = input;
  if (typeof activity !== 'object' || activity === null || Array.isArray(activity)) {
    return { ok: false, reason: { type: 'activity-malformed', detail: 'the activity is not an object' } };
  }
  const record = activity as Record<string, unknown>;
  const actor = idOf(record.actor);
  if (actor === undefined) return { ok: false, reason: { type: 'activity-malformed', detail: 'no actor' } };
  const actorHost = hostOf(actor);
  if (actorHost === undefined) return { ok: false, reason: { type: 'activity-malformed', detail: 'the actor is not an http(s) URL' } };

  let forwarded = false;
  if (actor !== signerOwner) {
    if (ldSignatureResult === undefined || !ldSignatureResult.ok || ldSignatureResult.owner !== actor) {
      const ldSignature = ldSignatureResult === undefined ? 'absent' : ldSignatureResult.ok ? 'other-signer' : 'invalid';
      return { ok: false, reason: { type: 'actor-not-signer', actor, signer: signerOwner, ldSignature } };
    }
    forwarded = true;
  }

  if (record.id !== undefined) {
    if (typeof record.id !== 'string') return { ok: false, reason: { type: 'activity-malformed', detail: 'id is not a string' } };
    if (hostOf(record.id) !== actorHost) return { ok: false, reason: { type: 'id-origin-mismatch', id: record.id, actor } };
  }

  const object = record.object;
  const embedded = Array.isArray(object) ? object : [object];
  for (const item of embedded) {
    if (typeof item !== 'object' || item === null) continue;
    const objectId = idOf(item);
    if (objectId === undefined) continue;
    if (hostOf(objectId) !== actorHost) return { ok: false, reason: { type: 'object-origin-mismatch', objectId, actor } };
  }

  return { ok: true, actor, forwarded };
}
