import { z } from 'zod';

/** The largest value of a PostgreSQL `integer` column: row ids above it can name no row. */
export const MAX_DB_ID = 2_147_483_647;

/** A row id from a path segment: a positive integer within PostgreSQL's `integer` range, else null. */
export function parseDbId(text: string | undefined): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(text ?? '')) return null;
  const id = Number(text);
  return id <= MAX_DB_ID ? id : null;
}

/** A row id in a request body (numbers or numeric strings), within PostgreSQL's `integer` range. */
export const dbIdSchema = z.coerce.number().int().positive().max(MAX_DB_ID);
