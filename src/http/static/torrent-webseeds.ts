import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'koa';
import type { Logger } from '../../lib/logger.js';
import { addTorrentWebseeds } from '../../p2p/index.js';
import { serveBuffer } from './serve-buffer.js';
import type { StaticFile, StaticResponder } from './static-router.js';

/** The webseeds of the file a torrent describes: our URL of it, then its healthy mirrors' URLs. */
export interface TorrentWebseeds {
  fileUrl: string;
  mirrorUrls: string[];
}

/** What the responder needs from the database (see redundancy/origin/mirror-webseeds.ts). */
export interface TorrentWebseedsPort {
  /** null when the torrent is not one of a local video's HLS files */
  webseedsOf(torrentFilename: string): Promise<TorrentWebseeds | null>;
}

/** A .torrent larger than this is served as is (ours are a few KB: 20 bytes per piece). */
const MAX_TORRENT_BYTES = 4 * 1024 * 1024;

/**
 * For a static mount of .torrent files (StaticMount.respond): when the torrent is one of our local
 * videos' HLS files and the video has healthy mirrors, answers the torrent with its `url-list`
 * extended by the mirrors' URLs of the file (same infohash), as one in-memory body whose ETag is
 * a hash of its bytes, so it changes with the set of mirrors. Otherwise (no mirror, not ours, not
 * a readable torrent) the file is served as is.
 */
export function torrentWebseedsResponder(deps: { webseeds: TorrentWebseedsPort; logger: Logger }): StaticResponder {
  const log = deps.logger.child({ component: 'torrent-webseeds' });
  return async (ctx: Context, file: StaticFile): Promise<boolean> => {
    const name = file.relativePath;
    if (name.includes(path.sep) || name.includes('/') || !name.endsWith('.torrent')) return false;
    const webseeds = await deps.webseeds.webseedsOf(name);
    if (!webseeds || webseeds.mirrorUrls.length === 0) return false;

    // a torrent in the bucket (object_storage.torrents) is read from there
    const bytes = file.readBytes ? await file.readBytes().catch(() => null) : await readSmallFile(file.absolutePath);
    if (!bytes) return false;
    const rewritten = addTorrentWebseeds(bytes, [webseeds.fileUrl, ...webseeds.mirrorUrls]);
    if (!rewritten.ok) {
      log.warn({ torrent: name, reason: rewritten.reason }, 'unreadable torrent: served without its mirrors');
      return false;
    }
    const body = rewritten.value.torrent;
    serveBuffer(ctx, body, {
      contentType: 'application/x-bittorrent',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      cacheControl: file.cacheControl,
      onBytesSent: file.onBytesSent,
    });
    return true;
  };
}

/** The file's bytes; null when it is missing, not a regular file, or too large to rewrite. */
async function readSmallFile(absolutePath: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(absolutePath, 'r');
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_TORRENT_BYTES) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
