import { describe, expect, it } from 'vitest';
import { seedingRatio, summarizeAll, summarizeByHost, summarizeByHostAndKind, summarizeByVideo, type TransferRow } from '../../../src/metrics/index.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

describe('seedingRatio: served ÷ downloaded', () => {
  it.each([
    [300, 100, 3],
    [50, 100, 0.5],
    [0, 100, 0],
    [100, 0, null], // never downloaded (local video, or no download recorded yet): undefined, not Infinity
    [0, 0, null], // not NaN
    [-1, 10, null],
    [Number.NaN, 10, null],
    [10, Number.NaN, null],
  ])('served %d, downloaded %d → %s', (served, downloaded, ratio) => {
    expect(seedingRatio(served, downloaded)).toBe(ratio);
  });
});

describe('summaries per copy, per origin host (and kind), and in total', () => {
  const rows: TransferRow[] = [
    // a mirror of origin.example: downloaded 100 over HTTP, served 150 HTTP + 50 BitTorrent + 100 WebRTC
    { videoUuid: A, originHost: 'origin.example', kind: 'mirror', protocol: 'http', direction: 'downloaded', bytes: 100 },
    { videoUuid: A, originHost: 'origin.example', kind: 'mirror', protocol: 'http', direction: 'served', bytes: 150 },
    { videoUuid: A, originHost: 'origin.example', kind: 'mirror', protocol: 'bittorrent', direction: 'served', bytes: 50 },
    { videoUuid: A, originHost: 'origin.example', kind: 'mirror', protocol: 'webrtc', direction: 'served', bytes: 100 },
    // another mirror of the same host, downloaded and never served
    { videoUuid: B, originHost: 'origin.example', kind: 'mirror', protocol: 'bittorrent', direction: 'downloaded', bytes: 300 },
    // a local video of ours
    { videoUuid: C, originHost: 'us.example', kind: 'local', protocol: 'http', direction: 'served', bytes: 1000 },
  ];

  it('per copy', () => {
    const byVideo = new Map(summarizeByVideo(rows).map((s) => [s.videoUuid, s]));
    expect(byVideo.get(A)).toEqual({
      videoUuid: A,
      originHost: 'origin.example',
      kind: 'mirror',
      uploadedBytes: 300,
      downloadedBytes: 100,
      ratio: 3,
      protocols: { http: { uploadedBytes: 150, downloadedBytes: 100 }, bittorrent: { uploadedBytes: 50, downloadedBytes: 0 }, webrtc: { uploadedBytes: 100, downloadedBytes: 0 } },
    });
    expect(byVideo.get(B)).toMatchObject({ uploadedBytes: 0, downloadedBytes: 300, ratio: 0 });
    expect(byVideo.get(C)).toMatchObject({ uploadedBytes: 1000, downloadedBytes: 0, ratio: null });
  });

  it('per origin host: the host ratio is the sum over its copies, not an average of ratios', () => {
    expect(summarizeByHost(rows).map((h) => [h.originHost, h.uploadedBytes, h.downloadedBytes, h.ratio])).toEqual([
      ['origin.example', 300, 400, 0.75],
      ['us.example', 1000, 0, null],
    ]);
    expect(summarizeByHostAndKind(rows).map((h) => [h.originHost, h.kind, h.ratio])).toEqual([
      ['origin.example', 'mirror', 0.75],
      ['us.example', 'local', null],
    ]);
  });

  it('in total', () => {
    expect(summarizeAll(rows)).toMatchObject({ uploadedBytes: 1300, downloadedBytes: 400, ratio: 3.25 });
    expect(summarizeAll([])).toMatchObject({ uploadedBytes: 0, downloadedBytes: 0, ratio: null });
  });
});
