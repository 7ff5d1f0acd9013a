import { describe, expect, it } from 'vitest';
import {
  contentTypeFor,
  ifNoneMatchHits,
  ifRangeHolds,
  notModifiedSince,
  strongEtag,
} from '../../../src/http/static/index.js';

describe('strongEtag', () => {
  it('is a quoted strong tag that changes with size and mtime', () => {
    const tag = strongEtag(1000, 1_700_000_000_123);
    expect(tag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(strongEtag(1001, 1_700_000_000_123)).not.toBe(tag);
    expect(strongEtag(1000, 1_700_000_000_124)).not.toBe(tag);
    expect(strongEtag(1000, 1_700_000_000_123)).toBe(tag);
  });
});

describe('ifNoneMatchHits', () => {
  const etag = '"3e8-18bcfe56800"';
  it.each([
    [undefined, false],
    ['"other"', false],
    [etag, true],
    [`W/${etag}`, true],
    [`"a", ${etag}`, true],
    ['*', true],
  ])('%j → %s', (header, expected) => {
    expect(ifNoneMatchHits(header, etag)).toBe(expected);
  });
});

describe('notModifiedSince', () => {
  const mtime = Date.parse('2026-01-02T03:04:05.678Z');
  it.each([
    [undefined, false],
    ['garbage', false],
    ['Fri, 02 Jan 2026 03:04:05 GMT', true],
    ['Fri, 02 Jan 2026 03:04:04 GMT', false],
    ['Sat, 03 Jan 2026 00:00:00 GMT', true],
  ])('%j → %s', (header, expected) => {
    expect(notModifiedSince(header, mtime)).toBe(expected);
  });
});

describe('ifRangeHolds', () => {
  const etag = '"abc"';
  const lastModified = 'Fri, 02 Jan 2026 03:04:05 GMT';
  it.each([
    [undefined, true],
    ['"abc"', true],
    ['"old"', false],
    ['W/"abc"', false],
    [lastModified, true],
    ['Thu, 01 Jan 2026 00:00:00 GMT', false],
  ])('%j → %s', (header, expected) => {
    expect(ifRangeHolds(header, etag, lastModified)).toBe(expected);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['/x/master.m3u8', 'application/vnd.apple.mpegurl'],
    ['/x/a-720-fragmented.mp4', 'video/mp4'],
    ['/x/A.MP4', 'video/mp4'],
    ['/x/segments-sha256.json', 'application/json'],
    ['/x/a-360.torrent', 'application/x-bittorrent'],
    ['/x/thumb.jpg', 'image/jpeg'],
    ['/x/seg-1.ts', 'video/mp2t'],
    ['/x/noext', 'application/octet-stream'],
    ['/x/file.exe', 'application/octet-stream'],
  ])('%s → %s', (file, expected) => {
    expect(contentTypeFor(file)).toBe(expected);
  });
});
