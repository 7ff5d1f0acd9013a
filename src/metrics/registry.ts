import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobMetrics } from '../jobs/index.js';
import { defineFederationMetrics } from './federation-metrics.js';
import { createMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';
import { defineP2pMetrics } from './p2p-metrics.js';
import { definePlaybackMetrics } from './playback-metrics.js';
import { defineRedundancyMetrics } from './redundancy-metrics.js';
import { defineTransferMetrics } from './transfer-metrics.js';

/**
 * Every metric of one instance, on its own registry (no global default registry: several
 * instances can run in one process). Names follow Prometheus conventions: base units, `_total`
 * only on counters, bounded labels (never a video, user or URL).
 */
export function createMetrics(options: { version: string; endpoint?: MetricsEndpointOptions; node?: string }) {
  const registry = new Registry();
  // several nodes on one database: every series carries the node's name (node.name)
  if (options.node) registry.setDefaultLabels({ node: options.node });
  collectDefaultMetrics({ register: registry });

  const buildInfo = new Gauge({ name: 'mirrortube_build_info', help: 'Build information (always 1)', labelNames: ['version'], registers: [registry] });
  buildInfo.set({ version: options.version }, 1);

  const httpDuration = new Histogram({
    name: 'mirrortube_http_request_duration_seconds',
    help: 'HTTP request durations by route group, method and status class',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const httpResponses = new Counter({
    name: 'mirrortube_http_responses_total',
    help: 'HTTP answers by status class (1xx … 5xx)',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const status of ['1xx', '2xx', '3xx', '4xx', '5xx']) httpResponses.inc({ status }, 0);

  const jobAttempts = new Counter({
    name: 'mirrortube_job_attempts_total',
    help: 'Job attempts by kind and outcome (completed, failed, retried)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'mirrortube_job_duration_seconds',
    help: 'Duration of job attempts by kind',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const jobQueueDepth = new Gauge({
    name: 'mirrortube_jobs',
    help: 'Jobs by kind and PeerTube state (waiting, delayed, active, completed, failed, paused)',
    labelNames: ['kind', 'state'],
    registers: [registry],
  });

  const transcodeDuration = new Histogram({
    name: 'mirrortube_transcode_duration_seconds',
    help: 'Wall time of transcoding a video, by output type (hls, web-video)',
    labelNames: ['type'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'mirrortube_uploads_total',
    help: 'Video uploads by protocol (multipart, resumable) and outcome (accepted, refused)',
    labelNames: ['protocol', 'outcome'],
    registers: [registry],
  });

  // Every outcome of a kind is exported (at 0) from the kind's first sighting, so rates and
  // alerts on failed attempts have a series before the first failure.
  const knownKinds = new Set<string>();
  const initKind = (kind: string) => {
    if (knownKinds.has(kind)) return;
    knownKinds.add(kind);
    for (const outcome of ['completed', 'failed', 'retried'] as const) jobAttempts.inc({ kind, outcome }, 0);
  };
  const jobs: JobMetrics = {
    jobFinished(kind, outcome, seconds) {
      initKind(kind);
      jobAttempts.inc({ kind, outcome });
      jobDuration.observe({ kind }, seconds);
    },
    queueDepth(kind, counts) {
      initKind(kind);
      for (const [state, n] of Object.entries(counts)) jobQueueDepth.set({ kind, state }, n);
    },
  };

  return {
    registry,
    httpDuration,
    httpResponses,
    transcodeDuration,
    uploads,
    jobs,
    transfers: defineTransferMetrics(registry),
    p2p: defineP2pMetrics(registry),
    playback: definePlaybackMetrics(registry),
    redundancy: defineRedundancyMetrics(registry),
    federation: defineFederationMetrics(registry),
    /** `/metrics` (main listener or `metrics.listen`), with the optional bearer token */
    endpoint: createMetricsEndpoint(registry, options.endpoint ?? { enabled: true, bearerToken: null }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
