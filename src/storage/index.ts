// Storage (DESIGN §1): local folders and S3-compatible object storage behind one port.
export type { BucketKind, ObjectAcl, ObjectHead, ObjectInfo, ObjectStore } from './object-store.js';
export { BUCKET_KINDS } from './object-store.js';
export { bucketOf, bucketObjectUrl, cannedAcl, fullKey, isSafeKey, publicObjectUrl, type ObjectStorageSettings } from './object-storage-settings.js';
export { createS3ObjectStore, endpointUrl } from './s3-object-store.js';
export { createFolderObjectStore } from './folder-object-store.js';
export { createObjectStorage, type ObjectStorage } from './object-storage.js';
