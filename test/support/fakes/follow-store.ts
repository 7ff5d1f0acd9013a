import type { FollowState, FollowStore, FollowWithActors } from '../../../src/federation/follows/follows.js';
import type { MemoryActors } from './actor-lookup-store.js';

interface FollowRow {
  id: number;
  followerId: number;
  followingId: number;
  state: FollowState;
  url: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The follows table in memory, joined with `actors` like the Prisma store's includes. Keeps the
 * table's constraints: one follow per (follower, following), unique Follow urls.
 */
export function createMemoryFollowStore(actors: MemoryActors, clock: { now(): Date } = { now: () => new Date() }) {
  const rows: FollowRow[] = [];
  let nextId = 1;

  const withActors = (r: FollowRow): FollowWithActors => ({ ...r, follower: { ...actors.byId(r.followerId) }, following: { ...actors.byId(r.followingId) } });
  const checkUrl = (url: string | null, id: number) => {
    if (url !== null && rows.some((r) => r.url === url && r.id !== id)) throw new Error(`unique violation: follow url ${url}`);
  };
  const rowOf = (id: number): FollowRow => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new Error(`record to update not found: follow ${id}`);
    return row;
  };
  const pairOf = (followerId: number, followingId: number) => rows.find((r) => r.followerId === followerId && r.followingId === followingId);
  function insert(data: { followerId: number; followingId: number; state: FollowState; url: string | null }): FollowRow {
    if (pairOf(data.followerId, data.followingId)) throw new Error('unique violation: follow pair');
    actors.byId(data.followerId);
    actors.byId(data.followingId);
    const id = nextId++;
    checkUrl(data.url, id);
    const row = { id, ...data, createdAt: clock.now(), updatedAt: clock.now() };
    rows.push(row);
    return row;
  }

  const store: FollowStore = {
    async find({ followerId, followingId }) {
      const row = pairOf(followerId, followingId);
      return row ? withActors(row) : null;
    },
    async createPending(pair, urlOf) {
      const row = insert({ ...pair, state: 'pending', url: null });
      row.url = urlOf(row.id);
      checkUrl(row.url, row.id);
      return withActors(row);
    },
    async findWith({ localActorId, side, preferredUsername, host }) {
      const row = rows.find((r) => {
        if ((side === 'following' ? r.followerId : r.followingId) !== localActorId) return false;
        const other = actors.byId(side === 'following' ? r.followingId : r.followerId);
        return other.preferredUsername === preferredUsername && other.host === host;
      });
      return row ? withActors(row) : null;
    },
    async recordInbound({ followerId, followingId, url, state }) {
      const had = pairOf(followerId, followingId);
      if (!had) return { follow: withActors(insert({ followerId, followingId, state, url })), existed: false };
      checkUrl(url, had.id);
      had.url = url;
      if (state === 'accepted') had.state = state;
      had.updatedAt = clock.now();
      return { follow: withActors(had), existed: true };
    },
    async accept(id) {
      const row = rowOf(id);
      row.state = 'accepted';
      row.updatedAt = clock.now();
    },
    async remove(id) {
      rows.splice(rows.indexOf(rowOf(id)), 1);
    },
    async page(q) {
      const matching = rows
        .filter((r) => (q.direction === 'following' ? r.followerId : r.followingId) === q.localActorId && (!q.state || r.state === q.state))
        .sort((a, b) => (a.createdAt.getTime() - b.createdAt.getTime()) * (q.newestFirst ? -1 : 1) || a.id - b.id);
      return { total: matching.length, data: matching.slice(q.start, q.start + q.count).map(withActors) };
    },
    async findOurFollowOf({ followingUrl, followerUrl, url }) {
      const row = rows.find((r) => {
        const follower = actors.byId(r.followerId);
        return actors.byId(r.followingId).url === followingUrl && follower.host === null && (followerUrl === undefined || follower.url === followerUrl) && (url === undefined || r.url === url);
      });
      return row ? withActors(row) : null;
    },
    async removeInbound({ followerUrl, followingUrl }) {
      const gone = rows.filter((r) => {
        const following = actors.byId(r.followingId);
        return actors.byId(r.followerId).url === followerUrl && following.url === followingUrl && following.host === null;
      });
      for (const r of gone) rows.splice(rows.indexOf(r), 1);
      return gone.length;
    },
    async acceptedFollowers(followingIds) {
      return rows.filter((r) => followingIds.includes(r.followingId) && r.state === 'accepted').map((r) => ({ ...actors.byId(r.followerId) }));
    },
    async acceptedActorUrls({ localActorId, direction, start, count }) {
      const matching = rows.filter((r) => (direction === 'followers' ? r.followingId : r.followerId) === localActorId && r.state === 'accepted').sort((a, b) => a.id - b.id);
      return { total: matching.length, urls: matching.slice(start, start + count).map((r) => actors.byId(direction === 'followers' ? r.followerId : r.followingId).url) };
    },
    async acceptedFollowings(followerId) {
      return rows.filter((r) => r.followerId === followerId && r.state === 'accepted').map((r) => ({ ...actors.byId(r.followingId) }));
    },
  };
  return Object.assign(store, { rows });
}
