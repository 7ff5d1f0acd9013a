import { z } from 'zod';
import { OUTBOX_MAX_PAGE_SIZE } from '../../federation/vocab/index.js';
import { validate } from '../middleware.js';

const pageSchema = z.object({ page: z.coerce.number().int().min(1).max(1_000_000).optional() });
const outboxSchema = pageSchema.extend({ size: z.coerce.number().int().min(1).max(OUTBOX_MAX_PAGE_SIZE).optional() });

/** `?page=N` of a collection (absent: the collection's summary). */
export function readPage(query: unknown): { page?: number | undefined } {
  return validate(pageSchema, query, 'query');
}

/** `?page=N&size=M` of an outbox (PeerTube lets outbox readers choose up to 50 items a page). */
export function readOutboxPage(query: unknown): { page?: number | undefined; size?: number | undefined } {
  return validate(outboxSchema, query, 'query');
}
