import { join } from 'node:path';
import type { PlannedFile } from './copy-plan.js';
import type { CopyProgress } from './copy-progress.js';
import type { ChunkObserver, Downloader } from './http-downloader.js';
import { captureInitSection } from './init-section.js';
import { cancelled, MirrorFailed, type MirrorFailure } from './mirror-failure.js';
import { createRangeVerifier } from './range-verifier.js';
import { reuseVerifiedFile } from './reuse-file.js';
import { errnoOf } from './work-folder.js';

export interface DownloadedFile {
  readonly size: number;
  /** where the download started (bytes already there: a resumed partial file, or a reused one) */
  readonly resumedFrom: number;
}

export interface DownloadFilesParams {
  readonly files: readonly PlannedFile[];
  readonly workDir: string;
  /** the current copy's folder: its media files that still verify are taken instead of downloaded */
  readonly reuseFrom?: string;
  readonly downloader: Downloader;
  /** aborted on the first failure, so the other downloads stop */
  readonly controller: AbortController;
  readonly progress: CopyProgress;
  /** the copy's size cap, and the bytes of the documents already in it */
  readonly maxBytes: number;
  readonly documentBytes: number;
}

/** What a file's observer refused, as the copy's failure (the downloader only sees `rejected`). */
interface Refusal {
  reason?: MirrorFailure;
}

/**
 * Sees every byte of one file as it streams: the copy's size cap (over all its files), every
 * hashed range, the init section. A refusal stops the file's download at once.
 */
function fileObserver(file: PlannedFile, total: { bytes: number; readonly maxBytes: number }, refusal: Refusal) {
  const verifier = createRangeVerifier(file.ranges);
  const init = file.init === undefined ? undefined : captureInitSection(file.init.length);
  let written = 0; // bytes of this file seen so far
  const observer: ChunkObserver = {
    restart: () => {
      verifier.restart();
      init?.restart();
      total.bytes -= written;
      written = 0;
    },
    update: (chunk, offset) => {
      const end = offset + chunk.length;
      total.bytes += end - written;
      written = end;
      if (total.bytes > total.maxBytes) {
        refusal.reason = { type: 'too-large', message: `the copy grew past its cap of ${total.maxBytes} bytes`, limit: total.maxBytes };
        return { ok: false, message: refusal.reason.message };
      }
      init?.update(chunk, offset);
      const verdict = verifier.update(chunk, offset);
      if (!verdict.ok) {
        refusal.reason = { type: 'hash-mismatch', message: `${file.filename}: ${verdict.message}`, file: file.filename, range: verdict.range };
        return { ok: false, message: refusal.reason.message };
      }
      return verdict;
    },
  };
  /** after the last byte: every range complete and matched, the init section whole */
  const finish = (size: number): MirrorFailure | undefined => {
    const verdict = verifier.finish(size);
    if (!verdict.ok) return { type: 'hash-mismatch', message: `${file.filename}: ${verdict.message}`, file: file.filename, range: verdict.range };
    if (file.init !== undefined && init !== undefined) {
      const checked = init.check();
      if (!checked.ok) {
        const range = `0-${file.init.length - 1}`;
        return { type: 'hash-mismatch', message: `${file.filename}: init section ${range}: ${checked.message}`, file: file.filename, range };
      }
    }
    return undefined;
  };
  return { observer, finish };
}

/**
 * Phase 3: every media file of the plan into the work folder, verified while it streams; the
 * first failure cancels the others and is what the copy fails with. Throws MirrorFailed.
 */
export async function downloadFiles(params: DownloadFilesParams): Promise<DownloadedFile[]> {
  const { downloader, controller, progress, maxBytes } = params;
  const signal = controller.signal;
  const total = { bytes: params.documentBytes, maxBytes };
  let firstFailure: MirrorFailure | undefined;
  const fail = (reason: MirrorFailure): undefined => {
    if (firstFailure === undefined || (firstFailure.type === 'aborted' && reason.type !== 'aborted')) firstFailure = reason;
    controller.abort(new MirrorFailed(reason));
    return undefined;
  };

  const downloadOne = async (file: PlannedFile): Promise<DownloadedFile | undefined> => {
    const reused = params.reuseFrom === undefined ? null : await reuseVerifiedFile(params.reuseFrom, params.workDir, file);
    if (reused !== null) {
      total.bytes += reused;
      progress.filesDone++;
      return { size: reused, resumedFrom: reused };
    }
    const refusal: Refusal = {};
    const { observer, finish } = fileObserver(file, total, refusal);
    const path = join(params.workDir, file.filename);
    const result = await downloader.downloadFile(file.url, path, { maxBytes: maxBytes - params.documentBytes, signal, onBytes: progress.onBytes, observer });
    if (!result.ok) {
      const reason = result.reason;
      if (reason.type === 'rejected' && refusal.reason !== undefined) return fail(refusal.reason);
      if (reason.type === 'aborted') return fail(cancelled());
      if (reason.type === 'disk') return fail(reason);
      if (reason.type === 'too-large') return fail({ type: 'too-large', message: `${file.filename}: ${reason.message}`, limit: maxBytes });
      return fail({ type: 'fetch-failed', message: `${file.filename}: ${reason.message}`, url: file.url.href, cause: reason });
    }
    const mismatch = finish(result.size);
    if (mismatch !== undefined) return fail(mismatch);
    progress.filesDone++;
    progress.report(true);
    return { size: result.size, resumedFrom: result.resumedFrom };
  };

  const downloads = await Promise.all(
    params.files.map((file) =>
      downloadOne(file).catch((err: unknown) => {
        const code = errnoOf(err);
        if (code === undefined) throw err;
        return fail({ type: 'disk', message: `${file.filename}: ${(err as Error).message}`, code });
      }),
    ),
  );
  if (firstFailure !== undefined) throw new MirrorFailed(firstFailure);
  return downloads as DownloadedFile[];
}
