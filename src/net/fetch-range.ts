/** The part of a fetcher a ranged GET needs (the SafeFetcher's `fetch`). */
export type RangeFetch = (
  url: string,
  options: { readonly headers: Readonly<Record<string, string>>; readonly maxBytes: number },
) => Promise<
  | { readonly ok: true; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer }
  | { readonly ok: false; readonly reason: { readonly message: string } }
>;

export type RangeResult =
  | {
      readonly ok: true;
      /** bytes start..end (inclusive), from a 206 or cut from a 200 with the whole file */
      readonly bytes: Buffer;
      /** the file's length: from Content-Range (206, when it says) or the whole body (200) */
      readonly total?: number;
    }
  | { readonly ok: false; readonly message: string };

/**
 * GET bytes `start..end` (inclusive) of `url` with a Range header. A server that answers 200 with
 * the whole file is fine: the range is then cut at its offset. The answer may not be much larger
 * than the range (1 KiB of slack), so a whole large file is refused, not read.
 */
export async function fetchByteRange(fetch: RangeFetch, url: string, start: number, end: number): Promise<RangeResult> {
  const length = end - start + 1;
  const part = await fetch(url, { headers: { range: `bytes=${start}-${end}` }, maxBytes: length + 1024 });
  if (!part.ok) return { ok: false, message: part.reason.message };
  if (part.status === 206) {
    const total = /\/(\d+)$/.exec(part.headers['content-range'] ?? '')?.[1];
    return { ok: true, bytes: part.body.subarray(0, length), ...(total === undefined ? {} : { total: Number(total) }) };
  }
  return { ok: true, bytes: part.body.subarray(start, end + 1), total: part.body.length };
}
