import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** A relay announced to its origin: what withdrawing it takes. */
export interface AnnouncedRelay {
  uuid: string;
  originInbox: string;
  /** the Create CacheFile we sent (its Undo embeds it) */
  create: Record<string, unknown>;
}

/** Where announced relays are remembered, so that a crashed run's relays are withdrawn at the next start. */
export interface RelayJournal {
  load(): Promise<AnnouncedRelay[]>;
  save(relays: AnnouncedRelay[]): Promise<void>;
}

const journalSchema = z.array(z.object({ uuid: z.string().regex(/^[0-9a-f-]{36}$/), originInbox: z.string().url(), create: z.record(z.string(), z.unknown()) }));

/** The journal as a JSON file (written whole: temporary name, then rename). A missing or unreadable file is an empty journal. */
export function fileRelayJournal(path: string): RelayJournal {
  return {
    async load() {
      try {
        const parsed = journalSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
        return parsed.success ? parsed.data : [];
      } catch {
        return [];
      }
    },
    async save(relays) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, JSON.stringify(relays));
      await rename(`${path}.tmp`, path);
    },
  };
}
