import path from 'node:path';

/** Why a requested path was refused. Never shown to the client (it only sees 404). */
export type PathRefusalType =
  | 'empty'
  | 'bad-encoding'
  | 'encoded-separator'
  | 'nul-byte'
  | 'control-character'
  | 'backslash'
  | 'absolute'
  | 'empty-segment'
  | 'dot-segment'
  | 'dot-dot'
  | 'hidden-file'
  | 'outside-root';

export interface PathRefusal {
  type: PathRefusalType;
}

export type ResolveResult = { ok: true; path: string } | { ok: false; reason: PathRefusal };

// %2F (/), %5C (\) and %00 are refused before decoding: once decoded they can no longer be told
// apart from real separators / terminators. Also catches double encoding of them (%252F).
const ENCODED_FORBIDDEN = /%(?:25)*(?:2f|5c|00)/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Maps the still URL-encoded remainder of a request path (what follows the mount prefix) onto a
 * file below `root`. Purely lexical (no file-system access): call `realpathInside` before opening
 * the file to also catch symlinks that point outside `root`.
 *
 * Refused: encoded separators and NUL, bad percent-encoding, NUL / control characters, backslashes,
 * absolute paths, empty, `.` and `..` segments, and hidden files (segments starting with `.`,
 * which is where temporary downloads live).
 */
export function resolveInside(root: string, relativePath: string): ResolveResult {
  if (ENCODED_FORBIDDEN.test(relativePath)) return refuse('encoded-separator');

  let decoded: string;
  try {
    decoded = decodeURIComponent(relativePath);
  } catch {
    return refuse('bad-encoding');
  }

  if (decoded.length === 0) return refuse('empty');
  if (decoded.includes('\0')) return refuse('nul-byte');
  if (CONTROL.test(decoded)) return refuse('control-character');
  if (decoded.includes('\\')) return refuse('backslash');
  if (decoded.startsWith('/') || path.isAbsolute(decoded)) return refuse('absolute');

  for (const segment of decoded.split('/')) {
    if (segment === '') return refuse('empty-segment');
    if (segment === '..') return refuse('dot-dot');
    if (segment === '.') return refuse('dot-segment');
    if (segment.startsWith('.')) return refuse('hidden-file');
  }

  const absoluteRoot = path.resolve(root);
  const candidate = path.resolve(absoluteRoot, decoded);
  if (!isInside(absoluteRoot, candidate)) return refuse('outside-root');

  return { ok: true, path: candidate };
}

/** True when `candidate` is strictly below `root` (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function refuse(type: PathRefusalType): ResolveResult {
  return { ok: false, reason: { type } };
}
