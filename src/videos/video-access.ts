import { hasRight } from '../accounts/index.js';
import { VideoPrivacy } from './constants.js';

export interface VideoViewer {
  id: number;
  role: number;
}

export type VideoAccessRefusal = 'auth-required' | 'forbidden';

/**
 * PeerTube's rule for seeing a video (its REST details and its files): public and unlisted for
 * anyone; internal for any logged-in user; private (and password protected, which we do not
 * create) for its owner and users with SEE_ALL_VIDEOS (moderators, administrators).
 */
export function videoAccess(viewer: VideoViewer | undefined, video: { privacy: number; ownerUserId: number | null | undefined }): VideoAccessRefusal | null {
  if (video.privacy === VideoPrivacy.PUBLIC || video.privacy === VideoPrivacy.UNLISTED) return null;
  if (!viewer) return 'auth-required';
  if (video.privacy === VideoPrivacy.INTERNAL) return null;
  if (video.ownerUserId === viewer.id || hasRight(viewer.role, 'SEE_ALL_VIDEOS')) return null;
  return 'forbidden';
}
