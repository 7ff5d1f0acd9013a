// Storage (DESIGN §1): local folders and S3-compatible object storage behind one port.
import type { ObjectStorageSettings } from './object-storage-settings.js';
import type { ObjectStore } from './object-store.js';

export type { BucketKind, MultipartUploads, ObjectAcl, ObjectHead, ObjectInfo, ObjectStore, PendingUpload } from './object-store.js';
export { abandonedUploads, createAbandonedUploadCleanup, uploadPlaces, UNTRACKED_UPLOAD_GRACE_MS, type UploadingNode } from './abandoned-uploads.js';
export { trackUploads, type TrackedUpload, type UploadTrackingStore } from './upload-tracking.js';
export { createUploadTrackingStore } from './upload-tracking-store.js';
export { BUCKET_KINDS } from './object-store.js';
export { bucketOf, bucketObjectUrl, cannedAcl, fullKey, isSafeKey, publicObjectUrl, type ObjectStorageSettings } from './object-storage-settings.js';
export { createFolderObjectStore } from './folder-object-store.js';
export { createObjectStorage, type ObjectStorage } from './object-storage.js';

/**
 * The S3 implementation, loaded on demand: the AWS SDK is imported only by instances with object
 * storage enabled (the others neither pay for it nor print its Node version notice).
 */
export async function loadS3ObjectStore(settings: ObjectStorageSettings): Promise<ObjectStore> {
  const { createS3ObjectStore } = await import('./s3-object-store.js');
  return createS3ObjectStore(settings);
}
