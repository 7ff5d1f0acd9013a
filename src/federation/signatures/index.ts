// Public API of the signature layer: HTTP signatures (draft-cavage), Digest, JSON-LD signatures
// (RsaSignature2017) and the signer/origin rules. Pure functions over plain data; the only port is
// `FetchPublicKey`.
export { generateActorKeyPair, type ActorKeyPair } from '../../accounts/index.js';
export { computeDigest, checkDigest, type RequestBody, type DigestCheckResult, type DigestFailure } from './digest.js';
export { formatHttpDate, parseHttpDate } from './http-date.js';
export { getHeader, type HeaderMap } from './request-headers.js';
export {
  parseSignatureHeader,
  formatSignatureHeader,
  type SignatureParams,
  type ParseSignatureResult,
  type MalformedSignature,
} from './signature-header.js';
export { buildSigningString, type SigningStringInput, type SigningStringResult } from './signing-string.js';
export { HTTP_SIGNATURE_ALGORITHMS, type HttpSignatureAlgorithm } from './signature-algorithm.js';
export { signRequest, type SignRequestInput, type SignedRequestHeaders } from './sign-request.js';
export {
  verifyRequestSignature,
  type VerifyRequestSignatureInput,
  type VerifyRequestResult,
  type RequestSignatureFailure,
  type SignedHeaderRequirement,
  type IncomingRequestDescription,
  type FetchPublicKey,
  type FetchPublicKeyResult,
  type PublicKeyRecord,
} from './verify-request.js';
export {
  checkActivityOrigin,
  type ActivityOriginResult,
  type ActivityOriginFailure,
  type LdSignatureOutcome,
} from './activity-origin.js';
export {
  signJsonLd,
  verifyJsonLd,
  readLdSignature,
  type RsaSignature2017,
  type LdSignatureFailure,
  type VerifyJsonLdResult,
  type ReadLdSignatureResult,
} from './ld-signature.js';
export {
  canonicalizeJsonLd,
  type CanonicalForm,
  type CanonicalizeResult,
  type CanonicalizationFailure,
  type SmugglingKeyword,
} from './ld-canonical-form.js';
export { createOfflineDocumentLoader, ContextNotBundledError } from './offline-document-loader.js';
