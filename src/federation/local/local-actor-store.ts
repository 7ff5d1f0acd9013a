import type { Prisma } from '../../db/index.js';
import { toLocalActor, type LocalActor, type LocalActorQueries } from './local-actors.js';

const include = { account: true, channel: { include: { account: { include: { actor: true } } } } } as const;

/** The local actor lookups over Prisma's `Actor` table (with account, channel and its owner). */
export function createLocalActorQueries(prisma: Prisma): LocalActorQueries {
  return {
    /** `/accounts/:name` answers the Person or the Application; `/video-channels/:name` the Group. */
    async findByName(name: string, where: 'accounts' | 'video-channels'): Promise<LocalActor | null> {
      const row = await prisma.actor.findFirst({
        where: { preferredUsername: name, host: null, type: where === 'video-channels' ? 'Group' : { in: ['Person', 'Application'] } },
        include,
      });
      return toLocalActor(row);
    },

    /** Any local actor by its name (local names are unique across accounts and channels). */
    async findByPreferredUsername(name: string): Promise<LocalActor | null> {
      return toLocalActor(await prisma.actor.findFirst({ where: { preferredUsername: name, host: null }, include }));
    },

    async findByUrl(url: string): Promise<LocalActor | null> {
      return toLocalActor(await prisma.actor.findFirst({ where: { url, host: null }, include }));
    },
  };
}
