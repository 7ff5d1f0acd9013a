import { Counter, type Registry } from 'prom-client';

/** Activity types counted under their own label; anything else is "other" (bounded). */
export const INBOX_ACTIVITY_TYPES = [
  'Create',
  'Update',
  'Delete',
  'Follow',
  'Accept',
  'Reject',
  'Announce',
  'Undo',
  'Like',
  'Dislike',
  'View',
  'Flag',
  'other',
] as const;

/** What became of an inbound activity. */
export const INBOX_OUTCOMES = ['processed', 'failed', 'skipped', 'duplicate', 'refused'] as const;
export type InboxOutcome = (typeof INBOX_OUTCOMES)[number];

/** What became of one outbound delivery attempt. */
export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'gave-up', 'skipped', 'deferred'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Why an inbound signature was refused (federation/signatures' reason types), else "other". */
export const SIGNATURE_REFUSAL_REASONS = [
  'missing-signature',
  'malformed-signature',
  'unsupported-algorithm',
  'missing-signed-header',
  'host-mismatch',
  'date-out-of-window',
  'digest-missing',
  'digest-mismatch',
  'key-unavailable',
  'bad-signature',
  'other',
] as const;

/**
 * Federation figures: inbound activities, outbound deliveries and refused signatures. Defined
 * here and exported at zero from the start; federation code calls the recorders, which keep every
 * label inside its fixed set.
 */
export function defineFederationMetrics(registry: Registry) {
  const activities = new Counter({
    name: 'mirrortube_inbox_activities_total',
    help: 'Inbound ActivityPub activities, by type and outcome (processed, failed, skipped, duplicate, refused)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'mirrortube_deliveries_total',
    help: 'Outbound ActivityPub delivery attempts, by outcome (delivered, failed, gave-up, skipped, deferred)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'mirrortube_signature_refusals_total',
    help: 'Inbound requests refused for their HTTP signature, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });

  for (const type of INBOX_ACTIVITY_TYPES) for (const outcome of INBOX_OUTCOMES) activities.inc({ type, outcome }, 0);
  for (const outcome of DELIVERY_OUTCOMES) deliveries.inc({ outcome }, 0);
  for (const reason of SIGNATURE_REFUSAL_REASONS) refusals.inc({ reason }, 0);

  const oneOf = (list: readonly string[], value: string) => (list.includes(value) ? value : 'other');

  return {
    inboxActivity(type: string, outcome: InboxOutcome): void {
      activities.inc({ type: oneOf(INBOX_ACTIVITY_TYPES, type), outcome });
    },
    delivery(outcome: DeliveryOutcome): void {
      deliveries.inc({ outcome });
    },
    signatureRefused(reason: string): void {
      refusals.inc({ reason: oneOf(SIGNATURE_REFUSAL_REASONS, reason) });
    },
  };
}

export type FederationMetrics = ReturnType<typeof defineFederationMetrics>;
