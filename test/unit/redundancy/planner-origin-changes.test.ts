import { describe, expect, it } from 'vitest';
import { hlsFileSetDigest } from '../../../src/redundancy/file-set.js';
import { added, cand, copy, decisionsOf, evicted, GB, plan, policy, strategy } from './planner-fixtures.js';

const mostViews = policy({ strategies: [strategy('most-views', 10 * GB)] });

/** Issue 9, item 4: mirror only what is finished; follow the origin when its files change. */
describe('planner: unfinished videos and changed file sets', () => {
  it('does not plan a video its origin has not published yet (to transcode, to import...)', () => {
    const p = plan({ policy: mostViews, candidates: [cand(1, { published: false, views: 100 }), cand(2, { views: 1 })] });
    expect(added(p)).toEqual([2]);
  });

  it('plans it once the origin reports it published', () => {
    expect(added(plan({ policy: mostViews, candidates: [cand(1, { published: true, views: 100 })] }))).toEqual([1]);
  });

  it('keeps (and renews) a copy whose video went back to an unfinished state, without refreshing it meanwhile', () => {
    const p = plan({
      policy: mostViews,
      candidates: [cand(1, { published: false, fileSet: 'new' })],
      copies: [copy(1, { fileSet: 'old', expiresAt: null })],
    });
    expect(evicted(p)).toEqual([]);
    expect(decisionsOf(p, 'refresh')).toEqual([]);
  });

  it('refreshes a ready copy whose origin file set changed, with a reason', () => {
    const p = plan({ policy: mostViews, candidates: [cand(1, { fileSet: 'b'.repeat(64) })], copies: [copy(1, { fileSet: 'a'.repeat(64) })] });
    expect(decisionsOf(p, 'refresh')).toEqual([
      { type: 'refresh', videoId: 1, budget: 'most-views', reason: `the origin's HLS files changed since the copy was made (file set ${'a'.repeat(12)} → ${'b'.repeat(12)})` },
    ]);
    expect(evicted(p)).toEqual([]);
    expect(added(p)).toEqual([]);
  });

  it('refreshes manual copies too', () => {
    const p = plan({ policy: mostViews, candidates: [cand(1, { fileSet: 'new' })], copies: [copy(1, { fileSet: 'old', manual: true, budget: 'manual', expiresAt: null })] });
    expect(decisionsOf(p, 'refresh').map((d) => [d.videoId, d.budget])).toEqual([[1, 'manual']]);
  });

  it.each([
    ['the same file set', { fileSet: 'same' }, { fileSet: 'same' }],
    ['a copy still downloading', { fileSet: 'new' }, { fileSet: 'old', state: 'pending' as const }],
    ['a copy of unknown origin (made before file sets were recorded)', { fileSet: 'new' }, { fileSet: null }],
    ['an origin file set that is unknown', {}, { fileSet: 'old' }],
  ])('does not refresh %s', (_, candidate, current) => {
    const p = plan({ policy: mostViews, candidates: [cand(1, candidate)], copies: [copy(1, current)] });
    expect(decisionsOf(p, 'refresh')).toEqual([]);
  });

  it('does not refresh a copy it evicts', () => {
    const p = plan({ policy: mostViews, candidates: [cand(1, { fileSet: 'new', privacy: 3 })], copies: [copy(1, { fileSet: 'old' })] });
    expect(evicted(p)).toEqual([1]);
    expect(decisionsOf(p, 'refresh')).toEqual([]);
  });
});

describe('hlsFileSetDigest', () => {
  const base = {
    playlistUrl: 'https://pt.example/static/streaming-playlists/hls/u/fcd52734-master.m3u8',
    segmentsSha256Url: 'https://pt.example/static/streaming-playlists/hls/u/a463472b-segments-sha256.json',
    files: [{ filename: 'b7598f69-360-fragmented.mp4', size: 136037n }],
  };
  it('changes when a resolution is added, the master is renamed or a file is replaced; not with the order of files', () => {
    const d = hlsFileSetDigest(base);
    const with240 = { ...base, files: [...base.files, { filename: 'f3eedd9b-240-fragmented.mp4', size: 120447n }] };
    expect(hlsFileSetDigest(with240)).not.toBe(d);
    expect(hlsFileSetDigest({ ...with240, playlistUrl: base.playlistUrl.replace('fcd52734', '780082ee') })).not.toBe(hlsFileSetDigest(with240));
    expect(hlsFileSetDigest({ ...base, files: [{ filename: 'b7598f69-360-fragmented.mp4', size: 136038 }] })).not.toBe(d);
    expect(hlsFileSetDigest({ ...with240, files: [...with240.files].reverse() })).toBe(hlsFileSetDigest(with240));
    expect(hlsFileSetDigest({ ...base, files: [{ filename: 'b7598f69-360-fragmented.mp4', size: 136037 }] })).toBe(d);
  });
});
