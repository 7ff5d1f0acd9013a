/** `PT<n>S`, the duration format PeerTube writes (whole seconds). */
export function toActivityStreamDuration(seconds: number): string {
  return `PT${Math.max(0, Math.round(seconds))}S`;
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds of an xsd:duration as used in ActivityStreams (`PT5S`, `PT1H2M3S`, `P1DT2S`); null when
 * the value is not one. Fractions of a second are rounded down, as PeerTube stores whole seconds.
 */
export function parseActivityStreamDuration(value: string): number | null {
  if (value.length > 40) return null;
  const m = ISO_DURATION.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) return null;
  const [, d, h, min, s] = m;
  const total = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return Number.isFinite(total) ? Math.floor(total) : null;
}
