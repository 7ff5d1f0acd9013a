/** `/.well-known/host-meta`: PeerTube's XRD (host-meta-9000.txt), pointing at our webfinger. */
export function buildHostMeta(base: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n' +
    `  <Link rel="lrdd" type="application/xrd+xml" template="${base}/.well-known/webfinger?resource={uri}"/>\n` +
    '</XRD>'
  );
}
