import { z } from 'zod';

/**
 * The part of `ffprobe -print_format json -show_format -show_streams` we read. ffprobe prints
 * many numbers as strings ("duration": "3.000000"), so numeric fields accept both.
 */

const numberish = z.union([z.number(), z.string()]).optional();

export const ffprobeStreamSchema = z.looseObject({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  codec_tag_string: z.string().optional(),
  profile: z.string().optional(),
  level: z.number().optional(),
  pix_fmt: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  bit_rate: numberish,
  duration: numberish,
  channels: z.number().int().optional(),
  channel_layout: z.string().optional(),
  sample_rate: numberish,
  disposition: z.looseObject({ attached_pic: z.number().optional(), still_image: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.unknown()).optional(),
  side_data_list: z.array(z.looseObject({ rotation: numberish })).optional(),
});

export const ffprobeOutputSchema = z.looseObject({
  streams: z.array(ffprobeStreamSchema).default([]),
  format: z.looseObject({
    format_name: z.string(),
    duration: numberish,
    size: numberish,
    bit_rate: numberish,
  }),
});

export type FfprobeStream = z.infer<typeof ffprobeStreamSchema>;
export type FfprobeOutput = z.infer<typeof ffprobeOutputSchema>;

/** A finite number from a numberish ffprobe field, or null ("N/A", missing, garbage). */
export function toNumber(value: number | string | undefined): number | null {
  if (value === undefined) return null;
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}
