/** A remote actor's inbox addresses, as stored (`Actor.inboxUrl`, `sharedInboxUrl`). */
export interface InboxOwner {
  /** null for local actors */
  readonly host: string | null;
  readonly inboxUrl: string;
  readonly sharedInboxUrl?: string | null;
}

/** The inboxes to deliver to for these actors: shared inboxes where they have one; local actors dropped. */
export function inboxesOf(actors: Iterable<InboxOwner>): string[] {
  const inboxes = new Set<string>();
  for (const actor of actors) {
    if (actor.host === null) continue;
    inboxes.add(actor.sharedInboxUrl ?? actor.inboxUrl);
  }
  return [...inboxes];
}

export type InboxSkipReason = 'invalid-url' | 'duplicate' | 'local' | 'host-blocked';

export interface InboxTarget {
  /** Normalised URL (no fragment). */
  readonly inbox: string;
  /** host[:port] as in `RemoteServer.host` (lowercase, default port omitted). */
  readonly host: string;
}

export interface InboxPlan {
  readonly targets: readonly InboxTarget[];
  readonly skipped: ReadonlyArray<{ readonly inbox: string; readonly reason: InboxSkipReason }>;
}

/** The host key of an inbox URL (`RemoteServer.host`), or undefined when it is not an http(s) URL. */
export function hostOfInbox(inbox: string): string | undefined {
  return parseInbox(inbox)?.host;
}

/**
 * Normalises and deduplicates inbox URLs, dropping what is not http(s), our own host, and
 * blocked hosts (give `blockedHosts` after a first call has told you the hosts: see {@link hostsOf}).
 */
export function planInboxes(
  inboxes: readonly string[],
  context: { readonly localHost?: string | undefined; readonly blockedHosts?: ReadonlySet<string> },
): InboxPlan {
  const targets: InboxTarget[] = [];
  const skipped: Array<{ inbox: string; reason: InboxSkipReason }> = [];
  const seen = new Set<string>();
  const localHost = context.localHost?.toLowerCase();
  for (const raw of inboxes) {
    const url = parseInbox(raw);
    if (!url) {
      skipped.push({ inbox: raw, reason: 'invalid-url' });
      continue;
    }
    const inbox = url.href;
    if (seen.has(inbox)) {
      skipped.push({ inbox, reason: 'duplicate' });
      continue;
    }
    seen.add(inbox);
    if (localHost !== undefined && url.host === localHost) skipped.push({ inbox, reason: 'local' });
    else if (context.blockedHosts?.has(url.host)) skipped.push({ inbox, reason: 'host-blocked' });
    else targets.push({ inbox, host: url.host });
  }
  return { targets, skipped };
}

/** The distinct hosts of the valid inboxes. */
export function hostsOf(inboxes: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const inbox of inboxes) {
    const host = hostOfInbox(inbox);
    if (host !== undefined) hosts.add(host);
  }
  return [...hosts];
}

function parseInbox(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  url.hash = '';
  return url;
}
