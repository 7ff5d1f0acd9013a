import type { VideoEvents } from './ports.js';

/** What happens to videos, and the arguments each event carries (see VideoEvents in ports.ts). */
export interface VideoEventMap {
  published: [videoId: number, options?: { again?: boolean }];
  updated: [videoId: number];
  deleting: [videoId: number];
  viewed: [videoId: number];
}
export type VideoEventName = keyof VideoEventMap;
export type VideoEventListener<E extends VideoEventName> = (...args: VideoEventMap[E]) => Promise<void>;

/**
 * A small typed emitter of video events: areas register listeners at start-up (federation
 * publishes our videos' changes), the video service emits through the VideoEvents port. `emit`
 * awaits the listeners one after the other; every listener runs even when one before it failed,
 * then `emit` rejects with the failure (an AggregateError for several), so the caller sees it as
 * when it called that listener itself.
 */
export interface VideoEventEmitter extends VideoEvents {
  on<E extends VideoEventName>(event: E, listener: VideoEventListener<E>): void;
  emit<E extends VideoEventName>(event: E, ...args: VideoEventMap[E]): Promise<void>;
}

export function createVideoEvents(): VideoEventEmitter {
  const listeners: { [E in VideoEventName]: Array<VideoEventListener<E>> } = { published: [], updated: [], deleting: [], viewed: [] };

  async function emit<E extends VideoEventName>(event: E, ...args: VideoEventMap[E]): Promise<void> {
    const failures: unknown[] = [];
    for (const listener of [...listeners[event]] as Array<VideoEventListener<E>>) {
      try {
        await listener(...args);
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} listeners of "${event}" failed`);
  }

  return {
    on(event, listener) {
      (listeners[event] as unknown[]).push(listener);
    },
    emit,
    published: (videoId, options) => emit('published', videoId, options),
    updated: (videoId) => emit('updated', videoId),
    deleting: (videoId) => emit('deleting', videoId),
    viewed: (videoId) => emit('viewed', videoId),
  };
}
