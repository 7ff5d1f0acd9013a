import type { VideoForActivityPub } from './video-object-input.js';

/** Which of a local video's interaction collections (`likes`, `dislikes`, `comments`). */
export type VideoInteraction = 'likes' | 'dislikes' | 'comments';

/** One page of a collection: its total and the items of the window asked for. */
export interface InteractionItems {
  total: number;
  items: string[];
}

/**
 * The items of a local video's `likes`, `dislikes` and `comments` collections, as PeerTube lists
 * them: the URLs of the rates (`<account>/likes/<video id>`) and of the comments, `window.start`
 * on, at most `window.count` of them.
 *
 * Today we keep only counters: the totals are the video's counts (PeerTube takes a remote video's
 * likes and dislikes from these `totalItems`) and the pages are empty. When rates and comments are
 * stored one by one, this is the one place to list them.
 */
export async function videoInteractionItems(video: VideoForActivityPub, which: VideoInteraction, window: { start: number; count: number }): Promise<InteractionItems> {
  void window;
  switch (which) {
    case 'likes':
      return { total: video.likes, items: [] };
    case 'dislikes':
      return { total: video.dislikes, items: [] };
    case 'comments':
      return { total: 0, items: [] };
  }
}
