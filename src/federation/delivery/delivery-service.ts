import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Tx } from '../../lib/tx.js';
import { signJsonLd } from '../signatures/index.js';
import { resolveDeliveryOptions, type DeliveryOptions } from './delivery-options.js';
import { DELIVERY_JOB, encodeBody, type DeliveryPayload } from './delivery-payload.js';
import type { DeliveryMetrics } from './delivery-metrics.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { describeHost, type HostHealth } from './host-health.js';
import type { HostHealthStore } from './host-health-store.js';
import { hostsOf, planInboxes, type InboxSkipReason } from './inbox-targets.js';
import { createSignerKeys, type SignerKeyStore } from './signer-keys.js';

export interface DeliveryServiceDeps {
  /** the hosts' health (RemoteServer) */
  hosts: HostHealthStore;
  /** our actors' signing keys */
  signerKeys: SignerKeyStore;
  queue: DeliveryQueue;
  clock: Clock;
  logger: Logger;
  metrics?: DeliveryMetrics;
  options?: Partial<DeliveryOptions>;
  /** Our own host[:port] (`urls.host`): inboxes on it are never queued. */
  localHost?: string;
  /** Ids of deliveries (random UUIDs by default). */
  newDeliveryId?: () => string;
}

export interface DeliveryTarget {
  /** The local actor that signs the requests (and, for `deliver`, the LD signature). */
  signerActorId: number;
  /** Inbox URLs; see `inboxesOf` to pick shared inboxes of actors. Duplicates are sent once. */
  inboxes: readonly string[];
}

export interface DeliverReport {
  /** Ids of the jobs written, one per inbox. */
  jobIds: number[];
  skipped: Array<{ inbox: string; reason: InboxSkipReason }>;
}

export interface DeliveryService {
  /**
   * Queues one delivery job per inbox for an activity of ours. The activity is LD-signed here
   * (RsaSignature2017 by the signer, replacing any `signature` it carries; `ldSign: false` sends it
   * as given) and serialised once: every inbox gets the same bytes, so it can be forwarded.
   * With `tx` the jobs commit with the caller's change; call {@link DeliveryService.wake} after
   * the commit (or they start on the queue's next poll).
   */
  deliver(activity: Readonly<Record<string, unknown>>, target: DeliveryTarget & { ldSign?: boolean }, tx?: Tx): Promise<DeliverReport>;
  /**
   * Queues an inbound activity for re-sending byte for byte (its LD signature still verifies),
   * signed at the HTTP level by our actor: PeerTube forwards activities about its videos this way.
   */
  forwardActivity(rawBody: Buffer | string, target: DeliveryTarget, tx?: Tx): Promise<DeliverReport>;
  /** Every host delivery knows (or only those not healthy), for metrics and the admin. */
  hostHealth(options?: { unhealthyOnly?: boolean }): Promise<HostHealth[]>;
  /** Lifts a host's pause and clears its failures ("retry now"); false when the host is unknown. Waiting deliveries keep their schedule. */
  resetHost(host: string): Promise<boolean>;
  /** Starts queued deliveries now (after committing a transaction given to deliver/forwardActivity). */
  wake(): void;
}

/** Outbound ActivityPub: turns "send this to these inboxes" into durable delivery jobs. */
export function createDeliveryService(deps: DeliveryServiceDeps): DeliveryService {
  const options = resolveDeliveryOptions(deps.options);
  const { hosts, queue, clock, metrics } = deps;
  const logger = deps.logger.child({ component: 'delivery' });
  const signers = createSignerKeys(deps.signerKeys);
  const newDeliveryId = deps.newDeliveryId ?? randomUUID;

  /** `body` is only produced (LD-signed) when some inbox is left to deliver to. */
  async function enqueueAll(
    body: () => Promise<Buffer> | Buffer,
    meta: { activityId: string | undefined; activityType: string | undefined; forwarded: boolean },
    target: DeliveryTarget,
    tx: Tx | undefined,
  ): Promise<DeliverReport> {
    const blockedHosts = await hosts.blockedAmong(hostsOf(target.inboxes), tx);
    const plan = planInboxes(target.inboxes, { localHost: deps.localHost, blockedHosts });
    for (const { reason } of plan.skipped) if (reason !== 'duplicate') metrics?.deliverySkipped?.(reason);
    const report: DeliverReport = { jobIds: [], skipped: [...plan.skipped] };
    if (plan.targets.length === 0) return report;

    const encoded = encodeBody(await body());
    const queuedAt = clock.now().toISOString();
    for (const { inbox } of plan.targets) {
      const payload: DeliveryPayload = {
        deliveryId: newDeliveryId(),
        generation: 0,
        inbox,
        signerActorId: target.signerActorId,
        ...encoded,
        ...(meta.activityId === undefined ? {} : { activityId: meta.activityId }),
        ...(meta.activityType === undefined ? {} : { activityType: meta.activityType }),
        forwarded: meta.forwarded,
        queuedAt,
        priorAttempts: 0,
      };
      const { id } = await queue.enqueue(DELIVERY_JOB, payload, { maxAttempts: options.maxAttempts }, tx);
      report.jobIds.push(id);
    }
    metrics?.deliveriesQueued?.(report.jobIds.length);
    logger.debug(
      { activity: meta.activityId, type: meta.activityType, forwarded: meta.forwarded, queued: report.jobIds.length, skipped: report.skipped.length },
      'activity queued for delivery',
    );
    return report;
  }

  return {
    async deliver(activity, target, tx) {
      const meta = { activityId: stringField(activity, 'id'), activityType: stringField(activity, 'type'), forwarded: false };
      return enqueueAll(async () => {
        if (target.ldSign === false) return Buffer.from(JSON.stringify(activity), 'utf8');
        const lookup = await signers.load(target.signerActorId, tx);
        if (!lookup.ok) throw new TypeError(`delivery: cannot sign with actor ${target.signerActorId}: ${lookup.reason.type}`);
        const signed = await signJsonLd(activity, { creator: lookup.signer.actorUrl, privateKeyPem: lookup.signer.privateKey, now: clock.now() });
        return Buffer.from(JSON.stringify(signed), 'utf8');
      }, meta, target, tx);
    },

    async forwardActivity(rawBody, target, tx) {
      const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const meta = { activityId: stringField(parsed, 'id'), activityType: stringField(parsed, 'type'), forwarded: true };
      return enqueueAll(() => body, meta, target, tx);
    },

    async hostHealth(healthOptions) {
      const now = clock.now();
      const rows = await hosts.list({ unhealthyOnly: healthOptions?.unhealthyOnly === true });
      const described = rows.map((row) => describeHost(row, now, options.pauseAfterFailures));
      return healthOptions?.unhealthyOnly === true ? described.filter((h) => h.state !== 'healthy') : described;
    },

    resetHost(host) {
      return hosts.reset(host.toLowerCase(), clock.now());
    },

    wake() {
      queue.wake(DELIVERY_JOB);
    },
  };
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[field];
  return typeof v === 'string' ? v.slice(0, 2000) : undefined;
}
