/** The Content-Type stored with an object (what a bucket URL or a CDN then answers). */
export function contentTypeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  switch (ext) {
    case 'm3u8':
      return 'application/vnd.apple.mpegurl';
    case 'mp4':
      return 'video/mp4';
    case 'json':
      return 'application/json';
    case 'torrent':
      return 'application/x-bittorrent';
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    default:
      return 'application/octet-stream';
  }
}
