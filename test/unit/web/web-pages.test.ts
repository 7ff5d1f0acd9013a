import { describe, expect, it } from 'vitest';
import { buildVideoOEmbed, parseOEmbedRequest } from '../../../src/web/oembed.js';
import { flagOption, formatDuration, parseTimeOption, watchBody } from '../../../src/web/pages/pages.js';
import { truncatedDescription, videoTags } from '../../../src/web/pages/video-tags.js';
import { expectedHash, SourcePool } from '../../../src/web/player/sources.js';
import { html } from '../../../src/web/shell/html.js';
import { renderPage } from '../../../src/web/shell/page.js';

const tagInput = {
  base: 'https://tube.example',
  siteName: 'Tube <1>',
  name: 'A "quoted" <b>video</b>',
  description: 'Line one\n\n**bold** and [a link](https://x.example)',
  watchPath: '/w/abc',
  embedPath: '/videos/embed/1111',
  previewPath: '/lazy-static/previews/p.jpg',
  createdAt: new Date('2026-01-02T03:04:05Z'),
  duration: 65,
  views: 3,
  noIndex: false,
};

describe('video tags (PeerTube TagsHtml)', () => {
  it('emits OpenGraph, Twitter, oEmbed discovery, JSON-LD and canonical, escaped', () => {
    const out = videoTags(tagInput, { og: true, twitter: true }).value;
    expect(out).toContain('<meta property="og:type" content="video">');
    expect(out).toContain('<meta property="og:title" content="A &quot;quoted&quot; &lt;b&gt;video&lt;/b&gt;">');
    expect(out).toContain('<meta property="og:video:url" content="https://tube.example/videos/embed/1111">');
    expect(out).toContain('<meta property="og:video:width" content="560">');
    expect(out).toContain('<meta property="twitter:card" content="summary_large_image">');
    expect(out).toContain('<meta property="og:image:url" content="https://tube.example/lazy-static/previews/p.jpg">');
    expect(out).toContain('<link rel="alternate" type="application/json+oembed" href="https://tube.example/services/oembed?url=https%3A%2F%2Ftube.example%2Fw%2Fabc"');
    expect(out).toContain('<link rel="canonical" href="https://tube.example/w/abc">');
    expect(out).not.toContain('<b>video');
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/.exec(out)![1]!;
    expect(JSON.parse(ld)).toMatchObject({ '@type': 'VideoObject', name: tagInput.name, duration: 'PT65S', embedUrl: 'https://tube.example/videos/embed/1111' });
    expect(ld).not.toContain('<');
  });

  it('remote or unlisted videos ask robots not to index; the embed has no OpenGraph', () => {
    const out = videoTags({ ...tagInput, noIndex: true }, { og: false, twitter: false }).value;
    expect(out).toContain('<meta name="robots" content="noindex">');
    expect(out).not.toContain('og:type');
    expect(out).not.toContain('twitter:card');
  });

  it('truncates the description to 200 plain characters', () => {
    expect(truncatedDescription('**bold** and [a link](https://x.example)')).toBe('bold and a link');
    expect(truncatedDescription('x'.repeat(300))).toHaveLength(200);
    expect(truncatedDescription(null)).toBe('');
  });
});

describe('oEmbed (PeerTube /services/oembed)', () => {
  it('accepts this instance\'s watch URLs and keeps the player options', () => {
    const r = parseOEmbedRequest({ url: 'https://tube.example/w/abc?start=10&autoplay=1&evil=1', maxwidth: '400' }, 'tube.example');
    expect(r).toEqual({ ok: true, videoRef: 'abc', playerQuery: '?start=10&autoplay=1', maxWidth: 400, maxHeight: undefined });
    expect(parseOEmbedRequest({ url: 'https://tube.example/videos/watch/1111' }, 'tube.example')).toMatchObject({ ok: true, videoRef: '1111' });
  });
  it('refuses other hosts, other paths, bad sizes and formats other than json', () => {
    expect(parseOEmbedRequest({ url: 'https://other.example/w/abc' }, 'tube.example')).toMatchObject({ ok: false, status: 400 });
    expect(parseOEmbedRequest({ url: 'https://tube.example/about' }, 'tube.example')).toMatchObject({ ok: false, status: 400 });
    expect(parseOEmbedRequest({ url: 'not a url' }, 'tube.example')).toMatchObject({ ok: false, status: 400 });
    expect(parseOEmbedRequest({}, 'tube.example')).toMatchObject({ ok: false, status: 400 });
    expect(parseOEmbedRequest({ url: 'https://tube.example/w/abc', maxwidth: '-1' }, 'tube.example')).toMatchObject({ ok: false, status: 400 });
    expect(parseOEmbedRequest({ url: 'https://tube.example/w/abc', format: 'xml' }, 'tube.example')).toMatchObject({ ok: false, status: 501 });
  });
  it('answers an iframe of the embed, sized down to maxwidth/maxheight, without a too-large thumbnail', () => {
    const base = { base: 'https://tube.example', title: 'T <x>', embedPath: '/videos/embed/u', playerQuery: '?start=10', previewPath: '/p.jpg', channel: { name: 'chan', url: 'https://tube.example/video-channels/chan' } };
    const full = buildVideoOEmbed({ ...base, maxWidth: undefined, maxHeight: undefined });
    expect(full).toMatchObject({ type: 'video', version: '1.0', width: 560, height: 315, provider_name: 'PeerTube', author_name: 'chan', thumbnail_url: 'https://tube.example/p.jpg', thumbnail_width: 850 });
    expect(full.html).toBe('<iframe width="560" height="315" sandbox="allow-same-origin allow-scripts allow-popups allow-forms" title="T &lt;x&gt;" src="https://tube.example/videos/embed/u?start=10" frameborder="0" allowfullscreen></iframe>');
    const small = buildVideoOEmbed({ ...base, maxWidth: 300, maxHeight: 200 });
    expect(small).toMatchObject({ width: 300, height: 200 });
    expect(small).not.toHaveProperty('thumbnail_url');
  });
});

describe('player options and page parts', () => {
  it('reads PeerTube\'s start and flags', () => {
    expect(parseTimeOption('90')).toBe(90);
    expect(parseTimeOption('1m30s')).toBe(90);
    expect(parseTimeOption('1h')).toBe(3600);
    expect(parseTimeOption('soon')).toBeNull();
    expect(parseTimeOption(undefined)).toBeNull();
    expect(flagOption('1', false)).toBe(true);
    expect(flagOption('false', true)).toBe(false);
    expect(flagOption(undefined, true)).toBe(true);
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3723)).toBe('1:02:03');
  });

  it('escapes remote text in the watch page and the shell', () => {
    const body = watchBody({
      player: { uuid: 'u', autoplay: false, muted: true, start: 5, p2p: false, posterPath: null, title: '<script>' },
      name: '<img src=x onerror=alert(1)>',
      description: '<script>alert(1)</script>',
      views: 1,
      publishedAt: new Date(0),
      isLocal: false,
      url: 'https://remote.example/videos/watch/u',
      channel: { handle: 'c@remote.example', displayName: '"chan"' },
      account: { handle: 'a@remote.example', displayName: 'acc' },
      tags: ['<t>'],
      embedPath: 'https://tube.example/videos/embed/u',
    });
    const page = renderPage({ title: '<title>', instanceName: 'I & I', body, user: '<u>' });
    expect(page).not.toMatch(/<img src=x|<script>alert|<t>|<u>|<title><title>/);
    expect(page).toContain('data-start="5"');
    expect(page).toContain('data-p2p="0"');
    expect(page).toContain(' muted');
    expect(page).toContain('<a class="skip" href="#main">');
    expect(renderPage({ title: 't', instanceName: 'i', body: html`x`, bare: true })).not.toContain('<header');
  });
});

describe('player sources', () => {
  const pool = () =>
    new SourcePool(
      [
        { label: 'origin', kind: 'origin', base: 'http://a/static/streaming-playlists/hls/u/' },
        { label: 'b', kind: 'mirror', base: 'http://b/static/redundancy/hls/u' },
        { label: 'dup', kind: 'mirror', base: 'http://b/static/redundancy/hls/u' },
      ],
      30_000,
    );
  it('takes healthy sources in turn, drops a failing one for the penalty, and maps file names', () => {
    const p = pool();
    expect(p.sources.map((s) => s.label)).toEqual(['origin', 'b']);
    const first = p.pick(0)!;
    expect(first.label).toBe('origin');
    expect(p.pick(0)!.label).toBe('b');
    p.fail(first, 1000, 'http-error');
    expect([p.pick(1000)!.label, p.pick(1000)!.label]).toEqual(['b', 'b']);
    expect(p.healthyCount(1000)).toBe(1);
    expect(p.healthyCount(31_000)).toBe(2);
    expect(SourcePool.urlOn(p.sources[1]!, 'http://a/static/streaming-playlists/hls/u/u-240-fragmented.mp4')).toBe('http://b/static/redundancy/hls/u/u-240-fragmented.mp4');
    // the source of a request the engine made (the URL its segmentUrlBuilder returned)
    expect(p.sourceOf('http://b/static/redundancy/hls/u/u-240-fragmented.mp4')!.label).toBe('b');
    expect(p.sourceOf('http://a/static/streaming-playlists/hls/u/u-240-fragmented.mp4')!.label).toBe('origin');
    expect(p.sourceOf('http://a/static/streaming-playlists/hls/u2/u-240-fragmented.mp4')).toBeNull();
  });
  it('when every source is dropped, the one back first', () => {
    const p = pool();
    p.fail(p.sources[0]!, 0, 'x');
    p.fail(p.sources[1]!, 10, 'x');
    expect(p.pick(20)!.label).toBe('origin');
  });
  it('finds the expected hash by file name and inclusive byte range', () => {
    const json = { 'u-240-fragmented.mp4': { '0-99': 'aa', '100-199': 'bb' }, 'whole.ts': 'cc' };
    expect(expectedHash(json, 'http://a/x/u-240-fragmented.mp4', { start: 100, end: 199 })).toBe('bb');
    expect(expectedHash(json, 'http://a/x/u-240-fragmented.mp4', { start: 0, end: 100 })).toBeNull();
    expect(expectedHash(json, 'http://a/x/whole.ts', undefined)).toBe('cc');
    expect(expectedHash(json, 'http://a/x/other.mp4', undefined)).toBeNull();
  });
});

describe('the player\'s SHA-256 for plain-HTTP pages', () => {
  it('matches node\'s on every padding boundary and a segment-sized input', async () => {
    const { createHash } = await import('node:crypto');
    const { sha256HexSync } = await import('../../../src/web/player/sha256.js');
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 300_000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(sha256HexSync(data), `${n} bytes`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('descriptions (the Markdown PeerTube uses)', () => {
  it('renders bold, italic, code, http links and paragraphs; escapes everything else', async () => {
    const { renderMarkdown } = await import('../../../src/web/pages/markdown.js');
    expect(renderMarkdown('A **generated** *clip* with `code`\nnext line\n\n[site](https://x.example/a?b=1&c=2)').value).toBe(
      '<p>A <strong>generated</strong> <em>clip</em> with <code>code</code><br>next line</p>\n<p><a href="https://x.example/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">site</a></p>',
    );
    const evil = renderMarkdown('<script>x</script> [a](javascript:alert(1)) [b](https://x.example/"onmouseover="x) **<img src=x>**').value;
    expect(evil).not.toMatch(/<script|<img|href="javascript|"onmouseover/);
  });
});
