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

  it("rejects with a listener's failure, as when the caller called it itself; the listeners after it still run", async () => {
    const events = createVideoEvents();
    const after: number[] = [];
    events.on('deleting', async () => {
      throw new Error('delivery store down');
    });
    events.on('deleting', async (id) => void after.push(id));
    await expect(events.deleting(3)).rejects.toThrow('delivery store down');
    expect(after).toEqual([3]);
  });

  it('several failures reject together, each listener having run once', async () => {
    const events = createVideoEvents();
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      events.on('updated', async () => {
        ran.push(name);
        if (name !== 'b') throw new Error(`${name} failed`);
      });
    }
    const failure = await events.updated(1).then(
      () => null,
      (err: unknown) => err,
    );
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e: Error) => e.message)).toEqual(['a failed', 'c failed']);
  });
});
