// Durable outbound ActivityPub delivery: one job per (activity, inbox), HTTP-signed POSTs, retries
// with backoff, and per-host health (failing hosts are paused, then probed) kept in RemoteServer.
export { createDeliveryService } from './delivery-service.js';
export type { DeliveryService, DeliveryServiceDeps, DeliveryTarget, DeliverReport } from './delivery-service.js';
export { createDeliveryHandlers, createDeliveryHandler } from './delivery-handler.js';
export type { DeliveryHandlerDeps, DeliveryJobResult } from './delivery-handler.js';
export { DELIVERY_JOB } from './delivery-payload.js';
export type { DeliveryJobKinds, DeliveryPayload } from './delivery-payload.js';
export type { DeliveryQueue } from './delivery-queue.js';
export { createHostHealthStore } from './host-health-store.js';
export type { HostHealthStore } from './host-health-store.js';
export { createPrismaSignerKeyStore } from './signer-key-store.js';
export type { SignerKeyStore } from './signer-keys.js';
export { DEFAULT_DELIVERY_OPTIONS, resolveDeliveryOptions } from './delivery-options.js';
export type { DeliveryOptions } from './delivery-options.js';
export type { DeliveryMetrics, DeliveryOutcome, DeliverySkipReason } from './delivery-metrics.js';
export { createFetchTransport } from './delivery-transport.js';
export { createSafeFetcherTransport } from './safe-fetcher-transport.js';
export type { PostingFetcher } from './safe-fetcher-transport.js';
export type { DeliveryTransport, DeliveryRequest, DeliveryResponse, DeliveryTransportFailure } from './delivery-transport.js';
export { inboxesOf, planInboxes, hostOfInbox } from './inbox-targets.js';
export type { InboxOwner, InboxPlan, InboxTarget, InboxSkipReason } from './inbox-targets.js';
export { describeHost } from './host-health.js';
export type { HostHealth, HostHealthState } from './host-health.js';
// Pure decisions, exported for tests and for anyone who wants to explain a delivery's fate.
export { classifyResponse, classifyTransportFailure } from './attempt-result.js';
export type { AttemptResult } from './attempt-result.js';
export { parseRetryAfter } from './retry-after.js';
export { pauseDurationMs, admitAttempt, hostAfterAttempt, isTripped } from './host-policy.js';
export type { HostState, HostPatch, PausePolicy, Admission } from './host-policy.js';
export { planBeforeAttempt, planAfterAttempt } from './job-plan.js';
export type { DeliveryProgress, JobStep } from './job-plan.js';
