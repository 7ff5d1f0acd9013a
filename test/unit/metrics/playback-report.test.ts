import { describe, expect, it } from 'vitest';
import { parsePlaybackReport, resolutionLabel } from '../../../src/metrics/index.js';

// PeerTube's PlaybackMetricCreate, as its player sends it.
const valid = {
  playerMode: 'p2p-media-loader',
  resolution: 720,
  fps: 30,
  p2pEnabled: true,
  p2pPeers: 4,
  resolutionChanges: 0,
  bufferStalled: 1,
  errors: 0,
  downloadedBytesP2P: 1_000_000,
  downloadedBytesHTTP: 250_000,
  uploadedBytesP2P: 400_000,
  videoId: '58338225-4a2b-4f8d-9506-ef418ce1c194',
};

describe('parsePlaybackReport', () => {
  it('accepts PeerTube bodies: both player modes, optional fields absent, id / uuid / short uuid, unknown fields ignored', () => {
    expect(parsePlaybackReport(valid)).toEqual({ ok: true, value: valid });
    const minimal = { playerMode: 'web-video', p2pEnabled: false, resolutionChanges: 2, errors: 1, downloadedBytesP2P: 0, downloadedBytesHTTP: 10, uploadedBytesP2P: 0, videoId: 42 };
    expect(parsePlaybackReport(minimal)).toEqual({ ok: true, value: minimal });
    expect(parsePlaybackReport({ ...valid, videoId: '42' }).ok).toBe(true);
    expect(parsePlaybackReport({ ...valid, videoId: 'cTKE6Pb1bEHHRKsVAVXjHR' }).ok).toBe(true);
    const extra = parsePlaybackReport({ ...valid, futureField: 'x' });
    expect(extra.ok && !('futureField' in extra.value)).toBe(true);
  });

  it.each([
    [{ ...valid, playerMode: 'flash' }, ['playerMode']],
    [{ ...valid, p2pEnabled: 'yes' }, ['p2pEnabled']],
    [{ ...valid, downloadedBytesHTTP: -1 }, ['downloadedBytesHTTP']],
    [{ ...valid, downloadedBytesP2P: 1.5 }, ['downloadedBytesP2P']],
    [{ ...valid, uploadedBytesP2P: 2 ** 41 }, ['uploadedBytesP2P']],
    [{ ...valid, errors: 'many' }, ['errors']],
    [{ ...valid, resolution: -720 }, ['resolution']],
    [{ ...valid, videoId: '../../etc/passwd' }, ['videoId']],
    [{ ...valid, videoId: 0 }, ['videoId']],
    [(({ resolutionChanges: _r, ...rest }) => rest)(valid), ['resolutionChanges']],
    [null, ['body']],
    ['text', ['body']],
  ])('refuses %j naming %j', (body, fields) => {
    const result = parsePlaybackReport(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.fields).toEqual(fields);
      for (const field of fields) expect(result.reason.message).toContain(field);
    }
  });

  it('every field wrong at once: all of them named', () => {
    const result = parsePlaybackReport({});
    expect(result.ok ? [] : result.reason.fields.sort()).toEqual(
      ['downloadedBytesHTTP', 'downloadedBytesP2P', 'errors', 'p2pEnabled', 'playerMode', 'resolutionChanges', 'uploadedBytesP2P', 'videoId'].sort(),
    );
  });
});

describe('resolutionLabel (bounded)', () => {
  it.each([
    [720, '720'],
    [0, '0'],
    [2160, '2160'],
    [721, 'other'],
    [undefined, 'unknown'],
  ])('%s → %s', (resolution, label) => expect(resolutionLabel(resolution)).toBe(label));
});
