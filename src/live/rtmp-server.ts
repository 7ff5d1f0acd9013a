import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import RtmpSession from 'node-media-server/src/session/rtmp_session.js';
import Flv from 'node-media-server/src/protocol/flv.js';
import { decodeAmf0Data } from 'node-media-server/src/protocol/amf.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import type { Logger } from '../lib/logger.js';
import type { Result } from '../lib/result.js';

/** One media tag of a published stream, as an FLV tag (what ffmpeg reads). */
export interface FlvTag {
  /** 8 audio, 9 video, 18 script data */
  type: number;
  /** 0 audio header, 1 audio, 2 video header, 3 keyframe, 4 video frame, 5 metadata */
  flags: number;
  bytes: Buffer;
}

/** Where an accepted publisher's stream goes. */
export interface PublishSink {
  tag(tag: FlvTag): void;
  /** the publisher went away (or was cut): no more tags */
  end(): void;
}

export type PublishRefusal = { type: 'unknown-key' | 'already-live' | 'instance-limit' | 'user-limit' | 'disabled' | 'bad-path' | 'error'; message: string };

export interface PublishRequest {
  /** the connection's id (for logs) */
  id: string;
  streamKey: string;
  ip: string;
  /** cuts the publisher's connection (max duration, shutdown) */
  close(): void;
}

/** What the RTMP server asks its owner (the live runtime). */
export interface PublishAuthority {
  publish(request: PublishRequest): Promise<Result<PublishSink, PublishRefusal>>;
}

const STREAM_KEY = /^[A-Za-z0-9_-]{1,128}$/;
/** a connection that has not started publishing after this long is closed */
const PUBLISH_WAIT_MS = 15_000;
/** bytes of tags held while the key is being checked; beyond it the publisher is dropped */
const PENDING_MAX_BYTES = 8 * 1024 * 1024;

/**
 * RTMP ingest at rtmp://host:port/live/<streamKey>: node-media-server's session parses the
 * handshake, chunks and commands; we own the TCP server (port 0 works, errors are values, no
 * global registry) and decide every publish. Playing is refused (viewers get HLS). A refused
 * publisher, a dropped one, garbage or truncated data only close that connection: every callback
 * into the parser is guarded, so nothing it throws reaches the process.
 */
export function createRtmpServer(deps: {
  hostname: string | null;
  port: number;
  authority: PublishAuthority;
  logger: Logger;
  /** RTMPS (PeerTube's `live.rtmps`): the same ingest inside TLS, with this key and certificate (PEM files, read at start) */
  tls?: { keyFile: string; certFile: string };
}) {
  const protocol = deps.tls ? 'RTMPS' : 'RTMP';
  const log = deps.logger.child({ component: protocol.toLowerCase() });
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  // node-media-server prints every session to the console; our own logs say what matters
  nmsLogger.level = 'error';

  function handle(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = new RtmpSession(socket);
    const ip = `${socket.remoteAddress ?? '?'}`;
    let state: 'connected' | 'checking' | 'publishing' | 'closed' = 'connected';
    let sink: PublishSink | null = null;
    let pending: FlvTag[] = [];
    let pendingBytes = 0;
    const drop = (why: string, fields: Record<string, unknown> = {}) => {
      if (state !== 'closed') log.info({ connection: session.id, ip, ...fields }, `RTMP connection closed: ${why}`);
      socket.destroy();
    };
    const idle = setTimeout(() => {
      if (state === 'connected') drop('no publish');
    }, PUBLISH_WAIT_MS);
    idle.unref();

    const rtmp = session.rtmp;
    rtmp.onConnectCallback = (req) => {
      try {
        session.onConnect(req);
      } catch {
        drop('bad connect');
      }
    };
    rtmp.onOutputCallback = (buffer) => {
      if (!socket.destroyed) socket.write(buffer);
    };
    rtmp.onPlayCallback = () => drop('playing is not offered (lives are played over HLS)');
    rtmp.onPushCallback = () => {
      if (state !== 'connected') return drop('a second publish on one connection');
      const streamKey = session.streamName;
      if (session.streamApp !== 'live' || !STREAM_KEY.test(streamKey ?? '')) return drop('not a /live/<stream key> path', { app: session.streamApp });
      state = 'checking';
      deps.authority
        .publish({ id: session.id, streamKey, ip, close: () => drop('cut by the server') })
        .then((decision) => {
          if (state === 'closed') {
            if (decision.ok) decision.value.end();
            return;
          }
          if (!decision.ok) return drop(`publish refused: ${decision.reason.message}`, { reason: decision.reason.type });
          sink = decision.value;
          state = 'publishing';
          for (const tag of pending) sink.tag(tag);
          pending = [];
          pendingBytes = 0;
        })
        .catch((err: unknown) => {
          log.error({ err, connection: session.id }, 'publish check failed');
          drop('publish check failed');
        });
    };
    rtmp.onPacketCallback = (packet) => {
      if (state !== 'checking' && state !== 'publishing') return;
      if (packet.codec_type !== 8 && packet.codec_type !== 9 && packet.codec_type !== 18) return;
      const tag: FlvTag = { type: packet.codec_type, flags: packet.flags, bytes: Flv.createMessage(packet) };
      if (sink) return sink.tag(tag);
      pendingBytes += tag.bytes.length;
      if (pendingBytes > PENDING_MAX_BYTES) return drop('too much data before the publish was accepted');
      pending.push(tag);
    };
    socket.on('data', (data: Buffer) => {
      if (state === 'closed') return;
      try {
        const err = rtmp.parserData(data);
        if (err) drop(`bad RTMP data: ${err}`);
      } catch (err) {
        drop('unparsable RTMP data', { err: String(err) });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(idle);
      sockets.delete(socket);
      state = 'closed';
      try {
        session.onClose();
      } catch {
        // the session's own bookkeeping: nothing of ours
      }
      pending = [];
      const ended = sink;
      sink = null;
      ended?.end();
    });
  }

  return {
    async start(): Promise<void> {
      if (deps.tls) {
        const { keyFile, certFile } = deps.tls;
        const read = (file: string, what: string) =>
          readFile(file).catch((err: unknown) => {
            throw new Error(`live.rtmps.${what}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
          });
        const [key, cert] = await Promise.all([read(keyFile, 'key_file'), read(certFile, 'cert_file')]);
        const tlsServer = createTlsServer({ key, cert }, handle);
        // a client that fails the handshake (plain RTMP, a scanner) costs only its own connection
        tlsServer.on('tlsClientError', (err) => log.debug({ err: err.message }, 'RTMPS handshake failed'));
        server = tlsServer;
      } else {
        server = createServer(handle);
      }
      server.maxConnections = 1000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(deps.port, deps.hostname ?? undefined, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => log.error({ err }, `${protocol} server error`));
      log.info({ port: this.port() }, `${protocol} server listening`);
    },
    /** the port actually listened on (null before start) */
    port(): number | null {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : null;
    },
    async stop(): Promise<void> {
      const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      await closed;
      server = null;
    },
  };
}

export type RtmpServer = ReturnType<typeof createRtmpServer>;

/** The width, height and frame rate a publisher announces in its onMetaData (null when absent). */
export function readStreamMetadata(tag: FlvTag): { width: number | null; height: number | null; fps: number | null; hasAudio: boolean | null } | null {
  if (tag.flags !== 5) return null;
  try {
    const decoded = decodeAmf0Data(tag.bytes.subarray(11, tag.bytes.length - 4));
    const data = decoded.dataObj;
    if (!data || typeof data !== 'object') return null;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
    return {
      width: num(data.width),
      height: num(data.height),
      fps: num(data.framerate),
      hasAudio: 'audiocodecid' in data ? data.audiocodecid !== 0 && data.audiocodecid !== undefined : null,
    };
  } catch {
    return null;
  }
}

/** The FLV file header (what precedes the tags). */
export function flvHeader(hasAudio: boolean): Buffer {
  return Flv.createHeader(hasAudio, true);
}
