import { describe, expect, it } from 'vitest';
import { buildSigningString, formatSignatureHeader, parseSignatureHeader } from '../../../src/federation/signatures/index.js';

const PEERTUBE_GET =
  'keyId="http://localhost:9001/accounts/peertube",algorithm="rsa-sha256",headers="(request-target) host date",signature="fCeyPD3vvF311G6Wy+Ox9IhiKaMVD50py1teOm0nIQxddDMsBb2WnPOxvF2fJLv0I2ohWAPf9jM5awADvCMz6Qlq+1R3hj7J4guZtvsuiSQEmG+dvDEGrnfhFPSTHfGHAQZWu3EIlWTSiQ6vCHVpUBSMfXHC9/WHFp0ZQRskKek="';

describe('parseSignatureHeader', () => {
  it('parses a real PeerTube signature header', () => {
    const parsed = parseSignatureHeader(PEERTUBE_GET);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.params.keyId).toBe('http://localhost:9001/accounts/peertube');
    expect(parsed.params.algorithm).toBe('rsa-sha256');
    expect(parsed.params.headers).toEqual(['(request-target)', 'host', 'date']);
    expect(parsed.params.signature).toHaveLength(128); // PeerTube's test-mode keys are 1024-bit
    expect(parsed.params.created).toBeUndefined();
  });

  it('accepts an Authorization-style "Signature" scheme prefix, spaces and numeric created/expires', () => {
    const parsed = parseSignatureHeader(
      'Signature keyId="k#1", algorithm="hs2019", created=1700000000, expires=1700000300, headers="(request-target) (created) Host", signature="AAAA"',
    );
    expect(parsed).toMatchObject({
      ok: true,
      params: { keyId: 'k#1', algorithm: 'hs2019', created: 1700000000, expires: 1700000300, headers: ['(request-target)', '(created)', 'host'] },
    });
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const parsed = parseSignatureHeader('keyId="https://a.example/k?x=1,2&q=\\"y\\"",signature="AAAA",headers="date"');
    expect(parsed).toMatchObject({ ok: true, params: { keyId: 'https://a.example/k?x=1,2&q="y"' } });
  });

  it('defaults the header list to date, as Mastodon does', () => {
    expect(parseSignatureHeader('keyId="k",signature="AAAA"')).toMatchObject({ ok: true, params: { headers: ['date'] } });
  });

  it.each([
    ['', 'missing keyId'],
    ['signature="AAAA"', 'missing keyId'],
    ['keyId="k"', 'missing signature'],
    ['keyId="k",signature="not base64!"', 'signature is not base64'],
    ['keyId="k",keyId="j",signature="AAAA"', 'repeated parameter keyId'],
    ['signature="AAAA",keyId="k', 'unterminated'],
    ['keyId="k",signature="AAAA",created=yesterday', 'created is not a timestamp'],
    ['keyId="k" junk,signature="AAAA"', 'expected ","'],
    ['"k"', 'unexpected character'],
  ])('refuses %j as malformed', (header, detail) => {
    const parsed = parseSignatureHeader(header);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason.type).toBe('malformed-signature');
    expect(parsed.reason.detail).toContain(detail);
  });

  it('refuses an oversized header without scanning it', () => {
    expect(parseSignatureHeader(`keyId="${'a'.repeat(20000)}",signature="AAAA"`)).toMatchObject({ ok: false });
  });

  it('round-trips through formatSignatureHeader', () => {
    const header = formatSignatureHeader({
      keyId: 'https://a.example/actor#main-key',
      algorithm: 'rsa-sha256',
      headers: ['(request-target)', 'host', 'date', 'digest'],
      signature: 'c2ln',
    });
    expect(header).toBe(
      'keyId="https://a.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln"',
    );
    expect(parseSignatureHeader(header)).toMatchObject({ ok: true, params: { headers: ['(request-target)', 'host', 'date', 'digest'] } });
  });
});

describe('buildSigningString', () => {
  it('builds the draft-cavage string with pseudo-headers and case-insensitive header names', () => {
    const built = buildSigningString({
      method: 'POST',
      path: '/inbox?x=1',
      headers: { Host: 'b.example', 'X-Multi': ['a', ' b '] },
      signedHeaders: ['(request-target)', '(created)', 'host', 'x-multi'],
      created: 1700000000,
    });
    expect(built).toEqual({ ok: true, value: '(request-target): post /inbox?x=1\n(created): 1700000000\nhost: b.example\nx-multi: a, b' });
  });

  it('names the first signed header the request lacks', () => {
    expect(
      buildSigningString({ method: 'GET', path: '/', headers: { host: 'h' }, signedHeaders: ['host', 'date', '(expires)'] }),
    ).toEqual({ ok: false, absent: 'date' });
  });
});
