/**
 * Errors the HTTP layer answers with an `application/problem+json` body, in PeerTube's shape
 * (`type`, `title`, `status`, `detail`, plus `code` and the legacy `error` field its clients read).
 * Services return typed refusals; routers turn them into a Problem with a clear message.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemBody(status: number, detail: string, code?: string, extra: Record<string, unknown> = {}) {
  return {
    type: code ? `https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/${code}` : 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(code ? { code } : {}),
    error: detail,
    ...extra,
  };
}

export const badRequest = (detail: string, code?: string) => new Problem(400, detail, code);
export const unauthorized = (detail = 'Authentication is required', code?: string) => new Problem(401, detail, code);
export const forbidden = (detail = 'You do not have the right to do this') => new Problem(403, detail);
export const notFound = (detail: string) => new Problem(404, detail);
export const conflict = (detail: string, code?: string) => new Problem(409, detail, code);
