import type { ActorLookup, ActorRecord } from '../../../src/federation/ports.js';

/** Actors in memory: the table the federation fakes join against, and the ActorLookup over it. */
export function createMemoryActors() {
  const rows: ActorRecord[] = [];
  let nextId = 1;

  /** Adds an actor; `url` and `preferredUsername` are required, the rest defaults (host null: ours). */
  function add(a: Partial<ActorRecord> & Pick<ActorRecord, 'url' | 'preferredUsername'>): ActorRecord {
    if (rows.some((r) => r.url === a.url)) throw new Error(`duplicate actor url ${a.url}`);
    const host = a.host === undefined ? null : a.host;
    if (rows.some((r) => r.preferredUsername === a.preferredUsername && r.host === host)) throw new Error(`duplicate actor ${a.preferredUsername}@${host}`);
    const now = new Date(0);
    const row: ActorRecord = {
      id: nextId++,
      type: 'Person',
      host,
      inboxUrl: `${a.url}/inbox`,
      sharedInboxUrl: null,
      outboxUrl: null,
      followersUrl: null,
      followingUrl: null,
      publicKeyPem: null,
      privateKeyPem: null,
      keyId: null,
      name: null,
      summary: null,
      lastFetchedAt: null,
      avatarFilename: null,
      avatarWidth: null,
      createdAt: now,
      updatedAt: now,
      ...a,
    };
    rows.push(row);
    return row;
  }

  const byId = (id: number): ActorRecord => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new Error(`no actor ${id}`);
    return row;
  };

  const lookup: ActorLookup = {
    async instanceActor() {
      const row = rows.find((r) => r.preferredUsername === 'peertube' && r.host === null);
      if (!row) throw new Error('no instance actor');
      return { ...row };
    },
    findInstanceActor: async () => rows.find((r) => r.preferredUsername === 'peertube' && r.host === null) ?? null,
    findByUrl: async (url) => rows.find((r) => r.url === url) ?? null,
    findLocalByUrl: async (url) => rows.find((r) => r.url === url && r.host === null) ?? null,
    findLocalByName: async (name) => rows.find((r) => r.preferredUsername === name && r.host === null) ?? null,
  };

  return { rows, add, byId, lookup };
}

export type MemoryActors = ReturnType<typeof createMemoryActors>;
