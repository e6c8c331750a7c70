/**
 * Issue #7, case 7: the database itself protects the record. Each registered slice serves as its
 * own role, which may read and write the rows of its own schema and nothing else: it cannot change
 * or delete history, switch the append-only trigger off, alter a table, or read another slice's
 * schema — whatever SQL reaches it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, servingRole, sqlState, type Db } from '../db/client.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await prepareDatabase(database.handle, slices, { sample: false });
});

afterAll(async () => {
  await database?.drop();
});

async function failure(db: Db, statement: string): Promise<{ state?: string; message: string } | null> {
  try {
    await db.execute(sql.raw(statement));
    return null;
  } catch (error) {
    const messages: string[] = [];
    for (let current: any = error; current; current = current.cause) messages.push(String(current.message));
    return { state: sqlState(error), message: messages.join(' | ') };
  }
}

/** Tables of a schema guarded by the append-only trigger, read from the catalog (readable by all). */
async function historyTables(db: Db, schema: string): Promise<string[]> {
  const rows = rowsOf<{ table: string }>(
    await db.execute(sql`
      select distinct c.relname as "table" from pg_trigger t
        join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
       where n.nspname = ${schema} and p.proname = 'refuse_history_rewrite' and t.tgtype & 16 <> 0`),
  );
  return rows.map((row) => row.table);
}

/** Tables a slice derives by trigger (their comment begins "Derived:"), read from the catalog. */
async function derivedTables(db: Db, schema: string): Promise<string[]> {
  const rows = rowsOf<{ table: string }>(
    await db.execute(sql`
      select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = ${schema} and c.relkind = 'r' and obj_description(c.oid, 'pg_class') like 'Derived:%'`),
  );
  return rows.map((row) => row.table);
}

async function anyTable(db: Db, schema: string): Promise<string> {
  const rows = rowsOf<{ table: string }>(await db.execute(sql`select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema} and c.relkind = 'r' order by 1 limit 1`));
  return rows[0]!.table;
}

describe.each(slices.map((slice) => slice.name))('the %s slice’s database role', (name) => {
  const db = () => database.handle.forSubgraph(name).db;

  it('is the slice’s own role, not the owner', async () => {
    const [row] = rowsOf<{ user: string }>(await db().execute(sql`select current_user as "user"`));
    expect(row!.user).toBe(servingRole(name));
  });

  it('reads and writes its own schema', async () => {
    const table = await anyTable(db(), name);
    expect(await failure(db(), `select count(*) from "${name}"."${table}"`)).toBeNull();
  });

  it('cannot update, delete or truncate its history, nor switch the append-only trigger off', async () => {
    const tables = await historyTables(db(), name);
    for (const table of tables) {
      const [column] = rowsOf<{ column: string }>(
        await db().execute(sql`select column_name as "column" from information_schema.columns where table_schema = ${name} and table_name = ${table} order by ordinal_position limit 1`),
      );
      for (const statement of [
        `update "${name}"."${table}" set "${column!.column}" = "${column!.column}"`,
        `delete from "${name}"."${table}"`,
        `truncate "${name}"."${table}"`,
        `alter table "${name}"."${table}" disable trigger all`,
        `alter table "${name}"."${table}" disable trigger user`,
      ]) {
        const refused = await failure(db(), statement);
        expect(refused, statement).not.toBeNull();
        expect(refused!.state, `${statement}: ${refused!.message}`).toBe('42501');
      }
    }
  });

  it('reads its derived tables but cannot write them: they are kept by its own triggers', async () => {
    for (const table of await derivedTables(db(), name)) {
      expect(await failure(db(), `select count(*) from "${name}"."${table}"`), table).toBeNull();
      const [column] = rowsOf<{ column: string }>(
        await db().execute(sql`select column_name as "column" from information_schema.columns where table_schema = ${name} and table_name = ${table} order by ordinal_position limit 1`),
      );
      for (const statement of [
        `insert into "${name}"."${table}" default values`,
        `update "${name}"."${table}" set "${column!.column}" = "${column!.column}"`,
        `delete from "${name}"."${table}"`,
        `truncate "${name}"."${table}"`,
      ]) {
        const refused = await failure(db(), statement);
        expect(refused, statement).not.toBeNull();
        expect(refused!.state, `${statement}: ${refused!.message}`).toBe('42501');
      }
    }
  });

  it('cannot alter, drop or add tables, nor set the session to skip triggers', async () => {
    const table = await anyTable(db(), name);
    for (const statement of [
      `alter table "${name}"."${table}" add column intruder text`,
      `drop table "${name}"."${table}"`,
      `create table "${name}".intruder (id int)`,
      `set session_replication_role = replica`,
    ]) {
      const refused = await failure(db(), statement);
      expect(refused, statement).not.toBeNull();
      expect(refused!.state, `${statement}: ${refused!.message}`).toBe('42501');
    }
  });

  it('cannot read or write another slice’s schema, nor the migrations’ bookkeeping', async () => {
    for (const other of slices.filter((slice) => slice.name !== name)) {
      const table = await anyTable(database.handle.forSubgraph(other.name).db, other.name);
      const refused = await failure(db(), `select * from "${other.name}"."${table}" limit 1`);
      expect(refused?.state, `${other.name}.${table}`).toBe('42501');
    }
    expect((await failure(db(), `select * from drizzle."__drizzle_migrations_${name}"`))?.state).toBe('42501');
  });
});

describe('the history tables', () => {
  it('exist, so the checks above checked something', async () => {
    const found = await Promise.all(slices.map(async (slice) => (await historyTables(database.handle.forSubgraph(slice.name).db, slice.name)).length));
    expect(found.some((count) => count > 0)).toBe(true);
  });

  it('include the slices’ kept figures among the derived tables, so the derived check checked something', async () => {
    expect(await derivedTables(database.handle.forSubgraph('issues').db, 'issues')).toEqual(expect.arrayContaining(['issue_figures', 'issue_figure_changes']));
    expect(await derivedTables(database.handle.forSubgraph('evaluations').db, 'evaluations')).toEqual(expect.arrayContaining(['review_figures', 'review_figures_monthly', 'review_figure_changes']));
    expect(await derivedTables(database.handle.forSubgraph('policies').db, 'policies')).toEqual(
      expect.arrayContaining(['policy_figures', 'policy_figures_monthly', 'cycle_figures', 'cycle_figures_monthly', 'figure_changes']),
    );
  });
});
