import { COLLECTION_PAGE_SIZE } from './constants.js';

/**
 * An OrderedCollection's summary, as PeerTube answers a collection URL without `?page=`:
 * `first` is `<id>?page=1`, omitted when the collection is empty.
 */
export function buildOrderedCollection(input: { id: string; totalItems: number }) {
  return {
    id: input.id,
    type: 'OrderedCollection' as const,
    totalItems: input.totalItems,
    ...(input.totalItems > 0 ? { first: `${input.id}?page=1` } : {}),
  };
}

/** One page (`?page=N`, from 1) with PeerTube's `prev`/`next`/`partOf` links. */
export function buildOrderedCollectionPage<T>(input: { id: string; page: number; size?: number; totalItems: number; items: T[] }) {
  const size = input.size ?? COLLECTION_PAGE_SIZE;
  return {
    id: `${input.id}?page=${input.page}`,
    type: 'OrderedCollectionPage' as const,
    ...(input.page > 1 ? { prev: `${input.id}?page=${input.page - 1}` } : {}),
    ...(input.totalItems > input.page * size ? { next: `${input.id}?page=${input.page + 1}` } : {}),
    partOf: input.id,
    orderedItems: input.items,
    totalItems: input.totalItems,
  };
}

/** The rows a page covers: `start` (offset) and `count`. */
export function pageWindow(page: number, size: number = COLLECTION_PAGE_SIZE): { start: number; count: number } {
  return { start: (Math.max(1, page) - 1) * size, count: size };
}
