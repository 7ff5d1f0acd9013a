import { describe, expect, it } from 'vitest';
import { createRemoteRateCounts } from '../../../src/federation/import/remote-rate-counts.js';
import { fail, ok } from '../../../src/lib/result.js';

const video = 'https://origin.example/videos/watch/4200905f-881b-413b-b1c0-dbb162bd11e8';

describe('remote rate counts', () => {
  const answers: Record<string, unknown> = {
    [`${video}/likes`]: { type: 'OrderedCollectionPage', totalItems: 7, orderedItems: [] },
    [`${video}/dislikes`]: { totalItems: 2 },
    [`${video}/bad`]: { totalItems: -1 },
    [`${video}/text`]: { totalItems: '5' },
    'https://elsewhere.example/likes': { totalItems: 99 },
  };
  const fetched: string[] = [];
  const counts = createRemoteRateCounts({
    fetchObject: async (url) => {
      fetched.push(url);
      return url in answers ? ok(answers[url]) : fail({ type: 'http-status', message: '404' });
    },
  });

  it("reads the totalItems of the video's likes and dislikes collections", async () => {
    expect(await counts({ url: video, likesUrl: `${video}/likes`, dislikesUrl: `${video}/dislikes` })).toEqual({ likes: 7, dislikes: 2 });
  });

  it('leaves a count unknown without a collection, on a failed fetch or an invalid totalItems', async () => {
    expect(await counts({ url: video, likesUrl: null, dislikesUrl: `${video}/missing` })).toEqual({});
    expect(await counts({ url: video, likesUrl: `${video}/bad`, dislikesUrl: `${video}/text` })).toEqual({});
  });

  it("never fetches a collection on another host than the video's", async () => {
    fetched.length = 0;
    expect(await counts({ url: video, likesUrl: 'https://elsewhere.example/likes', dislikesUrl: 'not a url' })).toEqual({});
    expect(fetched).toEqual([]);
  });
});
