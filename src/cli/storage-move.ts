/**
 * `mirrortube storage move --to object-storage|filesystem` (PeerTube's create-move-video-storage-job):
 * moves every local video's files, one video at a time, printing progress. Resumable: each move is
 * complete or not done (the database says where the files are only once they are all there), so
 * running the command again moves what is left. A video that fails is reported and the others go on.
 */
export type StorageTarget = 'object-storage' | 'filesystem';

/** What the command needs from the videos area (built by main.ts from the instance). */
export interface StorageMovePort {
  pending(to: StorageTarget): Promise<number>;
  nextBatch(to: StorageTarget, afterId: number, limit: number): Promise<number[]>;
  move(to: StorageTarget, videoId: number, onBytes: (n: number) => void): Promise<{ type: string; reason?: string; data?: unknown }>;
}

export function parseStorageTarget(value: string | undefined): StorageTarget | null {
  return value === 'object-storage' || value === 'filesystem' ? value : null;
}

const WHERE: Record<StorageTarget, string> = { 'object-storage': 'object storage', filesystem: 'the file system' };
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function storageMove(deps: { port: StorageMovePort; to: StorageTarget; out(line: string): void; err(line: string): void; batchSize?: number }): Promise<number> {
  const { port, to } = deps;
  const total = await port.pending(to);
  deps.out(total === 0 ? `nothing to move: every local video's files are in ${WHERE[to]}` : `${total} video(s) to move to ${WHERE[to]}`);
  let done = 0;
  let failed = 0;
  let bytes = 0;
  let afterId = 0;
  for (;;) {
    const batch = await port.nextBatch(to, afterId, deps.batchSize ?? 50);
    if (batch.length === 0) break;
    for (const videoId of batch) {
      afterId = videoId;
      let moved = 0;
      try {
        const outcome = await port.move(to, videoId, (n) => {
          moved += n;
        });
        done++;
        bytes += moved;
        deps.out(`[${done + failed}/${total}] video ${videoId}: ${outcome.type}${outcome.reason ? ` (${outcome.reason})` : ''}, ${mb(moved)}`);
      } catch (err) {
        failed++;
        deps.err(`[${done + failed}/${total}] video ${videoId}: failed: ${(err as Error).message}`);
      }
    }
  }
  deps.out(`${done} video(s) moved (${mb(bytes)}), ${failed} failed${failed > 0 ? ': run the command again to retry them' : ''}`);
  return failed > 0 ? 1 : 0;
}
