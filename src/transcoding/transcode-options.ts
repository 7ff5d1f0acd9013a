/** Encoder settings shared by every transcoding (from the `transcoding` config section). */
export interface TranscodeOptions {
  /** libx264 preset. */
  preset: string;
  /** `-threads` per encoder; 0 lets ffmpeg decide (the flag is left out). */
  threads: number;
  /** HLS segment length in seconds (`-hls_time`). */
  segmentDuration: number;
  /**
   * Seconds between keyframes (PeerTube: 2). Segments are cut on keyframes, so it should divide
   * `segmentDuration`; keyframes are forced on that grid and scene-cut keyframes are disabled.
   */
  keyframeInterval: number;
}

export const defaultTranscodeOptions: TranscodeOptions = {
  preset: 'veryfast',
  threads: 0,
  segmentDuration: 4,
  keyframeInterval: 2,
};
