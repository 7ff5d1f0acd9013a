// The redundancy engine's copier (DESIGN §4): fetch an origin's HLS playlists and files
// (SSRF-vetted, resumable, rate-limited), verify every segment against the origin's sha256 list,
// then one rename into <redundancyDir>/hls/<uuid>/. Plus the periodic check of stored copies and
// the clean-up of what a crash leaves.

export {
  mirrorHlsCopy,
  DEFAULT_MAX_COPY_BYTES,
  MAX_PLAYLIST_BYTES,
  MAX_SEGMENTS_SHA256_BYTES,
  MAX_TORRENT_BYTES,
  type MirrorHlsCopyParams,
  type MirrorSource,
  type MirrorTorrentOptions,
  type MirrorProgress,
  type MirrorResult,
  type MirroredCopy,
  type MirroredFile,
} from './mirror-hls-copy.js';
export {
  isPermanentMirrorFailure,
  isOriginNotFound,
  describeMirrorFailure,
  mirrorFailureStage,
  type MirrorFailure,
} from './mirror-failure.js';
export {
  createHttpDownloader,
  type Downloader,
  type HttpDownloader,
  type HttpDownloaderOptions,
  type DownloadFailure,
  type DownloadFileOptions,
  type DownloadFileResult,
  type FetchDocumentOptions,
  type FetchDocumentResult,
  type ChunkObserver,
  type RequestRecord,
} from './http-downloader.js';
export { createTokenBucket, systemTimer, type TokenBucket, type TokenBucketOptions, type Timer } from './token-bucket.js';
export { verifyStoredCopy, type StoredCopyResult, type StoredCopyFailure, type VerifyStoredCopyOptions } from './verify-stored-copy.js';
export { cleanupOrphans, type CleanupOrphansParams, type CleanupOrphansResult } from './cleanup-orphans.js';
export { copyDir, copiesRoot, mirrorFileUrl, torrentFilenameFor, isSafeUuid, assertSafeUuid, randomSuffix } from './copy-layout.js';

// pure pieces, for the planner, the static router and tests
export { parseMasterPlaylist, resolveReference, filenameOfUrl, resolutionFromFilename, type VariantReference } from './hls-references.js';
export { buildCopyPlan, type CopyPlan, type CopyPlanInput, type PlannedFile, type FetchedVariant } from './copy-plan.js';
export { parseSegmentsSha256, parseRangeKey, type HashedRange } from './segments-hashes.js';
export { decideResume, parseContentRange, type ResumeDecision, type ResumeAnswer } from './range-resume.js';
export { createRangeVerifier, type RangeVerifier } from './range-verifier.js';
export { checkInitSectionBytes, captureInitSection } from './init-section.js';
export { httpErrorOf, unaskedEncoding, declaredTooLarge, rangeValidatorOf, isRetryable, StopTransfer } from './download-failure.js';
export { pinKey } from '../../net/index.js';
export { transferBody, memorySink, type BodySink, type BodyTransferOptions, type TransferEnd } from './body-transfer.js';
export { openBatchedFileWriter, WRITE_BATCH_BYTES, type BatchedFileWriter } from './batched-file-writer.js';
export { buildMirrorTorrent, type MirrorTorrent, type MirrorTorrentInput } from './mirror-torrent.js';
export { removeCopyFiles } from './remove-copy-files.js';
