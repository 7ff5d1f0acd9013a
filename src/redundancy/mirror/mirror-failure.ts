import type { DownloadFailure } from './download-failure.js';

/** Why a copy was not made. It reaches the mirror job's outcome as it is (no message sniffing). */
export type MirrorFailure =
  | { readonly type: 'fetch-failed'; readonly message: string; readonly url: string; readonly cause: DownloadFailure }
  | { readonly type: 'bad-playlist'; readonly message: string; readonly url?: string }
  | { readonly type: 'hash-mismatch'; readonly message: string; readonly file: string; readonly range?: string }
  | { readonly type: 'too-large'; readonly message: string; readonly limit: number }
  | { readonly type: 'aborted'; readonly message: string }
  | { readonly type: 'disk'; readonly message: string; readonly code?: string };

/** Thrown inside the copy's phases to end it with this failure. */
export class MirrorFailed extends Error {
  constructor(readonly reason: MirrorFailure) {
    super(reason.message);
  }
}

export const cancelled = (): MirrorFailure => ({ type: 'aborted', message: 'the mirror was cancelled' });

/** Trying again will not help: the origin's files do not match its hashes, are too big, or its playlists are unusable. */
export const isPermanentMirrorFailure = (reason: MirrorFailure): boolean =>
  reason.type === 'hash-mismatch' || reason.type === 'too-large' || reason.type === 'bad-playlist';

/** The origin answered 404/410 (its files may have been replaced: the video object is worth refetching). */
export const isOriginNotFound = (reason: MirrorFailure): boolean =>
  reason.type === 'fetch-failed' && reason.cause.type === 'http-error' && (reason.cause.status === 404 || reason.cause.status === 410);

/** The text stored as the copy's reason and shown by the API (`<type>: <message>`). */
export const describeMirrorFailure = (reason: MirrorFailure): string => `${reason.type}: ${reason.message}`;

/** The stage a failure is counted under in the metrics. */
export const mirrorFailureStage = (reason: MirrorFailure): 'verify' | 'download' => (reason.type === 'hash-mismatch' ? 'verify' : 'download');
