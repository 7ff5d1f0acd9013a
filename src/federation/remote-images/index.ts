// Images of remote videos and actors, fetched on first request and cached on disk (bounded).
export { createImageDiskCache, type ImageDiskCache } from './image-disk-cache.js';
export { REMOTE_IMAGE_KINDS, REMOTE_IMAGE_NAME, remoteImageName, type RemoteImageKind } from './remote-image-name.js';
export { createPrismaRemoteImageStore, recordRemoteImages, type RemoteImageStore } from './remote-image-store.js';
export { createRemoteImages, IMAGE_CONTENT_TYPES, looksLikeImage, type FetchImage, type RemoteImages } from './remote-images.js';
export { createRemoteImageService, type RemoteImageService } from './create-remote-images.js';
