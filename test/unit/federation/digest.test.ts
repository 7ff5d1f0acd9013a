import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDigest, computeDigest } from '../../../src/federation/signatures/index.js';

const body = '{"type":"Follow"}';
const sha256 = createHash('sha256').update(body).digest('base64');
const sha512 = createHash('sha512').update(body).digest('base64');

describe('computeDigest', () => {
  it('is SHA-256=<base64> of the raw bytes, as PeerTube sends it', () => {
    expect(computeDigest(body)).toBe(`SHA-256=${sha256}`);
    expect(computeDigest(Buffer.from(body))).toBe(`SHA-256=${sha256}`);
  });

  it('matches the Digest of a real PeerTube POST', () => {
    const captured =
      '{"to":["http://localhost:9000/accounts/root"],"cc":[],"type":"Create","id":"http://localhost:9001/redundancy/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194/activity","actor":"http://localhost:9001/accounts/peertube","object":{"to":["http://localhost:9000/accounts/root"],"cc":[],"id":"http://localhost:9001/redundancy/streaming-playlists/hls/58338225-4a2b-4f8d-9506-ef418ce1c194","type":"CacheFile","object":"http://localhost:9000/videos/watch/58338225-4a2b-4f8d-9506-ef418ce1c194","expires":"2026-11-22T19:21:18.947Z","url":{"type":"Link","mediaType":"application/x-mpegURL","href":"http://localhost:9001/static/redundancy/hls/58338225-4a2b-4f8d-9506-ef418ce1c194"}}}';
    expect(computeDigest(captured)).toBe('SHA-256=e/0zOFjRmWVm+xTFhLaARNVY49DWZtLLv5fRE792tfc=');
  });
});

describe('checkDigest', () => {
  it.each([
    [`SHA-256=${sha256}`],
    [`sha-256=${sha256}`],
    [`SHA-256=${sha256}, SHA-512=${sha512}`],
    [`MD5=AAAA,SHA-256=${sha256}`],
    [`SHA-512=${sha512}`],
  ])('accepts %s', (header) => {
    expect(checkDigest(header, body).ok).toBe(true);
  });

  it('refuses a digest of another body', () => {
    expect(checkDigest(computeDigest('{"type":"Undo"}'), body)).toEqual({
      ok: false,
      reason: { type: 'digest-mismatch', algorithm: 'SHA-256' },
    });
  });

  it('refuses when any of several supported digests is wrong', () => {
    const wrong512 = createHash('sha512').update('other').digest('base64');
    expect(checkDigest(`SHA-256=${sha256},SHA-512=${wrong512}`, body)).toMatchObject({
      ok: false,
      reason: { type: 'digest-mismatch', algorithm: 'SHA-512' },
    });
  });

  it('treats an absent header or one without a supported algorithm as missing', () => {
    expect(checkDigest(undefined, body)).toMatchObject({ ok: false, reason: { type: 'digest-missing' } });
    expect(checkDigest('  ', body)).toMatchObject({ ok: false, reason: { type: 'digest-missing' } });
    expect(checkDigest('MD5=1B2M2Y8AsgTpgAmY7PhCfg==', body)).toMatchObject({ ok: false, reason: { type: 'digest-missing' } });
  });

  it('refuses a truncated or non-base64 value', () => {
    expect(checkDigest(`SHA-256=${sha256.slice(0, 20)}`, body)).toMatchObject({ ok: false, reason: { type: 'digest-mismatch' } });
    expect(checkDigest('SHA-256=!!!', body)).toMatchObject({ ok: false, reason: { type: 'digest-mismatch' } });
  });
});
