/**
 * A serving pool keeps the statements it sends prepared on its connections (one round trip instead
 * of describe-then-execute, and a plan PostgreSQL may keep), up to a bound on distinct texts, so a
 * text that varies — an IN list of every length — cannot fill a connection's memory.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, PLANNED_EACH_TIME, rowsOf, type DatabaseHandle } from '../db/client.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;
let single: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  await prepareDatabase(database.handle, slices, { sample: false });
  // One connection, so every statement below meets the same session's prepared statements.
  single = database.url ? openPostgres(database.url, { maxConnections: 1 }) : database.handle;
});

afterAll(async () => {
  if (single !== database?.handle) await single?.close();
  await database?.drop();
});

const preparedTexts = async (db: ReturnType<DatabaseHandle['forSubgraph']>['db']) =>
  rowsOf<{ statement: string }>(await db.execute(sql`select statement from pg_prepared_statements`)).map((row) => row.statement);

describe('statements a serving pool sends', () => {
  it('are prepared once per connection and answer the same, parameters and all', async () => {
    const { db } = single.forSubgraph('issues');
    const read = () =>
      db.execute(sql`select count(*)::int as n from issues.issues where received_at < ${new Date().toISOString()}::timestamptz`);
    const first = rowsOf<{ n: number }>(await read());
    const again = rowsOf<{ n: number }>(await read());
    expect(again).toEqual(first);
    if (database.kind === 'postgres') {
      const texts = await preparedTexts(db);
      expect(texts.filter((text) => text.includes('from issues.issues where received_at <'))).toHaveLength(1);
    }
  });

  it('keeps at most 500 distinct texts prepared; any further text still runs, unnamed', async () => {
    const { db } = single.forSubgraph('units');
    for (let i = 0; i < 520; i++) {
      // A parameter each: postgres.js sends a statement without one as a simple query, never prepared.
      const [row] = rowsOf<{ n: number }>(await db.execute(sql`select ${sql.raw(String(i))}::int + ${0}::int as n`));
      expect(row!.n).toBe(i);
    }
    if (database.kind === 'postgres') {
      const texts = await preparedTexts(db);
      // (postgres.js prepares one statement of its own, reading the array types, on each connection.)
      expect(texts.filter((text) => text.endsWith('::int + $1::int as n'))).toHaveLength(500);
      expect(texts).toContain('select 0::int + $1::int as n');
      expect(texts).not.toContain('select 519::int + $1::int as n');
    }
  });

  it('never prepares a statement marked to be planned each time (the outbox worker’s), so its plan follows the rows of the moment', async () => {
    const { db } = single.forSubgraph('issues');
    const marked = () =>
      db.execute(
        sql`${sql.raw(PLANNED_EACH_TIME)} select count(*)::int as n from issues.outbox_events where occurred_at < ${new Date().toISOString()}::timestamptz`,
      );
    const [first] = rowsOf<{ n: number }>(await marked());
    const [again] = rowsOf<{ n: number }>(await marked());
    expect(again).toEqual(first);
    if (database.kind === 'postgres') {
      const texts = await preparedTexts(db);
      expect(texts.some((text) => text.includes('from issues.outbox_events where occurred_at <'))).toBe(false);
      // The same text without the mark is prepared as usual: the mark is what decides.
      await db.execute(
        sql`select count(*)::int as n from issues.outbox_events where occurred_at < ${new Date().toISOString()}::timestamptz`,
      );
      expect((await preparedTexts(db)).some((text) => text.includes('from issues.outbox_events where occurred_at <'))).toBe(true);
    }
  });
});
