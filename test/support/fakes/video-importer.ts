import type { MemoryVideo } from './inbox-video-store.js';
import { fail, ok } from '../../../src/lib/result.js';
import type { VideoImporter } from '../../../src/federation/import/video-importer.js';

/**
 * A video importer over the in-memory videos: an object with `invalid: true` is refused as the
 * parser would, a URL in `unreachable` cannot be fetched, `remoteObjects` is what URLs answer.
 */
export function createMemoryVideoImporter(videos: { videos: MemoryVideo[]; add(v: Pick<MemoryVideo, 'url' | 'isLocal'>): MemoryVideo }) {
  const remoteObjects = new Map<string, Record<string, unknown>>();
  const unreachable = new Set<string>();
  const imported: string[] = [];
  const hostOf = (url: string) => new URL(url).host;

  const importer: VideoImporter = {
    async importObject(doc, expectedUrl) {
      const object = doc as { id?: unknown; invalid?: boolean };
      if (typeof object.id !== 'string' || object.invalid) return fail({ type: 'invalid-video', message: 'invalid Video object' });
      if (expectedUrl && hostOf(object.id) !== hostOf(expectedUrl)) return fail({ type: 'origin-mismatch', message: `${expectedUrl} answered a video of another host` });
      const existing = videos.videos.find((v) => v.url === object.id);
      if (existing?.isLocal) throw new Error(`refusing to overwrite local video ${object.id}`);
      const row = existing ?? videos.add({ url: object.id, isLocal: false });
      imported.push(object.id);
      return ok({ id: row.id, url: object.id });
    },
    async importUrl(url) {
      if (unreachable.has(url)) return fail({ type: 'unreachable', message: `cannot fetch ${url}: connection refused` });
      const doc = remoteObjects.get(url);
      if (!doc) return fail({ type: 'not-found', message: `cannot fetch ${url}: 404` });
      return importer.importObject(doc, url);
    },
    async remove(videoUrl, actorUrl) {
      const video = videos.videos.find((v) => v.url === videoUrl);
      if (!video || video.isLocal || hostOf(actorUrl) !== hostOf(videoUrl)) return false;
      videos.videos.splice(videos.videos.indexOf(video), 1);
      return true;
    },
    async refresh() {
      return 'unchanged';
    },
  };
  return Object.assign(importer, { remoteObjects, unreachable, imported });
}
