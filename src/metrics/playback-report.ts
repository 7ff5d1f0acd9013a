import { z } from 'zod';
import { fail, ok, type Result } from '../lib/result.js';

/** PeerTube's player modes (`PlaybackMetricCreate.playerMode`). */
export const PLAYER_MODES = ['p2p-media-loader', 'web-video'] as const;
export type PlayerMode = (typeof PLAYER_MODES)[number];

/** One report is the player's figures "since the last metric creation" (every few seconds): cap absurd values. */
const MAX_BYTES_PER_REPORT = 2 ** 40; // 1 TiB
const MAX_COUNT_PER_REPORT = 1_000_000;

const count = z.number().int().min(0).max(MAX_COUNT_PER_REPORT);
const bytes = z.number().int().min(0).max(MAX_BYTES_PER_REPORT);
const videoRef = z.union([
  z.number().int().positive(),
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^(\d{1,10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[1-9A-HJ-NP-Za-km-z]{18,22})$/i, 'must be a video id, uuid or short uuid'),
]);

/**
 * `POST /api/v1/metrics/playback`, PeerTube's `PlaybackMetricCreate` (the same fields and the
 * same integer checks as PeerTube's validator; unknown fields are ignored as PeerTube does).
 */
export const playbackReportSchema = z.object({
  playerMode: z.enum(PLAYER_MODES),
  resolution: count.optional(),
  fps: count.optional(),
  p2pEnabled: z.boolean(),
  p2pPeers: count.optional(),
  resolutionChanges: count,
  bufferStalled: count.optional(),
  errors: count,
  downloadedBytesP2P: bytes,
  downloadedBytesHTTP: bytes,
  uploadedBytesP2P: bytes,
  videoId: videoRef,
});

export type PlaybackReport = z.output<typeof playbackReportSchema>;

export type PlaybackReportRefusal = { type: 'invalid-body'; message: string; fields: string[] };

/** Validates a playback report; the refusal names every wrong field. */
export function parsePlaybackReport(body: unknown): Result<PlaybackReport, PlaybackReportRefusal> {
  const parsed = playbackReportSchema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues;
  return fail({
    type: 'invalid-body',
    message: issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    fields: [...new Set(issues.map((i) => i.path.join('.') || 'body'))],
  });
}

/** Resolutions a report is counted under; anything else is "other" (bounded label). */
export const REPORTED_RESOLUTIONS = ['0', '144', '240', '360', '480', '720', '1080', '1440', '2160'] as const;

export function resolutionLabel(resolution: number | undefined): string {
  if (resolution === undefined) return 'unknown';
  const text = String(resolution);
  return (REPORTED_RESOLUTIONS as readonly string[]).includes(text) ? text : 'other';
}
