import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createImageDiskCache, createRemoteImages, looksLikeImage, remoteImageName, REMOTE_IMAGE_NAME, type RemoteImageStore } from '../../../src/federation/remote-images/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { fail, ok, type Result } from '../../../src/lib/result.js';
import { parseActor } from '../../../src/federation/vocab/index.js';

const JPEG = (size: number, fill = 1) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(Math.max(0, size - 4), fill)]);
const logger = pino({ level: 'silent' });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-remote-images-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('remoteImageName', () => {
  it('is stable per kind and URL, keeps an image extension, and never looks like our <uuid>.jpg names', () => {
    const a = remoteImageName('thumbnails', 'https://a.example/lazy-static/thumbnails/x.PNG');
    expect(a).toMatch(/^[0-9a-f]{32}\.png$/);
    expect(remoteImageName('thumbnails', 'https://a.example/lazy-static/thumbnails/x.PNG')).toBe(a);
    expect(remoteImageName('previews', 'https://a.example/lazy-static/thumbnails/x.PNG')).not.toBe(a);
    expect(remoteImageName('avatars', 'https://a.example/avatar.svg')).toMatch(/\.jpg$/);
    expect(REMOTE_IMAGE_NAME.test('8fffed66-eb54-40dc-91c4-f4f4a3c92d5b.jpg')).toBe(false);
  });
});

describe('createImageDiskCache', () => {
  it('keeps at most maxBytes, evicting the least recently used first', async () => {
    const cache = createImageDiskCache({ directory: dir, maxBytes: 250 });
    await cache.load();
    await cache.put('a.jpg', JPEG(100));
    await cache.put('b.jpg', JPEG(100));
    expect(cache.get('a.jpg')).toBe(join(dir, 'a.jpg')); // a is now the most recent
    await cache.put('c.jpg', JPEG(100));
    expect(cache.get('b.jpg')).toBeNull();
    expect((await readdir(dir)).sort()).toEqual(['a.jpg', 'c.jpg']);
    expect(cache.stats()).toEqual({ files: 2, bytes: 200 });
    // a file larger than the whole bound is not kept, and evicts nothing
    expect(await cache.put('huge.jpg', JPEG(300))).toBeNull();
    expect(cache.stats()).toEqual({ files: 2, bytes: 200 });
  });

  it('load() rebuilds the index from the folder (oldest mtime first), drops temporaries and trims to the bound', async () => {
    await writeFile(join(dir, 'old.jpg'), JPEG(100));
    await writeFile(join(dir, 'new.jpg'), JPEG(100));
    await writeFile(join(dir, '.tmp-1-0'), 'partial');
    await utimes(join(dir, 'old.jpg'), new Date('2020-01-01'), new Date('2020-01-01'));
    const cache = createImageDiskCache({ directory: dir, maxBytes: 150 });
    await cache.load();
    expect(await readdir(dir)).toEqual(['new.jpg']);
    expect(cache.stats()).toEqual({ files: 1, bytes: 100 });
  });
});

describe('createRemoteImages', () => {
  const URL_OF = 'https://a.example/lazy-static/thumbnails/t.jpg';
  const name = remoteImageName('thumbnails', URL_OF);
  const store: RemoteImageStore = { findUrl: async (kind, filename) => (kind === 'thumbnails' && filename === name ? URL_OF : null) };

  function setup(fetchImage: (url: string, maxBytes: number) => Promise<Result<Buffer, { type: string; message: string }>>, maxFileSize = 1000) {
    const clock = createManualClock(new Date('2026-12-07T12:00:00Z'));
    const cache = createImageDiskCache({ directory: dir, maxBytes: 10_000 });
    const images = createRemoteImages({ store, cache, fetchImage, clock, logger, maxFileSize, failureTtlMs: 60_000 });
    return { images, clock, cache };
  }

  it('concurrent first requests fetch the image once; later ones read the cache', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { images } = setup(async () => {
      calls++;
      await gate;
      return ok(JPEG(50, 7));
    });
    const pending = Array.from({ length: 5 }, () => images.open('thumbnails', name));
    release();
    const results = await Promise.all(pending);
    expect(calls).toBe(1);
    for (const r of results) expect(r).toEqual({ ok: true, value: join(dir, name) });
    expect(await readFile(join(dir, name))).toEqual(JPEG(50, 7));
    await images.open('thumbnails', name);
    expect(calls).toBe(1);
  });

  it('passes the size cap to the fetch; a refused or non-image answer is unavailable, remembered for failure_ttl only', async () => {
    const answers: Result<Buffer, { type: string; message: string }>[] = [fail({ type: 'too-large', message: 'larger than 1000 bytes' }), ok(Buffer.from('<html>')), ok(JPEG(20))];
    const caps: number[] = [];
    const { images, clock } = setup(async (_url, maxBytes) => {
      caps.push(maxBytes);
      return answers.shift()!;
    });
    expect(await images.open('thumbnails', name)).toMatchObject({ ok: false, reason: { type: 'unavailable' } });
    expect(caps).toEqual([1000]);
    // within failure_ttl: no new fetch
    clock.advance(59_000);
    expect(await images.open('thumbnails', name)).toMatchObject({ ok: false, reason: { type: 'unavailable' } });
    expect(caps).toHaveLength(1);
    clock.advance(2_000);
    expect(await images.open('thumbnails', name)).toMatchObject({ ok: false, reason: { type: 'unavailable', message: expect.stringMatching(/not an image/) } });
    clock.advance(61_000);
    expect(await images.open('thumbnails', name)).toEqual({ ok: true, value: join(dir, name) });
    expect(caps).toHaveLength(3);
    expect(await readdir(dir)).toEqual([name]);
  });

  it('unknown names, other kinds and names that are not ours are `unknown` (no fetch)', async () => {
    let calls = 0;
    const { images } = setup(async () => {
      calls++;
      return ok(JPEG(10));
    });
    expect(await images.open('previews', name)).toMatchObject({ ok: false, reason: { type: 'unknown' } });
    expect(await images.open('thumbnails', `${'0'.repeat(32)}.jpg`)).toMatchObject({ ok: false, reason: { type: 'unknown' } });
    expect(await images.open('thumbnails', '../etc/passwd')).toMatchObject({ ok: false, reason: { type: 'unknown' } });
    expect(calls).toBe(0);
  });

  it('looksLikeImage knows JPEG, PNG, GIF and WebP', () => {
    expect(looksLikeImage(JPEG(10))).toBe(true);
    expect(looksLikeImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(looksLikeImage(Buffer.from('GIF89a...'))).toBe(true);
    expect(looksLikeImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe(true);
    expect(looksLikeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(false);
  });
});

describe('parseActor: the avatar', () => {
  const actor = (icon: unknown) => ({
    type: 'Person',
    id: 'https://a.example/accounts/root',
    preferredUsername: 'root',
    inbox: 'https://a.example/accounts/root/inbox',
    publicKey: { id: 'https://a.example/accounts/root#main-key', owner: 'https://a.example/accounts/root', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' },
    ...(icon === undefined ? {} : { icon }),
  });
  const avatarOf = (icon: unknown) => {
    const r = parseActor(actor(icon));
    return r.ok ? r.value.avatar : 'refused';
  };

  it('is the largest Image of PeerTube\'s icon list, or a single icon object', () => {
    const img = (w: number, extra: Record<string, unknown> = {}) => ({ type: 'Image', url: `https://a.example/lazy-static/avatars/${w}.png`, mediaType: 'image/png', width: w, height: w, ...extra });
    expect(avatarOf([img(48), img(600), img(120)])).toEqual({ url: 'https://a.example/lazy-static/avatars/600.png', width: 600 });
    expect(avatarOf(img(120))).toEqual({ url: 'https://a.example/lazy-static/avatars/120.png', width: 120 });
    expect(avatarOf({ type: 'Image', url: 'https://m.example/a.jpg' })).toEqual({ url: 'https://m.example/a.jpg', width: null });
  });

  it('is null without a usable icon (none, not an Image, not an image type, not a URL); the actor is still read', () => {
    expect(avatarOf(undefined)).toBeNull();
    expect(avatarOf([{ type: 'Link', url: 'https://a.example/x.png' }])).toBeNull();
    expect(avatarOf([{ type: 'Image', url: 'https://a.example/x.svg', mediaType: 'image/svg+xml' }])).toBeNull();
    expect(avatarOf([{ type: 'Image', url: 'javascript:alert(1)' }])).toBeNull();
    expect(avatarOf('https://a.example/x.png')).toBeNull();
  });
});
