import type { Prisma } from '../../db/index.js';

const DAY = 86_400_000;

/** NodeInfo `usage`: users (active: logged in or refreshed a token within 30 / 180 days) and local public videos. */
export async function nodeUsage(prisma: Prisma, now: Date) {
  const activeSince = async (days: number) =>
    (await prisma.oAuthToken.findMany({ where: { createdAt: { gte: new Date(now.getTime() - days * DAY) } }, distinct: ['userId'], select: { userId: true } })).length;
  const [total, activeMonth, activeHalfyear, localPosts] = await Promise.all([
    prisma.user.count(),
    activeSince(30),
    activeSince(180),
    prisma.video.count({ where: { isLocal: true, privacy: 1, state: 1 } }),
  ]);
  return { users: { total, activeMonth, activeHalfyear }, localPosts, localComments: 0 };
}

export type NodeUsage = Awaited<ReturnType<typeof nodeUsage>>;
