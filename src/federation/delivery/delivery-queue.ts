import type { EnqueueOptions, EnqueueResult } from '../../jobs/index.js';
import type { Tx } from '../../lib/tx.js';
import type { DELIVERY_JOB, DeliveryPayload } from './delivery-payload.js';

/**
 * What delivery needs from the job queue: the instance's `JobQueue` fits (wrap it in a closure
 * when the queue is built after the handlers).
 */
export interface DeliveryQueue {
  enqueue(kind: typeof DELIVERY_JOB, payload: DeliveryPayload, options?: EnqueueOptions, tx?: Tx): Promise<EnqueueResult>;
  wake(kind?: typeof DELIVERY_JOB): void;
}
