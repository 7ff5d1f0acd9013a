export { createMetrics } from './registry.js';
export type { Metrics } from './registry.js';
export {
  seedingRatio,
  summarizeAll,
  summarizeByHost,
  summarizeByHostAndKind,
  summarizeByVideo,
  TRANSFER_DIRECTIONS,
  TRANSFER_KINDS,
  TRANSFER_PROTOCOLS,
} from './ratio.js';
export type {
  TransferDirection,
  TransferKind,
  TransferProtocol,
  TransferRow,
  TransferSummary,
  VideoTransferSummary,
  HostTransferSummary,
  HostKindTransferSummary,
} from './ratio.js';
export { servedVideoOf, isVideoUuid } from './served-path.js';
export type { ServedVideo, VideoMount } from './served-path.js';
export { createHostLabels, OTHER_HOST_LABEL } from './host-labels.js';
export { parsePlaybackReport, playbackReportSchema, PLAYER_MODES, resolutionLabel } from './playback-report.js';
export type { PlaybackReport, PlaybackReportRefusal, PlayerMode } from './playback-report.js';
export { createMetricsEndpoint, bearerMatches } from './metrics-endpoint.js';
export type { MetricsEndpoint, MetricsEndpointOptions, ScrapeAnswer } from './metrics-endpoint.js';
export { createMetricsServer } from './metrics-server.js';
export type { MetricsServer } from './metrics-server.js';
export { REDUNDANCY_STRATEGIES, REDUNDANCY_COPY_STATES, REDUNDANCY_FAILURE_STAGES } from './redundancy-metrics.js';
export type { RedundancyMetrics, RedundancyStrategy, RedundancyCopyState, RedundancyFailureStage } from './redundancy-metrics.js';
export { INBOX_ACTIVITY_TYPES, INBOX_OUTCOMES, DELIVERY_OUTCOMES, SIGNATURE_REFUSAL_REASONS } from './federation-metrics.js';
export type { FederationMetrics, InboxOutcome, DeliveryOutcome } from './federation-metrics.js';
export type { TransferMetrics, HostRatio } from './transfer-metrics.js';
export type { P2pMetrics, TrackerFigures, SeederFigures } from './p2p-metrics.js';
export type { PlaybackMetrics } from './playback-metrics.js';
export { defineStorageMetrics } from './storage-metrics.js';
export { defineLiveMetrics } from './live-metrics.js';
export { defineLiveRelayMetrics, type LiveRelayMetrics } from './live-relay-metrics.js';
export { defineLiveAudienceMetrics, type LiveAudienceSources } from './live-audience-metrics.js';
export type { LiveMetrics, LiveMetricSources } from './live-metrics.js';
