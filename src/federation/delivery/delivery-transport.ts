/** One signed POST to an inbox. */
export interface DeliveryRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  /** Aborted when the job queue stops: the attempt is abandoned, not recorded. */
  readonly signal: AbortSignal;
}

export type DeliveryResponse =
  | { readonly ok: true; readonly status: number; readonly retryAfter: string | undefined; readonly bodySnippet: string }
  | { readonly ok: false; readonly reason: DeliveryTransportFailure };

/**
 * No HTTP answer: `timeout` and `network` are retried; `aborted` (the queue is stopping) is not
 * recorded; `refused` means the transport will never send there (an SSRF guard refused the address,
 * a redirect was required): the delivery is given up and the host's health is left alone.
 */
export interface DeliveryTransportFailure {
  readonly type: 'timeout' | 'network' | 'aborted' | 'refused';
  readonly detail?: string;
}

/**
 * The port through which deliveries reach the network. The composition root may give an
 * SSRF-guarded one (inbox URLs come from remote actors); tests a plain one on 127.0.0.1.
 */
export interface DeliveryTransport {
  post(request: DeliveryRequest): Promise<DeliveryResponse>;
}

const SNIPPET_BYTES = 512;

/**
 * A transport over Node's fetch (undici, keep-alive). Redirects are not followed (a signed POST
 * cannot be replayed to another URL). Only the first bytes of an error answer are read.
 */
export function createFetchTransport(): DeliveryTransport {
  return {
    async post(request) {
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const signal = AbortSignal.any([timeout, request.signal]);
      try {
        const response = await fetch(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal,
        });
        const ok = response.status >= 200 && response.status < 300;
        const bodySnippet = ok ? await discard(response) : await readSnippet(response);
        return { ok: true, status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, bodySnippet };
      } catch (err) {
        if (request.signal.aborted) return { ok: false, reason: { type: 'aborted' } };
        if (timeout.aborted) return { ok: false, reason: { type: 'timeout', detail: `no answer within ${request.timeoutMs} ms` } };
        return { ok: false, reason: { type: 'network', detail: describeNetworkError(err) } };
      }
    },
  };
}

async function discard(response: Response): Promise<string> {
  await response.body?.cancel().catch(() => undefined);
  return '';
}

async function readSnippet(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still tells us the status.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return err.message;
}
