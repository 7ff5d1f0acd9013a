/**
 * RFC 6381 codec strings for the master playlist's CODECS attribute, as PeerTube writes them
 * ("avc1.640015", "mp4a.40.2").
 */

/** Audio codec string from an ffprobe codec name (PeerTube's table; AAC is taken as AAC-LC). */
export function audioCodecString(codec: string): string {
  switch (codec) {
    case 'opus':
      return 'opus';
    case 'vorbis':
      return 'vorbis';
    case 'mp3':
      return 'mp4a.40.34';
    default:
      return 'mp4a.40.2';
  }
}

/**
 * The RFC 6381 string of an H.264 track read from its `avcC` box (profile, constraint flags,
 * level, e.g. "avc1.64001e"), found in an fMP4 init section: no ffprobe run needed for our own
 * outputs. Null when the bytes hold no `avcC` box.
 */
export function avcCodecStringFromInit(init: Uint8Array): string | null {
  for (let i = 4; i + 8 <= init.length; i++) {
    // 'avcC' box type, preceded by a plausible size; payload: version, profile, flags, level.
    if (init[i] !== 0x61 || init[i + 1] !== 0x76 || init[i + 2] !== 0x63 || init[i + 3] !== 0x43) continue;
    const size = new DataView(init.buffer, init.byteOffset + i - 4, 4).getUint32(0);
    if (size < 15 || i - 4 + size > init.length || init[i + 4] !== 1) continue;
    const hex = (byte: number | undefined) => (byte ?? 0).toString(16).padStart(2, '0');
    return `avc1.${hex(init[i + 5])}${hex(init[i + 6])}${hex(init[i + 7])}`;
  }
  return null;
}
