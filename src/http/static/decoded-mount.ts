/** The mount the decoded path falls under (the one the file's folder belongs to). */
export function decodedMount<M extends { urlPrefix: string }>(byLongestPrefix: readonly M[], urlPath: string): M | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return byLongestPrefix.find((m) => urlPath.startsWith(m.urlPrefix));
  }
  return byLongestPrefix.find((m) => decoded.startsWith(m.urlPrefix));
}
