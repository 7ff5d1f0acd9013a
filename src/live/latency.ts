/** PeerTube's LiveVideoLatencyMode. */
export const LiveLatencyMode = { DEFAULT: 1, HIGH: 2, SMALL: 3 } as const;
export type LiveLatencyModeId = (typeof LiveLatencyMode)[keyof typeof LiveLatencyMode];

export interface LatencyProfile {
  /** HLS segment length, seconds (also the keyframe interval: every segment starts on one) */
  segmentSeconds: number;
  /** segments kept listed in each media playlist (older ones are deleted) */
  listSize: number;
  /** x264 tuned for latency (no B-frames, no look-ahead) */
  zeroLatency: boolean;
}

/**
 * Segment and GOP lengths per latency mode. Default and high follow PeerTube (4 s segments, 15
 * listed; high latency keeps more so P2P has time to share); small goes below PeerTube's 2 s:
 * 1 s segments and GOPs, so a frame is in a listed segment about a second after it arrives.
 */
export function latencyProfile(mode: number): LatencyProfile {
  switch (mode) {
    case LiveLatencyMode.SMALL:
      return { segmentSeconds: 1, listSize: 20, zeroLatency: true };
    case LiveLatencyMode.HIGH:
      return { segmentSeconds: 6, listSize: 15, zeroLatency: false };
    default:
      return { segmentSeconds: 4, listSize: 15, zeroLatency: false };
  }
}

/** The mode a live runs with: the owner's choice when the instance lets them choose, else the default. */
export function effectiveLatencyMode(requested: number, settingEnabled: boolean): LiveLatencyModeId {
  if (!settingEnabled) return LiveLatencyMode.DEFAULT;
  return requested === LiveLatencyMode.HIGH || requested === LiveLatencyMode.SMALL ? requested : LiveLatencyMode.DEFAULT;
}
