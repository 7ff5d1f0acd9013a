import type { VideoForActivityPub } from './video-object-input.js';

/** Which of a local video's interaction collections (`likes`, `dislikes`, `comments`). */
export type VideoInteraction = 'likes' | 'dislikes' | 'comments';

/** One page of a collection: its total and the items of the window asked for. */
export interface InteractionItems {
  total: number;
  items: string[];
}

/**
 * Where the items of a local video's `likes`, `dislikes` and `comments` collections come from, as
 * PeerTube lists them: the URLs of the rates (`<account>/likes/<video id>`) and of the comments,
 * `window.start` on, at most `window.count` of them. The ratings and comments areas provide it.
 */
export type VideoInteractionItems = (video: VideoForActivityPub, which: VideoInteraction, window: { start: number; count: number }) => Promise<InteractionItems>;

/** Without stored rates and comments: the video's counters as totals, empty pages. */
export const countersOnly: VideoInteractionItems = async (video, which) => {
  switch (which) {
    case 'likes':
      return { total: video.likes, items: [] };
    case 'dislikes':
      return { total: video.dislikes, items: [] };
    case 'comments':
      return { total: 0, items: [] };
  }
};
