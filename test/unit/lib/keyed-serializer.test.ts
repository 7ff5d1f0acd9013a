import { describe, expect, it } from 'vitest';
import { createKeyedSerializer } from '../../../src/lib/keyed-serializer.js';

/** a promise and its resolver, to let a task finish when the test says */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('createKeyedSerializer', () => {
  it('runs the tasks of one key one at a time, in call order', async () => {
    const serialize = createKeyedSerializer();
    const log: string[] = [];
    const first = gate();
    const a = serialize('k', async () => {
      log.push('a start');
      await first.opened;
      log.push('a end');
      return 'a';
    });
    const b = serialize('k', async () => {
      log.push('b start');
      return 'b';
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b start']);
  });

  it('runs different keys concurrently, and goes on after a failure', async () => {
    const serialize = createKeyedSerializer();
    const hold = gate();
    const log: string[] = [];
    const slow = serialize('x', async () => {
      await hold.opened;
      throw new Error('x failed');
    });
    const other = await serialize('y', async () => 'y ran while x waits');
    expect(other).toBe('y ran while x waits');
    const after = serialize('x', async () => {
      log.push('after');
      return 'after';
    });
    hold.open();
    await expect(slow).rejects.toThrow('x failed');
    expect(await after).toBe('after');
    expect(log).toEqual(['after']);
  });
});
