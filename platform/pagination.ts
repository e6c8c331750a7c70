/**
 * Cursor connections. Cursors are opaque (base64url JSON of the sort key) so a page stays stable
 * while rows are inserted; pages have a hard maximum so nobody pulls a whole table by accident.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { sql, type SQLWrapper } from 'drizzle-orm';
import { rowsOf, sqlState, type Queryable } from '../db/client.ts';
import { errors } from './errors.ts';
import { isUuid } from './input.ts';
import { selectedFields } from './selection.ts';
import { YEARS } from './scalars.ts';

export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** The operation asks for `totalCount` (or whether it is an estimate): the service counts beside fetching the page (countBeside). */
  counted?: boolean;
}

export interface Connection<T = unknown> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** A function so the COUNT(*) runs only when a client asks for it (graphql-js calls it). */
  totalCount: () => Promise<number>;
  /** Whether `totalCount` is an estimate (above the exact limit): the same count, asked once (or known already). */
  totalCountIsEstimate: boolean | (() => Promise<boolean>);
}

/**
 * A list's count: exact, or — when more rows match than a list counts exactly — the planner's
 * estimate, marked (clients show it as "约 1,000,000", as search engines do).
 */
export interface ListCount {
  count: number;
  estimate: boolean;
}

/** What a list's count function answers: a plain number is exact. */
export type Counted = number | ListCount;

/**
 * How a list counts its rows: exactly up to `upTo` matches, and within `withinMs` milliseconds when
 * given (a statement timeout on the count); above that many rows, or past that time, `totalCount`
 * is the planner's estimate, marked. The platform sets both (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS).
 */
export interface CountLimit {
  upTo: number;
  withinMs?: number | undefined;
}

/**
 * Where a context was built without the platform's setting (sample data, a use case called
 * directly): a thousand rows, no time box. The platform's default (env.ts) adds 25 ms. Reading a
 * thousand rows costs a millisecond or two whatever the filter, where the exact count of a word in
 * all 1M issues read every one of them (1.6 s); the time box bounds the rest — a common word with
 * a rare filter, whose few matches the planner (multiplying the character pairs' frequencies as if
 * they were independent) reads through the search index's whole posting lists.
 */
export const DEFAULT_COUNT_LIMIT: CountLimit = { upTo: 1000 };

/**
 * Counts the rows of `rows` (a `select` of a list's matching rows, without order or limit; or
 * several disjoint ones, summed) exactly up to `limit.upTo`: over subqueries limited to
 * `upTo + 1` rows, cheap when few match and bounded when many do. Above it, the count is the
 * planner's estimate of the same rows (EXPLAIN's row estimate, never below `upTo + 1`), marked as
 * an estimate; so is a count that does not finish within `limit.withinMs` (the planner's estimate
 * as it is: the rows were not all seen).
 */
export async function countUpTo(db: Queryable, rows: SQLWrapper | readonly SQLWrapper[], limit: CountLimit): Promise<ListCount> {
  const parts: readonly SQLWrapper[] = Array.isArray(rows) ? rows : [rows as SQLWrapper];
  if (!parts.length) return { count: 0, estimate: false };
  const cap = Math.max(0, Math.floor(limit.upTo));
  // The limit is written into the text (an integer): a parameter would leave the planner guessing
  // how many rows are wanted, and it plans the cheap early stop only when it knows.
  const capped = parts.map((part) => sql`(select count(*) from (${part} limit ${sql.raw(String(cap + 1))}) as capped)`);
  const statement = sql`select (${sql.join(capped, sql` + `)})::int as n`;
  const n = limit.withinMs ? await withinTime(db, statement, limit.withinMs) : firstNumber(await db.execute(statement));
  if (n !== null && n <= cap) return { count: n, estimate: false };
  const [only] = parts;
  const all =
    parts.length === 1 && only
      ? only
      : sql.join(
          parts.map((part) => sql`(${part})`),
          sql` union all `,
        );
  const planned = await plannedRows(db, all);
  return { count: n === null ? planned : Math.max(cap + 1, planned), estimate: true };
}

const firstNumber = (result: unknown): number => Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);

/** SQLSTATE query_canceled: the statement timeout. */
const QUERY_CANCELED = '57014';

/**
 * A count under a statement timeout of its own, in a transaction (or, in a caller's transaction, a
 * savepoint — whose SET LOCAL would outlive it, so the caller's timeout is put back): null when it
 * runs out.
 */
async function withinTime(db: Queryable, statement: SQLWrapper, ms: number): Promise<number | null> {
  try {
    return await db.transaction(async (tx) => {
      const [before] = rowsOf<{ previous: string }>(
        await tx.execute(
          sql`select current_setting('statement_timeout') as previous, set_config('statement_timeout', ${String(Math.max(1, Math.ceil(ms)))}, true)`,
        ),
      );
      const n = firstNumber(await tx.execute(statement));
      await tx.execute(sql`select set_config('statement_timeout', ${before?.previous ?? '0'}, true)`);
      return n;
    });
  } catch (error) {
    if (sqlState(error) === QUERY_CANCELED) return null;
    throw error;
  }
}

/** The count limit of a slice's context (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS), or the default. */
export const exactCountLimit = (ctx: { countLimit?: CountLimit | undefined }): CountLimit => ctx.countLimit ?? DEFAULT_COUNT_LIMIT;

/** The planner's estimate of how many rows a statement returns (EXPLAIN's top plan node). */
export async function plannedRows(db: Queryable, statement: SQLWrapper): Promise<number> {
  const [row] = rowsOf<Record<string, unknown>>(await db.execute(sql`explain (format json) ${statement}`));
  const value = row ? Object.values(row)[0] : undefined;
  const plans = (typeof value === 'string' ? JSON.parse(value) : value) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  return Math.round(Number(plans?.[0]?.Plan?.['Plan Rows'] ?? 0));
}

/** A count as a list answers it: a plain number is exact. */
export const listCount = (counted: Counted): ListCount => (typeof counted === 'number' ? { count: counted, estimate: false } : counted);

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
  count: () => Promise<Counted>,
  hasPreviousPage = false,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorKey(node)), node }));
  let counted: Promise<ListCount> | undefined;
  const answer = () => (counted ??= count().then(listCount));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => (await answer()).count,
    totalCountIsEstimate: async () => (await answer()).estimate,
  };
}

/**
 * A connection's count when the operation asks for it: started now, beside the page, on a
 * connection of its own, instead of after the page arrives; left to graphql-js otherwise.
 */
export function countBeside<C extends Counted>(asked: boolean | undefined, count: () => Promise<C>): () => Promise<C> {
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
  const fields = selectedFields(info);
  return fields.has('totalCount') || fields.has('totalCountIsEstimate');
}
