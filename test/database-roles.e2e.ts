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

/**
 * The evidence each slice keeps, as this test expects it — not as the catalog says now, so a slice
 * that lost its triggers fails here. `append-only`: UPDATE, DELETE and TRUNCATE refused by the
 * slice's refuse_history_rewrite; `guarded`: DELETE and TRUNCATE refused, UPDATE checked by a
 * trigger that lets through only the one change the record allows (an answer written once, a
 * status moving on); `kept`: never deleted nor truncated, its current state updated freely (its
 * history is another table). A new slice declares its evidence here.
 */
const EVIDENCE: Record<string, Record<string, 'append-only' | 'guarded' | 'kept'>> = {
  units: { change_log: 'append-only' },
  issues: {
    issue_events: 'append-only',
    issue_follow_ups: 'append-only',
    issue_ratings: 'append-only',
    supervision_outcomes: 'append-only',
    plan_duties: 'append-only',
    plan_duty_filings: 'append-only',
    issue_origins: 'append-only',
    observer_memberships: 'append-only',
    observer_membership_ends: 'append-only',
    observer_reports: 'append-only',
    unit_leaders: 'append-only',
    unit_leader_departures: 'append-only',
    leader_handovers: 'append-only',
    hall_visits: 'append-only',
    signed_project_events: 'append-only',
    monitoring_visits: 'append-only',
    issue_monitoring_tags: 'append-only',
    issues: 'guarded',
    issue_deadlines: 'guarded',
  },
  policies: {
    policy_events: 'append-only',
    application_events: 'append-only',
    policy_notices: 'append-only',
    policy_interpretations: 'append-only',
    service_reviews: 'append-only',
    objection_marks: 'append-only',
    policy_revisions: 'guarded',
    policy_comments: 'guarded',
    objections: 'guarded',
    policies: 'kept',
    policy_items: 'kept',
    applications: 'kept',
  },
  evaluations: {
    contest_entries: 'append-only',
    contest_judges: 'append-only',
    contest_scores: 'append-only',
    contest_results: 'append-only',
    // Guarded since a lateness judged on a provisional limit is judged again, once, when its year is entered.
    review_actions: 'guarded',
    tasks: 'append-only',
    milestones: 'append-only',
    milestone_completions: 'append-only',
    quarterly_reports: 'append-only',
    indicator_values: 'append-only',
    evaluation_results: 'append-only',
    evaluation_decisions: 'append-only',
    surveys: 'append-only',
    survey_responses: 'append-only',
    survey_answers: 'append-only',
    contests: 'guarded',
    service_reviews: 'guarded',
    evaluations: 'guarded',
  },
  financing: {
    change_log: 'append-only',
    demand_events: 'append-only',
    credit_reports: 'append-only',
    credit_report_reads: 'append-only',
    report_bases: 'append-only',
    limit_settings: 'append-only',
    limit_lateness: 'append-only',
    // Guarded: a running limit is met or stopped once (and a provisional due time recomputed); a loan gains its receipt once.
    demand_limits: 'guarded',
    loans: 'guarded',
    demands: 'kept',
    demand_routes: 'kept',
    credit_records: 'kept',
  },
};
const historyTables = (schema: string) =>
  Object.entries(EVIDENCE[schema] ?? {})
    .filter(([, kind]) => kind === 'append-only')
    .map(([table]) => table);

interface Guard {
  table: string;
  fn: string;
  update: boolean;
  del: boolean;
  truncate: boolean;
}

/** The enabled BEFORE triggers of a schema's tables that run one of the schema's own functions, from the catalog. */
async function guards(db: Db, schema: string): Promise<Guard[]> {
  return rowsOf<Guard>(
    await db.execute(sql`
      select c.relname as "table", p.proname as fn, t.tgtype & 16 <> 0 as update, t.tgtype & 8 <> 0 as del, t.tgtype & 32 <> 0 as truncate
        from pg_trigger t
        join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        join pg_proc p on p.oid = t.tgfoid join pg_namespace pn on pn.oid = p.pronamespace
       where n.nspname = ${schema} and pn.nspname = ${schema} and not t.tgisinternal and t.tgenabled <> 'D' and t.tgtype & 2 <> 0`),
  );
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
  const rows = rowsOf<{ table: string }>(
    await db.execute(
      sql`select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema} and c.relkind = 'r' order by 1 limit 1`,
    ),
  );
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
    const tables = historyTables(name);
    for (const table of tables) {
      const [column] = rowsOf<{ column: string }>(
        await db().execute(
          sql`select column_name as "column" from information_schema.columns where table_schema = ${name} and table_name = ${table} order by ordinal_position limit 1`,
        ),
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
        await db().execute(
          sql`select column_name as "column" from information_schema.columns where table_schema = ${name} and table_name = ${table} order by ordinal_position limit 1`,
        ),
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

describe('the evidence tables', () => {
  it('are declared for every registered slice', () => {
    expect(slices.map((slice) => slice.name).filter((name) => !EVIDENCE[name])).toEqual([]);
  });

  it.each(Object.keys(EVIDENCE))('of the %s slice are guarded by their triggers, each as declared', async (name) => {
    const found = await guards(database.handle.owner(), name);
    const on = (table: string, event: 'update' | 'del' | 'truncate') => found.filter((g) => g.table === table && g[event]).map((g) => g.fn);
    for (const [table, kind] of Object.entries(EVIDENCE[name]!)) {
      expect(on(table, 'del'), `${name}.${table}: DELETE`).not.toEqual([]);
      expect(on(table, 'truncate'), `${name}.${table}: TRUNCATE`).toContain('refuse_history_rewrite');
      if (kind === 'append-only') expect(on(table, 'update'), `${name}.${table}: UPDATE`).toContain('refuse_history_rewrite');
      if (kind === 'guarded') expect(on(table, 'update'), `${name}.${table}: UPDATE`).not.toEqual([]);
    }
  });

  it.each(Object.keys(EVIDENCE))('of the %s slice refuse even their owner a TRUNCATE', async (name) => {
    const owner = database.handle.owner();
    for (const table of Object.keys(EVIDENCE[name]!)) {
      const refused = await failure(owner, `truncate "${name}"."${table}" cascade`);
      expect(refused, `${name}.${table}`).not.toBeNull();
      expect(refused!.state, `${name}.${table}: ${refused!.message}`).toBe('42501');
    }
  });

  it('include the slices’ kept figures among the derived tables, so the derived check checked something', async () => {
    expect(await derivedTables(database.handle.forSubgraph('issues').db, 'issues')).toEqual(
      expect.arrayContaining(['issue_figures', 'issue_figure_changes']),
    );
    expect(await derivedTables(database.handle.forSubgraph('evaluations').db, 'evaluations')).toEqual(
      expect.arrayContaining(['review_figures', 'review_figures_monthly', 'review_figure_changes']),
    );
    expect(await derivedTables(database.handle.forSubgraph('policies').db, 'policies')).toEqual(
      expect.arrayContaining(['policy_figures', 'policy_figures_monthly', 'cycle_figures', 'cycle_figures_monthly', 'figure_changes']),
    );
  });
});
