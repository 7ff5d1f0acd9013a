/** The part of a bittorrent-protocol wire (a streamx Duplex) this touches. */
interface PushingWire {
  push(data: Uint8Array | null): boolean;
}

/** The part of a peer's connection (a net.Socket) this touches. */
export interface CorkableConnection {
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

/**
 * Makes the messages a wire sends during one turn of the event loop leave in one system call. A
 * bittorrent-protocol wire pushes every message as its own chunks (a piece: a 13-byte header,
 * then the 16 KiB block), and webtorrent's pipeline writes each chunk to the socket on its own: two
 * `write` calls per block. A peer asks for many blocks at once and the blocks of a piece are
 * answered together, so the socket is corked at the first push of a turn and uncorked when the
 * turn ends (setImmediate): node hands everything written meanwhile to one `writev`, without
 * copying the bytes. Nothing else changes: the same chunks, in the same order, through the same
 * pipeline (throttle, byte counters).
 *
 * For byte streams only (TCP): a WebRTC data channel sends each chunk as a message anyway.
 */
export function batchWireWrites(wire: PushingWire, conn: CorkableConnection): void {
  if (typeof conn.cork !== 'function' || typeof conn.uncork !== 'function') return;
  const push = wire.push.bind(wire);
  let corked = false;
  const uncork = () => {
    corked = false;
    conn.uncork();
  };
  wire.push = (data: Uint8Array | null): boolean => {
    if (!corked && data !== null && !conn.destroyed) {
      corked = true;
      conn.cork();
      setImmediate(uncork);
    }
    return push(data);
  };
}
