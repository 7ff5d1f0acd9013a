import { describe, expect, it } from 'vitest';
import { parseContentRange } from '../../../src/videos/upload/resumable-uploads.js';
import { collectFormFields, uploadMetadataSchema } from '../../../src/videos/upload/upload-metadata.js';
import { parseVideoRef, toShortUuid } from '../../../src/videos/short-uuid.js';
import { storedExtension } from '../../../src/videos/video-service.js';
import { routeGroup } from '../../../src/http/app.js';

describe('parseContentRange', () => {
  it.each([
    ['bytes 0-99/1000', { start: 0, end: 99, total: 1000 }],
    ['bytes 900-999/1000', { start: 900, end: 999, total: 1000 }],
    ['bytes */1000', { query: true, total: 1000 }],
    ['bytes 100-99/1000', null],
    ['bytes 0-1000/1000', null],
    ['bits 0-1/2', null],
    [undefined, null],
  ])('%s', (header, expected) => expect(parseContentRange(header)).toEqual(expected));
});

describe('multipart fields and upload metadata', () => {
  it('collapses tags[] / tags[0] and repeated fields to lists', () => {
    expect(collectFormFields([['name', 'a'], ['tags[]', 'x'], ['tags[]', 'y'], ['channelId', '1']])).toEqual({ name: 'a', tags: ['x', 'y'], channelId: '1' });
    expect(collectFormFields([['tags[0]', 'solo']])).toEqual({ tags: ['solo'] });
  });

  it('reads PeerTube field types from strings', () => {
    const parsed = uploadMetadataSchema.parse({ name: 'My video', channelId: '3', privacy: '2', nsfw: 'false', waitTranscoding: 'true', category: '15', language: 'en', tags: 'one' });
    expect(parsed).toMatchObject({ channelId: 3, privacy: 2, nsfw: false, waitTranscoding: true, category: 15, language: 'en', tags: ['one'] });
  });

  it('refuses bad metadata with the field named', () => {
    const r = uploadMetadataSchema.safeParse({ name: 'x', channelId: 'one', privacy: 9, language: 'klingon', tags: ['a'] });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'channelId', 'privacy', 'language', 'tags.0']));
  });
});

describe('video references', () => {
  it('accepts ids, uuids and short uuids, and nothing else', () => {
    expect(parseVideoRef('42')).toEqual({ id: 42 });
    expect(parseVideoRef('2147483647')).toEqual({ id: 2147483647 });
    expect(parseVideoRef('9999999999')).toBeNull();
    expect(parseVideoRef('58338225-4A2B-4f8d-9506-ef418ce1c194')).toEqual({ uuid: '58338225-4a2b-4f8d-9506-ef418ce1c194' });
    // PeerTube's own short UUID for that video (real/rest-videodetails-9000.json)
    expect(toShortUuid('58338225-4a2b-4f8d-9506-ef418ce1c194')).toBe('bTGSGdmF4VR4KMkGaFZhUm');
    expect(parseVideoRef('bTGSGdmF4VR4KMkGaFZhUm')).toEqual({ uuid: '58338225-4a2b-4f8d-9506-ef418ce1c194' });
    expect(parseVideoRef('../etc')).toBeNull();
    expect(parseVideoRef('1; DROP TABLE')).toBeNull();
  });
});

describe('small pure helpers', () => {
  it('stores uploads under a known media extension', () => {
    expect(storedExtension('clip.MOV', 'mov,mp4,m4a')).toBe('.mov');
    expect(storedExtension('clip.exe', 'matroska,webm')).toBe('.mkv');
    expect(storedExtension('noext', 'mov,mp4,m4a')).toBe('.mp4');
  });

  it('labels request metrics by bounded route groups', () => {
    expect(routeGroup('/api/v1/videos/123')).toBe('/api/v1/videos');
    expect(routeGroup('/static/web-videos/abc.mp4')).toBe('/static');
    expect(routeGroup('/whatever/else')).toBe('other');
  });
});
