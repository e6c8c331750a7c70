/**
 * Cursor connections. Cursors are opaque (base64url JSON of the sort key) so a page stays stable
 * while rows are inserted; pages have a hard maximum so nobody pulls a whole table by accident.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { errors } from './errors.ts';
import { isUuid } from './input.ts';
import { selectedFields } from './selection.ts';
import { YEARS } from './scalars.ts';

export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** The operation asks for `totalCount`: the service counts beside fetching the page (countBeside). */
  counted?: boolean;
}

export interface Connection<T = unknown> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** A function so the COUNT(*) runs only when a client asks for it (graphql-js calls it). */
  totalCount: () => Promise<number>;
}

export function pageSize(first: number | null | undefined, maxPageSize: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (!Number.isInteger(first) || first < 0) {
    throw errors.badInput('first', { zh: 'first 必须是非负整数', en: '`first` must be a non-negative integer' });
  }
  if (first > maxPageSize) throw errors.pageTooLarge(maxPageSize, first);
  return first;
}

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor this API produced; anything else is the caller's mistake, not a crash. */
export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key;
  } catch {
    // fall through to the coded error
  }
  throw invalidCursor();
}

/** A cursor over an integer sort key (a position, a serial id): anything else would reach SQL as NaN. */
export function decodeIntegerCursor(cursor: string): number {
  const [key] = decodeCursor(cursor, 1);
  if (typeof key === 'number' && Number.isSafeInteger(key)) return key;
  throw invalidCursor();
}

/**
 * A cursor over (an instant, a tiebreaking key) as this API writes it: `[iso, id]`. The key is a
 * UUID or a serial number; anything else is the caller's mistake, refused before it reaches SQL.
 */
export function decodeInstantCursor(cursor: string, key: 'uuid'): { at: Date; id: string };
export function decodeInstantCursor(cursor: string, key: 'serial'): { at: Date; id: number };
export function decodeInstantCursor(cursor: string, key: 'uuid' | 'serial'): { at: Date; id: string | number } {
  const [at, id] = decodeCursor(cursor, 2);
  const instant = typeof at === 'string' ? new Date(at) : new Date(NaN);
  // Year 0 or 275760 parses, and PostgreSQL refuses it mid-query: only the years a date can have here.
  const year = instant.getUTCFullYear();
  if (Number.isNaN(instant.getTime()) || year < YEARS.min || year > YEARS.max) throw invalidCursor();
  if (key === 'uuid' ? typeof id === 'string' && isUuid(id) : typeof id === 'number' && Number.isSafeInteger(id))
    return { at: instant, id: id as string | number };
  throw invalidCursor();
}

function invalidCursor() {
  return errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

/**
 * Builds a connection from `size + 1` fetched rows: the extra row only tells whether a next page exists.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  cursorKey: (row: T) => readonly unknown[],
  count: () => Promise<number>,
  hasPreviousPage = false,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorKey(node)), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => (counted ??= count()),
  };
}

/**
 * A connection's count when the operation asks for it: started now, beside the page, on a
 * connection of its own, instead of after the page arrives; left to graphql-js otherwise.
 */
export function countBeside(asked: boolean | undefined, count: () => Promise<number>): () => Promise<number> {
  if (!asked) return count;
  const started = count();
  // Read by the totalCount resolver; a failure of the page first must not leave it unhandled.
  started.catch(() => {});
  return () => started;
}

/** A list field's paging arguments, with whether the operation asks for its `totalCount`. */
export function pageArgs(args: { first?: number | null; after?: string | null }, info: GraphQLResolveInfo): PageArgs {
  return { first: args.first, after: args.after, counted: selectsTotalCount(info) };
}

/**
 * Whether the operation asks for `totalCount` on the connection a resolver returns (through
 * fragments too). A service can then count beside fetching the page, not after it.
 */
function selectsTotalCount(info: GraphQLResolveInfo): boolean {
  return selectedFields(info).has('totalCount');
}
