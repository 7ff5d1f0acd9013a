import { completed, jobFailure, type JobContext, type JobHandler, type JobHandlers, type JobOutcome } from '../../jobs/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { signRequest } from '../signatures/index.js';
import { classifyResponse, classifyTransportFailure, type AttemptResult } from './attempt-result.js';
import { probeHoldMs, resolveDeliveryOptions, type DeliveryOptions } from './delivery-options.js';
import { DELIVERY_JOB, decodeBody, deliveryPayloadSchema, type DeliveryJobKinds, type DeliveryPayload } from './delivery-payload.js';
import type { DeliveryMetrics } from './delivery-metrics.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { createFetchTransport, type DeliveryTransport } from './delivery-transport.js';
import type { HostHealthStore, HostRow } from './host-health-store.js';
import { admitAttempt, hostAfterAttempt, isTripped, type Admission, type PausePolicy } from './host-policy.js';
import { planAfterAttempt, planBeforeAttempt, type DeliveryProgress, type JobStep } from './job-plan.js';
import { createSignerKeys, type SignerKeyStore } from './signer-keys.js';

export interface DeliveryHandlerDeps {
  /** the hosts' health (RemoteServer) */
  hosts: HostHealthStore;
  /** our actors' signing keys */
  signerKeys: SignerKeyStore;
  /** Used to queue the successor of a deferred delivery. */
  queue: DeliveryQueue;
  clock: Clock;
  transport?: DeliveryTransport;
  metrics?: DeliveryMetrics;
  options?: Partial<DeliveryOptions>;
}

/** What a delivery job stores as its result when it completes. */
export type DeliveryJobResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'skipped'; reason: 'host-blocked' }
  | { outcome: 'deferred'; until: string; next: number };

/** A counted failed attempt: the queue retries it after its backoff. Its text is the whole story (no stack). */
class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';

  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

/** The job handlers of outbound delivery, to merge into the instance's queue handlers. */
export function createDeliveryHandlers(deps: DeliveryHandlerDeps): JobHandlers<DeliveryJobKinds> {
  return { [DELIVERY_JOB]: createDeliveryHandler(deps) };
}

/**
 * Sends one activity to one inbox (logging through the job's logger, with `host` and `inbox`). The host's health decides first: a blocked host is skipped, a
 * paused one is not attempted (the delivery moves to a successor job at the end of the pause,
 * without spending an attempt), and of the deliveries waiting for a host judged down only one
 * probes it. The POST is signed at the HTTP level by the payload's actor; the body is sent as
 * stored, byte for byte. 2xx completes; 3xx and 4xx other than 408/429 fail for good; the rest is
 * retried with backoff (Retry-After pausing the host) until the attempts or the max age run out.
 */
export function createDeliveryHandler(deps: DeliveryHandlerDeps): JobHandler<DeliveryPayload> {
  const options = resolveDeliveryOptions(deps.options);
  const { clock, metrics, queue } = deps;
  const transport = deps.transport ?? createFetchTransport();
  const { hosts } = deps;
  const signers = createSignerKeys(deps.signerKeys);
  const policy: PausePolicy = {
    threshold: options.pauseAfterFailures,
    baseMs: options.pauseBaseMs,
    maxMs: options.pauseMaxMs,
    probeHoldMs: probeHoldMs(options),
  };

  async function run(payload: DeliveryPayload, ctx: JobContext): Promise<JobOutcome> {
    const inbox = new URL(payload.inbox);
    const host = inbox.host;
    const log = ctx.logger.child({ component: 'delivery', host, inbox: payload.inbox, activity: payload.activityId, type: payload.activityType });
    const progress: DeliveryProgress = {
      priorAttempts: payload.priorAttempts,
      jobAttempts: ctx.job.attempts,
      // The job's own budget (fixed when it was queued) plus what its predecessors spent.
      maxAttempts: payload.priorAttempts + ctx.job.maxAttempts,
      expiresAt: new Date(Date.parse(payload.queuedAt) + options.maxAgeMs),
    };

    const now = clock.now();
    // An expired delivery gives up before it touches the host (it must not take the probe).
    const expired = planBeforeAttempt({ type: 'open' }, progress, now);
    if (expired) return finish(expired, { payload, ctx, log, probe: false });
    const { value: admission } = await hosts.transition<Admission>(host, now, (state) => {
      const decided = admitAttempt(state, now, policy);
      return { patch: decided.type === 'probe' ? decided.patch : null, value: decided };
    });
    const before = planBeforeAttempt(admission, progress, now);
    if (before) return finish(before, { payload, ctx, log, probe: false });
    const probe = admission.type === 'probe';
    if (probe) log.info('probing a host that looked down');

    const lookup = await signers.load(payload.signerActorId);
    if (!lookup.ok) return finish({ type: 'give-up', reason: `cannot sign: ${lookup.reason.type} (actor ${lookup.reason.actorId})` }, { payload, ctx, log, probe });
    const { signer } = lookup;

    if (ctx.signal.aborted) throw new Error('delivery aborted: the job queue is stopping');
    const body = decodeBody(payload);
    const signed = signRequest({ method: 'POST', url: inbox, body, keyId: signer.keyId, privateKeyPem: signer.privateKey, now: clock.now() });
    const headers: Record<string, string> = {
      'Content-Type': 'application/activity+json',
      Accept: 'application/activity+json, application/ld+json',
      'User-Agent': options.userAgent,
      Date: signed.Date,
      Signature: signed.Signature,
    };
    if (signed.Digest !== undefined) headers.Digest = signed.Digest;

    const started = performance.now();
    const response = await transport.post({ url: payload.inbox, headers, body, timeoutMs: options.requestTimeoutMs, signal: ctx.signal });
    if (!response.ok && response.reason.type === 'aborted') throw new Error('delivery aborted: the job queue is stopping');
    metrics?.requestFinished?.((performance.now() - started) / 1000, response.ok ? response.status : response.reason.type === 'timeout' ? 'timeout' : 'network');
    if (!response.ok && response.reason.type === 'refused') {
      // Says nothing about the host: its health is left as it was (a probe's hold just runs out).
      return finish({ type: 'give-up', reason: `the transport refused the destination: ${response.reason.detail ?? 'no detail'}` }, { payload, ctx, log, probe });
    }

    const doneAt = clock.now();
    const result: AttemptResult = response.ok
      ? classifyResponse(response, doneAt, options.maxRetryAfterMs)
      : classifyTransportFailure({ type: response.reason.type === 'timeout' ? 'timeout' : 'network', detail: response.reason.detail });
    const { value: previous, state } = await hosts.transition<HostRow>(host, doneAt, (current) => ({
      patch: hostAfterAttempt(current, result, { probe }, doneAt, policy),
      value: current,
    }));
    logHostChange(log, previous, state, doneAt);

    const after = planAfterAttempt(result, { probe, hostPausedUntil: state.pausedUntil }, progress, doneAt);
    return finish(after, { payload, ctx, log, probe, result });
  }

  function logHostChange(log: Logger, previous: HostRow, state: HostRow, now: Date): void {
    const wasDown = isTripped(previous, policy);
    const isDown = isTripped(state, policy);
    if (!wasDown && isDown) {
      log.warn({ failures: state.consecutiveFailures, pausedUntil: state.pausedUntil, error: state.lastError }, 'host looks down: deliveries to it are paused');
    } else if (wasDown && isDown && previous.consecutiveFailures !== state.consecutiveFailures) {
      log.info({ failures: state.consecutiveFailures, pausedUntil: state.pausedUntil }, 'host still down: pause extended');
    } else if (wasDown && !isDown) {
      log.info({ lastSuccessBefore: previous.lastSuccessAt, at: now }, 'host is back: deliveries resume');
    }
  }

  async function finish(
    step: JobStep,
    context: { payload: DeliveryPayload; ctx: JobContext; log: Logger; probe: boolean; result?: AttemptResult },
  ): Promise<JobOutcome> {
    const { payload, log, result } = context;
    switch (step.type) {
      case 'skip':
        metrics?.deliverySkipped?.('host-blocked');
        log.info('host blocked: activity not delivered');
        return completed({ outcome: 'skipped', reason: step.reason } satisfies DeliveryJobResult);
      case 'done':
        metrics?.deliveryFinished('delivered');
        log.debug({ status: result?.type === 'delivered' ? result.status : undefined }, 'activity delivered');
        return completed({ outcome: 'delivered', status: result?.type === 'delivered' ? result.status : 0 } satisfies DeliveryJobResult);
      case 'give-up':
        metrics?.deliveryFinished('failed');
        log.warn({ status: result && 'status' in result ? result.status : undefined, reason: step.reason }, 'delivery failed for good');
        return jobFailure(step.reason);
      case 'retry':
        metrics?.deliveryFinished('retried');
        throw new DeliveryAttemptFailed(step.reason);
      case 'defer': {
        const generation = payload.generation + 1;
        const next = await queue.enqueue(
          DELIVERY_JOB,
          { ...payload, generation, priorAttempts: step.priorAttempts },
          {
            runAt: step.until,
            maxAttempts: Math.max(1, payload.priorAttempts + context.ctx.job.maxAttempts - step.priorAttempts),
            // A re-run of this job (its worker died after this enqueue) finds the successor instead of adding one.
            dedupeKey: `${payload.deliveryId}:${generation}`,
          },
        );
        metrics?.deliveryFinished(result ? 'retried' : 'deferred');
        log.debug({ until: step.until, next: next.id, attempted: result !== undefined }, 'host paused: delivery deferred');
        return completed({ outcome: 'deferred', until: step.until.toISOString(), next: next.id } satisfies DeliveryJobResult);
      }
    }
  }

  return {
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    backoff: options.retry,
    parse: (raw) => deliveryPayloadSchema.parse(raw) as DeliveryPayload,
    run,
  };
}
