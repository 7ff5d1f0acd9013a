import { z } from 'zod';
import { MAX_DB_ID } from '../../lib/db-id.js';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES, VIDEO_PRIVACIES } from '../constants.js';

/** Booleans as multipart and JSON send them: true/false, "true"/"false", "1"/"0". */
const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');
const intish = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
/** A row id as multipart and JSON send it, within PostgreSQL's integer range (a larger one names no row and cannot be queried). */
export const rowId = intish.pipe(z.number().int().positive().max(MAX_DB_ID));

const tags = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().min(2).max(30)).max(5));

/** Video attributes PeerTube accepts on upload and update (shared by both upload protocols). */
export const videoAttributesSchema = z.object({
  name: z.string().trim().min(3).max(120),
  privacy: intish.refine((p) => p in VIDEO_PRIVACIES && p !== 5, 'unknown privacy').optional(),
  description: z.string().max(10_000).nullable().optional(),
  support: z.string().max(1000).nullable().optional(),
  category: intish.refine((c) => c in VIDEO_CATEGORIES, 'unknown category').nullable().optional(),
  licence: intish.refine((l) => l in VIDEO_LICENCES, 'unknown licence').nullable().optional(),
  language: z.string().refine((l) => l in VIDEO_LANGUAGES, 'unknown language').nullable().optional(),
  nsfw: boolish.optional(),
  waitTranscoding: boolish.optional(),
  commentsEnabled: boolish.optional(),
  commentsPolicy: intish.optional(),
  downloadEnabled: boolish.optional(),
  tags: tags.optional(),
  originallyPublishedAt: z.string().datetime({ offset: true }).nullable().optional(),
});

export const uploadMetadataSchema = videoAttributesSchema.extend({ channelId: rowId });
export type UploadMetadata = z.output<typeof uploadMetadataSchema>;

export const videoUpdateSchema = videoAttributesSchema.partial().extend({ channelId: rowId.optional() });
export type VideoUpdate = z.output<typeof videoUpdateSchema>;

/** Multipart field names like "tags[]" or "tags[0]" collapse to "tags" (repeated values become a list). */
export function collectFormFields(pairs: [string, string][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of pairs) {
    const isList = /\[\d*\]$/.test(rawName);
    const name = rawName.replace(/\[\d*\]$/, '');
    const current = out[name];
    if (isList || current !== undefined) {
      out[name] = current === undefined ? [value] : Array.isArray(current) ? [...current, value] : [current, value];
    } else {
      out[name] = value;
    }
  }
  return out;
}
