// Media pipeline: probe, ladder planning, ffmpeg argv (pure) and the process runner.
// Functions take file paths and return results; storage, jobs and the database are the caller's.

export { createFfmpeg } from './ffmpeg-runner.js';
export { createProgressReader, progressFraction } from './ffmpeg-progress.js';
export type { CreateFfmpegOptions, Ffmpeg, RunFailure, RunnerLogger, RunOptions, RunResult } from './ffmpeg-runner.js';

export { ffprobeArgs, parseFfprobeJson, probeMedia } from './probe.js';
export type {
  AudioStreamInfo,
  FfprobeRunner,
  MediaProbe,
  ProbeFailure,
  ProbeFailureType,
  ProbeResult,
  VideoStreamInfo,
} from './probe.js';

export { AUDIO_ONLY_RESOLUTION, resolutionKey, resolutionKeys, scaledDimensions } from './resolutions.js';
export type { ResolutionKey } from './resolutions.js';
export { computeOutputFps, DEFAULT_MAX_FPS } from './fps.js';
export { planLadder } from './ladder.js';
export type { LadderConfig, LadderInput, Rendition } from './ladder.js';

export { defaultTranscodeOptions } from './transcode-options.js';
export type { TranscodeOptions } from './transcode-options.js';
export { buildHlsArgs } from './hls-args.js';
export type { HlsArgsInput } from './hls-args.js';
export { buildWebVideoArgs } from './web-video-args.js';
export type { WebVideoArgsInput } from './web-video-args.js';
export { buildImageArgs, PREVIEW_SIZE, THUMBNAIL_SIZE } from './image-args.js';
export type { ImageArgsInput } from './image-args.js';

export {
  DEFAULT_MASTER_FILENAME,
  DEFAULT_SEGMENTS_SHA256_FILENAME,
  hlsFragmentedFilename,
  hlsPlaylistFilename,
  webVideoFilename,
} from './filenames.js';
export { parseMediaPlaylist, segmentRangeKey } from './media-playlist.js';
export type { ByteRange, MediaPlaylist, MediaSegment, ParsePlaylistResult } from './media-playlist.js';
export { buildMasterPlaylist, hlsBandwidth } from './master-playlist.js';
export type { MasterPlaylistEntry } from './master-playlist.js';
export { hashFileRanges } from './hash-file-ranges.js';
export type { HashRangesResult } from './hash-file-ranges.js';
export { computeSegmentsSha256, serializeSegmentsSha256 } from './segments-sha256.js';
export type { SegmentsSha256, SegmentsSha256Result } from './segments-sha256.js';

export { transcodeHls } from './transcode-hls.js';
export type { HlsOutput, HlsPlaylistFile, TranscodeHlsParams, TranscodeHlsResult } from './transcode-hls.js';
export { transcodeWebVideo } from './transcode-web-video.js';
export type { TranscodeWebVideoParams, TranscodeWebVideoResult, WebVideoFile } from './transcode-web-video.js';
export { generateImages } from './generate-images.js';
export type { GenerateImagesParams, GenerateImagesResult, ImageFile } from './generate-images.js';
export type { TranscodeFailure } from './transcode-failure.js';
export { p2pMediaLoaderInfohashes } from './p2p-media-loader.js';
export { killOrphanChildren } from './orphan-children.js';
