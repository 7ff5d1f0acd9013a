import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { bucketObjectUrl, cannedAcl, isSafeKey, publicObjectUrl } from '../../../src/storage/index.js';

const load = (object_storage: Record<string, unknown>) => loadConfig({ cwd: '/srv/mt', extra: [{ name: 'test', data: { object_storage } }] });

describe('object_storage config (PeerTube keys)', () => {
  it('is off by default, with PeerTube\'s defaults', () => {
    const r = loadConfig({ cwd: '/srv/mt' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.object_storage.enabled).toBe(false);
    expect(r.config.object_storage.upload_acl).toEqual({ public: 'public-read', private: 'private' });
    expect(r.config.object_storage.max_upload_part).toBe(100 * 1024 * 1024);
    expect(r.config.object_storage.max_request_attempts).toBe(3);
    expect(r.config.object_storage.redundancy.bucket_name).toBe('redundancy');
  });

  it('enabled without an endpoint or with a bad bucket name: the key is named', () => {
    const r = load({ enabled: true, streaming_playlists: { bucket_name: 'Bad_Bucket' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.join('\n');
    expect(text).toContain('object_storage.endpoint');
    expect(text).toContain('object_storage.streaming_playlists.bucket_name');
  });

  it('refuses public private files and unknown keys', () => {
    expect(load({ proxy: { proxify_private_files: false } }).ok).toBe(false);
    expect(load({ web_videos: { bucket_name: 'x-videos', prefix: '', base_url: '', typo: 1 } }).ok).toBe(false);
    expect(load({ web_videos: { bucket_name: 'x-videos', prefix: 'no-slash', base_url: '' } }).ok).toBe(false);
    expect(load({ web_videos: { bucket_name: 'x-videos', prefix: '', base_url: 'ftp://cdn' } }).ok).toBe(false);
    // copies are announced on our host only (origins refuse a CacheFile elsewhere)
    const copies = load({ enabled: true, endpoint: 'http://s3', redundancy: { bucket_name: 'copies', prefix: '', base_url: 'https://cdn.example.com' } });
    expect(copies.ok).toBe(false);
    if (!copies.ok) expect(copies.errors.join('\n')).toContain('object_storage.redundancy.base_url');
  });

  it('builds base_url URLs (prefix included) and path-style bucket URLs', () => {
    const r = load({ enabled: true, endpoint: 'http://127.0.0.1:9000/', streaming_playlists: { bucket_name: 'pls', prefix: 'hls/', base_url: 'https://cdn.example.com/' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.config.object_storage;
    expect(publicObjectUrl(s, 'streaming_playlists', 'u-1/master file.m3u8')).toBe('https://cdn.example.com/hls/u-1/master%20file.m3u8');
    expect(publicObjectUrl(s, 'web_videos', 'a.mp4')).toBeNull();
    expect(bucketObjectUrl(s, 'streaming_playlists', 'u-1/a.mp4')).toBe('http://127.0.0.1:9000/pls/hls/u-1/a.mp4');
    expect(cannedAcl(s, 'private')).toBe('private');
    expect(cannedAcl(s, 'public')).toBe('public-read');
  });

  it('thumbnails and torrents (PeerTube\'s opt-in kinds): off by default; enabled, their bucket name is checked', () => {
    const r = loadConfig({ cwd: '/srv/mt' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.object_storage.thumbnails).toEqual({ enabled: false, bucket_name: 'thumbnails', prefix: '', base_url: '' });
    expect(r.config.object_storage.torrents).toEqual({ enabled: false, bucket_name: 'torrents', prefix: '', base_url: '' });
    // off, an unusable bucket name does not matter
    expect(load({ enabled: true, endpoint: 'http://s3', torrents: { enabled: false, bucket_name: '', prefix: '', base_url: '' } }).ok).toBe(true);
    const bad = load({ enabled: true, endpoint: 'http://s3', thumbnails: { enabled: true, bucket_name: 'X', prefix: '', base_url: '' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join('\n')).toContain('object_storage.thumbnails.bucket_name');
    const on = load({ enabled: true, endpoint: 'http://s3', torrents: { enabled: true, bucket_name: 'tor', prefix: 't/', base_url: 'https://cdn.example.com/tor' } });
    expect(on.ok).toBe(true);
    if (on.ok) expect(publicObjectUrl(on.config.object_storage, 'torrents', 'u-240.torrent')).toBe('https://cdn.example.com/tor/t/u-240.torrent');
  });

  it('keys: one safe segment per level', () => {
    for (const ok of ['a.mp4', 'private/u/x-240-fragmented.mp4', '_staging/u-0123456789ab/', '']) expect(isSafeKey(ok)).toBe(true);
    for (const bad of ['../a', 'a/../b', '/a', 'a//b', '.hidden', 'a\\b', 'a b']) expect(isSafeKey(bad)).toBe(false);
  });
});
