/**
 * Seeding ratio: bytes served (HTTP, BitTorrent, WebRTC) ÷ bytes downloaded to build the copy.
 *
 * When nothing was downloaded the ratio is undefined and we say so with `null` (REST) or by not
 * exporting the series (Prometheus): a local video was never downloaded by us, and a mirror whose
 * download has not been recorded yet has no meaningful ratio. Never Infinity, never NaN.
 */
export function seedingRatio(servedBytes: number, downloadedBytes: number): number | null {
  if (!(downloadedBytes > 0) || !Number.isFinite(servedBytes) || servedBytes < 0) return null;
  return servedBytes / downloadedBytes;
}

export const TRANSFER_PROTOCOLS = ['http', 'bittorrent', 'webrtc'] as const;
export type TransferProtocol = (typeof TRANSFER_PROTOCOLS)[number];

export const TRANSFER_DIRECTIONS = ['served', 'downloaded'] as const;
export type TransferDirection = (typeof TRANSFER_DIRECTIONS)[number];

/** `local`: one of our own videos; `mirror`: our copy of another instance's video. */
export const TRANSFER_KINDS = ['local', 'mirror'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** One counted amount: what a TransferTotal row holds. */
export interface TransferRow {
  videoUuid: string;
  originHost: string;
  kind: TransferKind;
  protocol: TransferProtocol;
  direction: TransferDirection;
  bytes: number;
}

export type BytesByProtocol = Record<TransferProtocol, { uploadedBytes: number; downloadedBytes: number }>;

/** Bytes served (`uploadedBytes`, PeerTube's word) and downloaded, with their ratio. */
export interface TransferSummary {
  uploadedBytes: number;
  downloadedBytes: number;
  /** uploadedBytes ÷ downloadedBytes; null when nothing was downloaded */
  ratio: number | null;
  protocols: BytesByProtocol;
}

export interface VideoTransferSummary extends TransferSummary {
  videoUuid: string;
  originHost: string;
  kind: TransferKind;
}

export interface HostKindTransferSummary extends TransferSummary {
  originHost: string;
  kind: TransferKind;
}

export interface HostTransferSummary extends TransferSummary {
  originHost: string;
}

function emptyProtocols(): BytesByProtocol {
  return {
    http: { uploadedBytes: 0, downloadedBytes: 0 },
    bittorrent: { uploadedBytes: 0, downloadedBytes: 0 },
    webrtc: { uploadedBytes: 0, downloadedBytes: 0 },
  };
}

function addRow(summary: Omit<TransferSummary, 'ratio'>, row: TransferRow): void {
  const slot = summary.protocols[row.protocol];
  if (row.direction === 'served') {
    slot.uploadedBytes += row.bytes;
    summary.uploadedBytes += row.bytes;
  } else {
    slot.downloadedBytes += row.bytes;
    summary.downloadedBytes += row.bytes;
  }
}

function fold<K extends string, E extends Omit<TransferSummary, 'ratio'>>(
  rows: readonly TransferRow[],
  keyOf: (row: TransferRow) => K,
  create: (row: TransferRow) => E,
): Array<E & { ratio: number | null }> {
  const groups = new Map<K, E>();
  for (const row of rows) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) {
      group = create(row);
      groups.set(key, group);
    }
    addRow(group, row);
  }
  return [...groups.values()].map((g) => ({ ...g, ratio: seedingRatio(g.uploadedBytes, g.downloadedBytes) }));
}

/** Per copy (video): served ÷ downloaded over every protocol. */
export function summarizeByVideo(rows: readonly TransferRow[]): VideoTransferSummary[] {
  return fold(
    rows,
    (r) => r.videoUuid,
    (r) => ({ videoUuid: r.videoUuid, originHost: r.originHost, kind: r.kind, uploadedBytes: 0, downloadedBytes: 0, protocols: emptyProtocols() }),
  );
}

/** Per origin host and kind (local videos have our own host). */
export function summarizeByHostAndKind(rows: readonly TransferRow[]): HostKindTransferSummary[] {
  return fold(
    rows,
    (r) => `${r.originHost}\u0000${r.kind}`,
    (r) => ({ originHost: r.originHost, kind: r.kind, uploadedBytes: 0, downloadedBytes: 0, protocols: emptyProtocols() }),
  ).sort((a, b) => a.originHost.localeCompare(b.originHost) || a.kind.localeCompare(b.kind));
}

/** Per origin host, all kinds together: the seeding ratio of everything we hold from that host. */
export function summarizeByHost(rows: readonly TransferRow[]): HostTransferSummary[] {
  return fold(
    rows,
    (r) => r.originHost,
    (r) => ({ originHost: r.originHost, uploadedBytes: 0, downloadedBytes: 0, protocols: emptyProtocols() }),
  ).sort((a, b) => a.originHost.localeCompare(b.originHost));
}

/** Everything together. */
export function summarizeAll(rows: readonly TransferRow[]): TransferSummary {
  const total = { uploadedBytes: 0, downloadedBytes: 0, protocols: emptyProtocols() };
  for (const row of rows) addRow(total, row);
  return { ...total, ratio: seedingRatio(total.uploadedBytes, total.downloadedBytes) };
}
