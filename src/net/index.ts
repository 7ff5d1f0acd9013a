// The one outbound HTTP primitive (DESIGN §1 `net/`): SSRF-safe and pinned. A URL's host is
// resolved once, every address classified, the socket connected only to the vetted addresses,
// every redirect vetted again; time-outs and size caps. The federation fetcher
// (federation/remote/safe-fetcher.ts) and the mirror downloader (redundancy/mirror/http-downloader.ts)
// both open their requests through createPinnedRequester.
export { createPinnedRequester, type PinnedRequester, type PinnedRequesterOptions, type PinnedRequest, type PinnedHop, type Opened } from './pinned-request.js';
export type { PinnedResponse } from './lean-http.js';
export { readDecodedBody, flattenHeaders, type ReadBodyResult } from './read-body.js';
export { aborted, describeError, type FetchFailure, type FetchFailureType, type AbortedFailure, type NetFailure } from './net-failure.js';
export { classifyAddress, type AddressVerdict, type SpecialUseRange } from './address-classifier.js';
export { parseIpAddress, parseIpv4, parseIpv6, formatIpv4, type IpAddress } from './ip-address.js';
export { parseRemoteUrl, type ParseRemoteUrlResult, type RemoteHost } from './remote-url.js';
export { resolveDestination, type DestinationPolicy, type DestinationResult } from './destination.js';
export { systemLookup, type LookupAddresses, type ResolvedAddress } from './dns-lookup.js';
export { pinnedLookup } from './pinned-lookup.js';
export { pinKey } from './pinned-agent.js';
export { poolKeyOf, parseResponseHead } from './lean-http.js';
export { fetchByteRange, type RangeFetch, type RangeResult } from './fetch-range.js';
