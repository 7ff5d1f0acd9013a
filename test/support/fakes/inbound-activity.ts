import type { InboundActivity } from '../../../src/federation/inbox/process-activity.js';
import { parseActivity, type ActivityType } from '../../../src/federation/vocab/index.js';

/**
 * An inbound activity as the inbox dispatcher hands it to a handler, from a test's fields: `parsed`
 * is the vocabulary parser's reading of `body` (or an empty reading when the test sends a body the
 * parser refuses, to check what the handler itself does with it).
 */
export function inboundActivity(fields: { id: string; type: string; actor: string; signer: string; body: Record<string, unknown>; inboxActivityId?: number }): InboundActivity {
  const parsed = parseActivity(fields.body);
  return {
    ...fields,
    type: fields.type as ActivityType,
    parsed: parsed.ok
      ? parsed.value
      : { id: fields.id, type: fields.type, actor: fields.actor, object: {}, objectId: null, objectType: null, to: [], cc: [], signature: null, raw: fields.body },
  };
}
