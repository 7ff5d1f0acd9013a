/** One media file of a video (a web video, or an HLS fragmented mp4), as plain data. */
export interface VideoFileInput {
  /** PeerTube's resolution: the smaller side, 0 for audio only */
  resolution: number;
  width: number | null;
  height: number | null;
  fps: number;
  size: number;
  /** `video/mp4`, `video/webm`, `video/ogg` or `audio/mp4` */
  mediaType: string;
  fileUrl: string;
  /** `<base>/api/v1/videos/<uuid>/metadata/<file id>` */
  metadataUrl: string;
  /** both null when the file has no torrent */
  torrentUrl: string | null;
  magnetUri: string | null;
  hasAudio: boolean;
  hasVideo: boolean;
}

/** Resolution descending, then fps descending: PeerTube's order of files in `url[]`. */
export function byResolutionDesc(a: VideoFileInput, b: VideoFileInput): number {
  return b.resolution - a.resolution || b.fps - a.fps;
}

/**
 * The links PeerTube publishes for one file, in its order: the file (with its `attachment`
 * hints), its metadata, then its torrent and magnet when it has a torrent.
 */
export function buildVideoFileLinks(file: VideoFileInput, format: 'web-video' | 'fragmented') {
  const height = file.height || file.resolution;
  const attachment: { type: 'PropertyValue'; name: string; value: string }[] = [];
  if (file.hasAudio) attachment.push({ type: 'PropertyValue', name: 'ffprobe_codec_type', value: 'audio' });
  if (file.hasVideo) attachment.push({ type: 'PropertyValue', name: 'ffprobe_codec_type', value: 'video' });
  attachment.push({ type: 'PropertyValue', name: 'peertube_format_flag', value: format });

  const links: Record<string, unknown>[] = [
    { type: 'Link', mediaType: file.mediaType, href: file.fileUrl, height, width: file.width, size: file.size, fps: file.fps, attachment },
    { type: 'Link', rel: ['metadata', file.mediaType], mediaType: 'application/json', href: file.metadataUrl, height, width: file.width, fps: file.fps },
  ];
  if (file.torrentUrl && file.magnetUri) {
    links.push(
      { type: 'Link', mediaType: 'application/x-bittorrent', href: file.torrentUrl, height, width: file.width, fps: file.fps },
      { type: 'Link', mediaType: 'application/x-bittorrent;x-scheme-handler/magnet', href: file.magnetUri, height, width: file.width, fps: file.fps },
    );
  }
  return links;
}
