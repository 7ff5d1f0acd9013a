import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebTorrent from 'webtorrent';
import type { Torrent, WebTorrentOptions } from 'webtorrent';

/** A real WebTorrent client for tests: TCP only on loopback, no DHT/LSD/NAT, WebRTC without STUN. */
export const TEST_CLIENT_OPTIONS: WebTorrentOptions = {
  utp: false,
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  tracker: { rtcConfig: { iceServers: [] } },
};

/**
 * Downloads the single file of a .torrent with a fresh client (through whatever the torrent names:
 * trackers, webseeds). Returns its bytes and the wire types that delivered data.
 */
export async function downloadWithWebTorrent(torrentFile: Buffer, timeoutMs = 60_000): Promise<{ data: Buffer; wires: string[]; webseedBytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'mt-wt-'));
  const client = new WebTorrent(TEST_CLIENT_OPTIONS);
  try {
    const torrent = await new Promise<Torrent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`torrent download did not finish within ${timeoutMs} ms`)), timeoutMs);
      client.on('error', (err) => {
        clearTimeout(timer);
        reject(err as Error);
      });
      client.add(torrentFile, { path: dir }, (t) => {
        t.on('done', () => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    });
    const wires = (torrent as unknown as { wires: { type: string }[] }).wires.map((w) => w.type);
    const file = torrent.files[0];
    if (!file) throw new Error('the torrent has no file');
    const data = await readFile(join(dir, file.path));
    return { data, wires, webseedBytes: 0 };
  } finally {
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}
