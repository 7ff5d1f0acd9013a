import { describe, expect, it, vi } from 'vitest';
import { parseStorageTarget, storageMove, type StorageMovePort } from '../../../src/cli/storage-move.js';

/** The command's loop over a fake of the videos area: progress per video, failures reported, the others moved. */
function fakePort(ids: number[], failing: Set<number>): StorageMovePort & { moved: number[] } {
  const moved: number[] = [];
  const left = () => ids.filter((id) => !moved.includes(id));
  return {
    moved,
    pending: async () => left().length,
    nextBatch: async (_to, afterId, limit) => left().filter((id) => id > afterId).slice(0, limit),
    move: async (_to, id, onBytes) => {
      if (failing.has(id)) throw new Error('bucket unreachable');
      onBytes(2 * 1024 * 1024);
      moved.push(id);
      return { type: 'completed' };
    },
  };
}

describe('mirrortube storage move', () => {
  it('parses its target', () => {
    expect(parseStorageTarget('object-storage')).toBe('object-storage');
    expect(parseStorageTarget('filesystem')).toBe('filesystem');
    expect(parseStorageTarget('s3')).toBeNull();
    expect(parseStorageTarget(undefined)).toBeNull();
  });

  it('moves every video in batches with progress; a failure is reported, exits 1, and the next run finishes', async () => {
    const port = fakePort([3, 5, 8, 9, 12], new Set([8]));
    const out: string[] = [];
    const err: string[] = [];
    expect(await storageMove({ port, to: 'object-storage', out: (l) => out.push(l), err: (l) => err.push(l), batchSize: 2 })).toBe(1);
    expect(port.moved).toEqual([3, 5, 9, 12]);
    expect(out[0]).toBe('5 video(s) to move to object storage');
    expect(out).toContain('[1/5] video 3: completed, 2.0 MB');
    expect(err).toEqual(['[3/5] video 8: failed: bucket unreachable']);
    expect(out.at(-1)).toBe('4 video(s) moved (8.0 MB), 1 failed: run the command again to retry them');

    const again = fakePort([8], new Set());
    out.length = 0;
    expect(await storageMove({ port: again, to: 'object-storage', out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
    expect(again.moved).toEqual([8]);
    expect(out.at(-1)).toBe('1 video(s) moved (2.0 MB), 0 failed');
  });
});

describe('mirrortube storage move: arguments', () => {
  it('needs --to object-storage|filesystem, and object storage enabled', async () => {
    const { main } = await import('../../../src/main.js');
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await main(['storage', 'move'])).toBe(2);
      expect(errors.at(-1)).toMatch(/^storage move needs --to object-storage or --to filesystem/);
      expect(await main(['storage', 'move', '--to', 's3'])).toBe(2);
      expect(await main(['storage', 'copy', '--to', 'filesystem'])).toBe(2);
      expect(errors.at(-1)).toMatch(/^unknown command "storage copy"/);
      // the documented defaults: object storage off, nothing is opened
      expect(await main(['storage', 'move', '--to', 'filesystem'])).toBe(1);
      expect(errors.at(-1)).toMatch(/object storage is not enabled/);
    } finally {
      spy.mockRestore();
    }
  });
});
