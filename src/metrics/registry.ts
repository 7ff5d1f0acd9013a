import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobMetrics } from '../jobs/index.js';

/**
 * Every metric of one instance, on its own registry (no global default registry: several
 * instances can run in one process). Names follow Prometheus conventions: base units, `_total`
 * only on counters, bounded labels (never a video, user or URL).
 */
export function createMetrics(options: { version: string }) {
  const registry = new Registry();
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

  const jobs: JobMetrics = {
    jobFinished(kind, outcome, seconds) {
      jobAttempts.inc({ kind, outcome });
      jobDuration.observe({ kind }, seconds);
    },
    queueDepth(kind, counts) {
      for (const [state, n] of Object.entries(counts)) jobQueueDepth.set({ kind, state }, n);
    },
  };

  return { registry, httpDuration, transcodeDuration, uploads, jobs };
}

export type Metrics = ReturnType<typeof createMetrics>;
