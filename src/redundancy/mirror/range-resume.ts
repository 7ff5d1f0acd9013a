/**
 * What to do with the answer to a GET that may have asked for the rest of a partial file
 * (`Range: bytes=<from>-`). Pure, so the rules are tested by table:
 * - 206 whose Content-Range starts exactly at `from` → append;
 * - 200 → the server sent the whole file: write it from byte 0;
 * - 206 that starts elsewhere or cannot be read → drop the partial file and ask again from 0;
 * - 416 with `bytes *\/<from>` → the partial file already is the whole file;
 * - anything else is an HTTP error.
 */

export interface ContentRange {
  /** first byte, inclusive */
  readonly start: number;
  /** last byte, inclusive */
  readonly end: number;
  /** the representation's size, undefined for `*` */
  readonly total?: number;
}

/** `bytes <start>-<end>/<total|*>`; undefined when malformed. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes\s+(\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/i.exec(header.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) return undefined;
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (total !== undefined && end >= total) return undefined;
  return { start, end, ...(total === undefined ? {} : { total }) };
}

/** `bytes *\/<total>` of a 416 answer */
export function parseUnsatisfiedRange(header: string | undefined): number | undefined {
  const match = /^bytes\s+\*\/(\d{1,15})$/i.exec(header?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

export interface ResumeAnswer {
  /** the offset we asked from (0: no Range header was sent) */
  readonly requestedFrom: number;
  readonly status: number;
  readonly contentRange?: string;
  readonly contentLength?: string;
}

export type ResumeDecision =
  /**
   * write the body at `from`; `expectedEnd`: where the file ends once this body is written, and
   * `total`: the whole file's size, when the answer says so (a 206 may send less than the rest)
   */
  | { readonly action: 'write'; readonly from: number; readonly expectedEnd?: number; readonly total?: number }
  /** throw the partial file away and ask again from byte 0 (the body is not used) */
  | { readonly action: 'restart'; readonly message: string }
  /** the partial file is already whole */
  | { readonly action: 'complete'; readonly size: number }
  | { readonly action: 'fail'; readonly message: string };

function lengthOf(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header);
}

export function decideResume(answer: ResumeAnswer): ResumeDecision {
  const { requestedFrom: from, status } = answer;
  const contentLength = lengthOf(answer.contentLength);
  if (status === 200) {
    return { action: 'write', from: 0, ...(contentLength === undefined ? {} : { expectedEnd: contentLength, total: contentLength }) };
  }
  if (status === 206) {
    const range = parseContentRange(answer.contentRange);
    if (from === 0 && range === undefined) return { action: 'restart', message: 'a 206 answer to a request without Range' };
    if (range === undefined) return { action: 'restart', message: `unreadable Content-Range ${JSON.stringify(answer.contentRange ?? null)}` };
    if (range.start !== from) return { action: 'restart', message: `asked from byte ${from}, the server sent from ${range.start}` };
    if (contentLength !== undefined && contentLength !== range.end - range.start + 1) {
      return { action: 'restart', message: `Content-Length ${contentLength} does not match Content-Range ${answer.contentRange ?? ''}` };
    }
    // A server may send less than asked (end < total - 1): we write what came and ask again for the rest.
    return { action: 'write', from, expectedEnd: range.end + 1, ...(range.total === undefined ? {} : { total: range.total }) };
  }
  if (status === 416 && from > 0) {
    const total = parseUnsatisfiedRange(answer.contentRange);
    if (total === from) return { action: 'complete', size: from };
    return { action: 'restart', message: `the server cannot serve from byte ${from} (${total === undefined ? 'size unknown' : `size ${total}`})` };
  }
  return { action: 'fail', message: `HTTP ${status}` };
}
