import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { replaceTorrentUrlList } from '../p2p/index.js';
import type { ObjectAcl, ObjectStorage } from '../storage/index.js';
import { isInPrivateFolder } from './privacy-folders.js';
import type { StorageLayout } from './storage-layout.js';

/** A torrent of a video's file, with the URL its webseed (BEP 19 `url-list`) must name now. */
export interface TorrentOfFile {
  fileId: number;
  torrentFilename: string;
  webseed: string;
}

/** What of a video goes with its files besides them: its torrents and its images. */
export interface VideoExtras {
  uuid: string;
  privacy: number;
  thumbnailFilename: string | null;
  previewFilename: string | null;
  torrents: TorrentOfFile[];
}

/** The URLs the rows carry for the extras in the bucket (null: our routes). */
export interface ExtrasUrls {
  thumbnailUrl: string | null;
  previewUrl: string | null;
  torrents: { fileId: number; torrentUrl: string }[];
}

/** A local file that went up (or came down) and the object it is. */
interface Moved {
  kind: 'thumbnails' | 'torrents';
  key: string;
  path: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Thumbnails, previews and torrents in object storage (PeerTube's opt-in `object_storage.thumbnails`
 * and `object_storage.torrents`): keys are the file names (previews under `previews/`: ours share the
 * thumbnail's name); images are always public-read (PeerTube's rule: a thumbnail is never private),
 * torrents carry the ACL of the video's privacy. The torrents' webseed follows the files: the
 * bucket's base_url when the video's files are public there, else our static route.
 */
export function createObjectStorageExtras(deps: { objects: ObjectStorage; layout: StorageLayout }) {
  const { objects, layout } = deps;
  const s3 = objects.store;
  const images = objects.settings.thumbnails.enabled;
  const torrents = objects.settings.torrents.enabled;
  const aclOf = (privacy: number): ObjectAcl => (isInPrivateFolder(privacy) ? 'private' : 'public');
  const previewKey = (name: string) => `previews/${name}`;
  const imageFiles = (v: VideoExtras) => [
    ...(v.thumbnailFilename ? [{ key: v.thumbnailFilename, path: layout.thumbnail(v.thumbnailFilename) }] : []),
    ...(v.previewFilename ? [{ key: previewKey(v.previewFilename), path: layout.preview(v.previewFilename) }] : []),
  ];

  async function atomicWrite(path: string, bytes: Buffer): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }

  async function readObject(kind: 'thumbnails' | 'torrents', key: string): Promise<Buffer | null> {
    const body = await s3.read(kind, key);
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Every torrent names its webseed as `t.webseed` (on disk, or in the bucket with the privacy's
   * ACL); the infohash does not change.
   */
  async function retarget(v: VideoExtras): Promise<void> {
    for (const t of v.torrents) {
      const path = layout.torrent(t.torrentFilename);
      if (await exists(path)) {
        const rewritten = replaceTorrentUrlList(await readFile(path), [t.webseed]);
        if (rewritten) await atomicWrite(path, rewritten);
        continue;
      }
      if (!torrents) continue;
      const bytes = await readObject('torrents', t.torrentFilename);
      const rewritten = bytes && replaceTorrentUrlList(bytes, [t.webseed]);
      if (rewritten) await s3.put('torrents', t.torrentFilename, { body: rewritten }, { acl: aclOf(v.privacy), contentType: 'application/x-bittorrent' });
    }
  }

  return {
    enabled: images || torrents,
    retarget,

    /** the URLs of the extras in the bucket for the privacy (a base_url; torrents only of public videos) */
    urls(v: VideoExtras): ExtrasUrls {
      const pub = !isInPrivateFolder(v.privacy);
      return {
        thumbnailUrl: images && v.thumbnailFilename ? objects.publicUrl('thumbnails', v.thumbnailFilename) : null,
        previewUrl: images && v.previewFilename ? objects.publicUrl('thumbnails', previewKey(v.previewFilename)) : null,
        torrents: torrents && pub ? v.torrents.flatMap((t) => {
          const torrentUrl = objects.publicUrl('torrents', t.torrentFilename);
          return torrentUrl ? [{ fileId: t.fileId, torrentUrl }] : [];
        }) : [],
      };
    },

    /** uploads the extras on disk (after their torrents name their webseeds); the local files to delete once the move is committed */
    async upload(v: VideoExtras): Promise<{ localPaths: string[]; keys: { kind: 'thumbnails' | 'torrents'; key: string }[] }> {
      await retarget(v);
      const up: Moved[] = [];
      if (torrents) {
        for (const t of v.torrents) {
          const path = layout.torrent(t.torrentFilename);
          if (!(await exists(path))) continue;
          await s3.put('torrents', t.torrentFilename, { path }, { acl: aclOf(v.privacy), contentType: 'application/x-bittorrent' });
          up.push({ kind: 'torrents', key: t.torrentFilename, path });
        }
        // torrents of an older transcode (a rerun with another ladder): no row names them any more
        const current = new Set(v.torrents.map((t) => t.torrentFilename));
        const stale = (await s3.list('torrents', `${v.uuid}-`)).map((o) => o.key).filter((k) => !current.has(k));
        if (stale.length > 0) await s3.remove('torrents', stale);
      }
      if (images) {
        for (const f of imageFiles(v)) {
          if (!(await exists(f.path))) continue;
          await s3.put('thumbnails', f.key, { path: f.path }, { acl: 'public', contentType: 'image/jpeg' });
          up.push({ kind: 'thumbnails', ...f });
        }
      }
      return { localPaths: up.map((m) => m.path), keys: up.map((m) => ({ kind: m.kind, key: m.key })) };
    },

    /** brings the extras in the bucket back to disk (torrents retargeted after); the objects to delete once that is committed */
    async download(v: VideoExtras): Promise<{ kind: 'thumbnails' | 'torrents'; key: string }[]> {
      const want: Moved[] = [
        ...(torrents ? v.torrents.map((t) => ({ kind: 'torrents' as const, key: t.torrentFilename, path: layout.torrent(t.torrentFilename) })) : []),
        ...(images ? imageFiles(v).map((f) => ({ kind: 'thumbnails' as const, ...f })) : []),
      ];
      const fetched: { kind: 'thumbnails' | 'torrents'; key: string }[] = [];
      for (const m of want) {
        if (await exists(m.path)) continue;
        const body = await s3.read(m.kind, m.key);
        if (!body) continue;
        const tmp = `${m.path}.part`;
        await pipeline(body, createWriteStream(tmp));
        await rename(tmp, m.path);
        fetched.push({ kind: m.kind, key: m.key });
      }
      await retarget(v);
      return fetched;
    },

    /** a deleted video's extras: the named ones and those of older transcodes (`<uuid>-…` torrents) */
    async remove(v: { uuid: string; torrentFilenames: string[]; thumbnailFilename: string | null; previewFilename: string | null }): Promise<void> {
      if (torrents) {
        await s3.remove('torrents', v.torrentFilenames);
        await s3.removePrefix('torrents', `${v.uuid}-`);
      }
      if (images) {
        await s3.remove('thumbnails', [...(v.thumbnailFilename ? [v.thumbnailFilename] : []), ...(v.previewFilename ? [previewKey(v.previewFilename)] : [])]);
      }
    },

    /** removes local files after a committed move */
    async dropLocal(paths: readonly string[]): Promise<void> {
      for (const p of paths) await rm(p, { force: true });
    },
  };
}

export type ObjectStorageExtras = ReturnType<typeof createObjectStorageExtras>;
