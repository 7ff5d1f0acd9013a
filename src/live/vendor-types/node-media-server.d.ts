// Minimal typings for the parts of node-media-server 4 that mirrortube uses (it ships none): the
// RTMP session (handshake, chunk parsing, AMF commands) and the FLV tag writer. Its server classes
// (global context, exit on listen errors, JSON store) are not used.
declare module 'node-media-server/src/session/rtmp_session.js' {
  import type { Socket } from 'node:net';
  interface AvPacket {
    codec_id: number;
    /** FLV tag type: 8 audio, 9 video, 18 script data */
    codec_type: number;
    /** 0 audio header, 1 audio, 2 video header, 3 keyframe, 4 video frame, 5 metadata */
    flags: number;
    pts: number;
    dts: number;
    size: number;
    data: Buffer;
  }
  interface RtmpProtocol {
    onConnectCallback: (req: { app: string; name: string; host: string; query: Record<string, unknown> }) => void;
    onPlayCallback: () => void;
    onPushCallback: () => void;
    onOutputCallback: (buffer: Buffer) => void;
    onPacketCallback: (packet: AvPacket) => void;
    parserData(data: Buffer): string | null;
  }
  class RtmpSession {
    constructor(socket: Socket);
    id: string;
    ip: string;
    streamApp: string;
    streamName: string;
    streamPath: string;
    rtmp: RtmpProtocol;
    onConnect: RtmpProtocol['onConnectCallback'];
    onOutput: RtmpProtocol['onOutputCallback'];
    onData: (data: Buffer) => void;
    onClose: () => void;
  }
  export = RtmpSession;
}

declare module 'node-media-server/src/protocol/flv.js' {
  const Flv: {
    createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
    createMessage(packet: { codec_type: number; dts: number; size: number; data: Buffer }): Buffer;
  };
  export = Flv;
}

declare module 'node-media-server/src/protocol/amf.js' {
  export function decodeAmf0Data(data: Buffer): { cmd?: string; dataObj?: Record<string, unknown> | null };
}

declare module 'node-media-server/src/core/logger.js' {
  const logger: { level: string };
  export = logger;
}
