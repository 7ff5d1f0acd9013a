/** The parameters of a draft-cavage `Signature` header (or `Authorization: Signature …`). */
export interface SignatureParams {
  readonly keyId: string;
  /** Lower-cased; undefined when the sender left it out (then it means hs2019: "ask the key"). */
  readonly algorithm: string | undefined;
  /** Lower-cased signed header names in signing order, pseudo-headers included. */
  readonly headers: readonly string[];
  readonly signature: Buffer;
  /** `created` / `expires` parameters, in seconds since the epoch. */
  readonly created: number | undefined;
  readonly expires: number | undefined;
}

export type MalformedSignature = { readonly type: 'malformed-signature'; readonly detail: string };

export type ParseSignatureResult =
  | { readonly ok: true; readonly params: SignatureParams }
  | { readonly ok: false; readonly reason: MalformedSignature };

const MAX_HEADER_LENGTH = 16 * 1024;
const KNOWN = new Map(
  ['keyId', 'algorithm', 'headers', 'signature', 'created', 'expires'].map((name) => [name.toLowerCase(), name]),
);

function malformed(detail: string): { ok: false; reason: MalformedSignature } {
  return { ok: false, reason: { type: 'malformed-signature', detail } };
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;
const isNameChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;

/** Splits `name="value", name=123` into pairs; quoted values may contain commas and `\"` escapes. */
function tokenize(input: string): Array<[string, string]> | string {
  const pairs: Array<[string, string]> = [];
  const end = input.length;
  let i = 0;
  while (true) {
    while (i < end && (isSpace(input.charCodeAt(i)) || input.charCodeAt(i) === 0x2c)) i++;
    if (i >= end) return pairs;
    const nameStart = i;
    while (i < end && isNameChar(input.charCodeAt(i))) i++;
    const name = input.slice(nameStart, i);
    if (name === '') return `unexpected character at ${i}`;
    while (i < end && isSpace(input.charCodeAt(i))) i++;
    if (input.charCodeAt(i) !== 0x3d) return `expected "=" after ${name}`;
    i++;
    while (i < end && isSpace(input.charCodeAt(i))) i++;
    let value: string;
    if (input.charCodeAt(i) === 0x22) {
      const close = input.indexOf('"', i + 1);
      let j = i + 1;
      value = '';
      if (close >= 0 && input.lastIndexOf('\\', close) < j) {
        value = input.slice(j, close); // common case: no escapes
        j = close + 1;
      } else {
        let closed = false;
        while (j < end) {
          const c = input.charAt(j++);
          if (c === '\\' && j < end) value += input.charAt(j++);
          else if (c === '"') {
            closed = true;
            break;
          } else value += c;
        }
        if (!closed) return `unterminated quoted value for ${name}`;
      }
      i = j;
      while (i < end && isSpace(input.charCodeAt(i))) i++;
      if (i < end && input.charCodeAt(i) !== 0x2c) return `expected "," after ${name}`;
    } else {
      const comma = input.indexOf(',', i);
      const valueEnd = comma < 0 ? end : comma;
      value = input.slice(i, valueEnd).trim();
      i = valueEnd;
    }
    pairs.push([name, value]);
  }
}

function parseTimestamp(value: string | undefined): number | undefined | 'invalid' {
  if (value === undefined) return undefined;
  return /^\d{1,12}(\.\d{1,9})?$/.test(value) ? Number(value) : 'invalid';
}

/**
 * Parses a draft-cavage signature header value (pure). Accepts an optional leading `Signature`
 * auth-scheme, as found in `Authorization` headers. Unknown parameters are ignored; a repeated
 * parameter, a missing keyId or signature, or a signature that is not base64 is malformed.
 */
export function parseSignatureHeader(header: string): ParseSignatureResult {
  if (header.length > MAX_HEADER_LENGTH) return malformed('signature header too long');
  const input = header.trim().replace(/^signature\s+(?=[A-Za-z0-9_-]+\s*=)/i, '');
  const pairs = tokenize(input);
  if (typeof pairs === 'string') return malformed(pairs);

  const values = new Map<string, string>();
  for (const [rawName, value] of pairs) {
    const name = KNOWN.get(rawName.toLowerCase());
    if (name === undefined) continue;
    if (values.has(name)) return malformed(`repeated parameter ${name}`);
    values.set(name, value);
  }

  const keyId = values.get('keyId');
  if (keyId === undefined || keyId === '') return malformed('missing keyId');
  const signatureText = values.get('signature');
  if (signatureText === undefined || signatureText === '') return malformed('missing signature');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureText)) return malformed('signature is not base64');
  const created = parseTimestamp(values.get('created'));
  if (created === 'invalid') return malformed('created is not a timestamp');
  const expires = parseTimestamp(values.get('expires'));
  if (expires === 'invalid') return malformed('expires is not a timestamp');
  const headerList = (values.get('headers') ?? 'date').toLowerCase().split(/\s+/).filter((h) => h !== '');
  if (headerList.length === 0) return malformed('empty headers list');

  return {
    ok: true,
    params: {
      keyId,
      algorithm: values.get('algorithm')?.toLowerCase(),
      headers: headerList,
      signature: Buffer.from(signatureText, 'base64'),
      created,
      expires,
    },
  };
}

/** Serialises signature parameters into a `Signature` header value. */
export function formatSignatureHeader(params: {
  keyId: string;
  algorithm: string;
  headers: readonly string[];
  signature: string;
  created?: number;
  expires?: number;
}): string {
  const quote = (value: string): string => `"${value.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`keyId=${quote(params.keyId)}`, `algorithm=${quote(params.algorithm)}`];
  if (params.created !== undefined) parts.push(`created=${params.created}`);
  if (params.expires !== undefined) parts.push(`expires=${params.expires}`);
  parts.push(`headers=${quote(params.headers.join(' '))}`, `signature=${quote(params.signature)}`);
  return parts.join(',');
}
