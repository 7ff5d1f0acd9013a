import { z } from 'zod';
import { fail, ok, type Result } from '../../lib/result.js';
import { addressList, apUrl, isoDate, nonNegativeInt } from './ap-schemas.js';
import { refusalFromZod, type VocabRefusal } from './refusal.js';

/** A CacheFile a mirror announces: its copy of a video's HLS playlist, or of one web video file. */
export type RemoteCacheFile = {
  /** the CacheFile's id (on the mirror) */
  id: string;
  /** the video it copies (its object id) */
  videoUrl: string;
  /** null: kept until undone */
  expires: string | null;
  to: string[];
  cc: string[];
  /** ours: a relay of a running live (`isLiveRelay: true`); absent otherwise */
  liveRelay?: true;
} & (
  | { kind: 'hls'; baseUrl: string }
  | { kind: 'web-video'; fileUrl: string; mediaType: string; height: number; size: number | null; fps: number | null }
);

const cacheFileSchema = z.looseObject({
  id: apUrl,
  object: apUrl,
  expires: isoDate.nullish(),
  url: z.looseObject({ type: z.literal('Link'), mediaType: z.string().max(100), href: apUrl }),
  to: addressList,
  cc: addressList,
});

const webVideoLinkSchema = z.looseObject({ height: nonNegativeInt, size: nonNegativeInt.optional(), fps: z.number().int().min(-1).optional() });

/** Reads a CacheFile object (the object of a Create/Update, or of the Create an Undo undoes). */
export function parseCacheFile(input: unknown): Result<RemoteCacheFile, VocabRefusal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail({ type: 'not-an-object' });
  const type = (input as { type?: unknown }).type;
  if (type !== 'CacheFile') return fail({ type: 'wrong-type', expected: ['CacheFile'], received: typeof type === 'string' ? type.slice(0, 100) : null });
  const parsed = cacheFileSchema.safeParse(input);
  if (!parsed.success) return fail(refusalFromZod(parsed.error, input));
  const c = parsed.data;
  const common = { id: c.id, videoUrl: c.object, expires: c.expires ?? null, to: c.to, cc: c.cc, ...((c as Record<string, unknown>).isLiveRelay === true ? { liveRelay: true as const } : {}) };
  if (c.url.mediaType === 'application/x-mpegURL') return ok({ ...common, kind: 'hls', baseUrl: c.url.href });
  if (!/^(video|audio)\//.test(c.url.mediaType)) return fail({ type: 'invalid-field', field: 'url.mediaType', message: 'must be application/x-mpegURL or a video type' });
  const file = webVideoLinkSchema.safeParse(c.url);
  if (!file.success) return fail(refusalFromZod(file.error, c.url, 'url'));
  return ok({ ...common, kind: 'web-video', fileUrl: c.url.href, mediaType: c.url.mediaType, height: file.data.height, size: file.data.size ?? null, fps: file.data.fps ?? null });
}
