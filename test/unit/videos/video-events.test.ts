import { describe, expect, it } from 'vitest';
import { createVideoEvents } from '../../../src/videos/video-events.js';

describe('video events', () => {
  it('with no listener, every event resolves (no federation)', async () => {
    const events = createVideoEvents();
    await expect(events.published(1)).resolves.toBeUndefined();
    await expect(events.emit('viewed', 1)).resolves.toBeUndefined();
  });

  it('awaits the listeners one after the other, in registration order, with the arguments', async () => {
    const events = createVideoEvents();
    const seen: string[] = [];
    events.on('published', async (id, options) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`first ${id} ${options?.again ?? false}`);
    });
    events.on('published', async (id) => void seen.push(`second ${id}`));
    events.on('updated', async (id) => void seen.push(`updated ${id}`));
    await events.published(7, { again: true });
    expect(seen).toEqual(['first 7 true', 'second 7']);
    await events.updated(8);
    await events.emit('deleting', 9);
    expect(seen).toEqual(['first 7 true', 'second 7', 'updated 8']);
  });

  it("rejects with a listener's failure, as when the caller called it itself", async () => {
    const events = createVideoEvents();
    const after: number[] = [];
    events.on('deleting', async () => {
      throw new Error('delivery store down');
    });
    events.on('deleting', async (id) => void after.push(id));
    await expect(events.deleting(3)).rejects.toThrow('delivery store down');
    expect(after).toEqual([]);
  });
});
