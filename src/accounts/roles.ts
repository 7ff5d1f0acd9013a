/** PeerTube's user roles and the rights we check. */
export const UserRole = { ADMINISTRATOR: 0, MODERATOR: 1, USER: 2 } as const;
export type UserRoleId = (typeof UserRole)[keyof typeof UserRole];

export const ROLE_LABELS: Record<number, string> = { 0: 'Administrator', 1: 'Moderator', 2: 'User' };

export type UserRight = 'MANAGE_USERS' | 'MANAGE_JOBS' | 'MANAGE_LOGS' | 'MANAGE_SERVER_FOLLOW' | 'MANAGE_VIDEOS_REDUNDANCIES' | 'MANAGE_ANY_VIDEO' | 'SEE_ALL_VIDEOS';

const MODERATOR_RIGHTS: UserRight[] = ['MANAGE_ANY_VIDEO', 'SEE_ALL_VIDEOS'];

export function hasRight(role: number, right: UserRight): boolean {
  if (role === UserRole.ADMINISTRATOR) return true;
  if (role === UserRole.MODERATOR) return MODERATOR_RIGHTS.includes(right);
  return false;
}
