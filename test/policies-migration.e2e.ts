/**
 * A policies database written by the previous release (migrations 0000–0005) keeps its lateness
 * through migration 0006 (issue #21): the limits its rows show were passed — a decision after the
 * review limit, a payment after the payment limit, a grant stopped after it, an objection answered
 * after the notice — are judged at the steps that ended them, the kept figures count them, and one
 * judged on a provisional limit waits to be judged again. Nothing else is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { statsByGroup } from '../subgraphs/policies/store.ts';
import { createTestDatabase, expectKeptEqualsRebuild, type TestDatabase } from './support/database.ts';

const MIGRATIONS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'db', 'migrations', 'policies');
/** The migrations the previous release shipped. */
const PREVIOUS = [
  '0000_init',
  '0001_append_only_history',
  '0002_narrow_heap_for_search',
  '0003_newest_first_indexes',
  '0004_figures_kept_per_day',
  '0005_provisional_notice_end',
];

let database: TestDatabase;
let db: Db;
const UNIT = '22222222-2222-4222-8222-222222222222';
const POLICY = '00000000-0000-4000-8000-0000000000a1';
const ITEM = '00000000-0000-4000-8000-0000000000b1';
const LATE_PAID = '00000000-0000-4000-8000-0000000000c1'; // decided late, paid late
const ON_TIME = '00000000-0000-4000-8000-0000000000c2'; // decided and paid on time, an objection answered on time
const STOPPED = '00000000-0000-4000-8000-0000000000c3'; // an objection upheld after the notice and the payment limit
const WAITING = '00000000-0000-4000-8000-0000000000c4'; // decided after a review limit provisional for 2027
const OPEN = '00000000-0000-4000-8000-0000000000c5'; // still under review: nothing judged

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.owner();
  const previous = fs.mkdtempSync(path.join(os.tmpdir(), 'policies-previous-'));
  fs.mkdirSync(path.join(previous, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((entry: { tag: string }) => PREVIOUS.includes(entry.tag));
  expect(journal.entries).toHaveLength(PREVIOUS.length);
  fs.writeFileSync(path.join(previous, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const tag of PREVIOUS) fs.copyFileSync(path.join(MIGRATIONS, `${tag}.sql`), path.join(previous, `${tag}.sql`));
  const config = { migrationsFolder: previous, migrationsSchema: 'drizzle', migrationsTable: '__drizzle_migrations_policies' };
  if (database.kind === 'postgres') await migratePostgres(db as never, config);
  else await migratePglite(db as never, config);
  fs.rmSync(previous, { recursive: true });

  // What the previous release wrote.
  await db.execute(sql`
    insert into policies.policies (id, level, issuing_unit_id, environment, status, title, body, issued_on, valid_from, head_terms, body_terms, created_at, created_by)
    values (${POLICY}, 'MUNICIPAL', ${UNIT}, 'POLICY', 'PUBLISHED', '政策', '正文', '2026-01-01', '2026-01-01', '', '', '2026-01-01T09:00:00+08:00', 'unit')`);
  await db.execute(sql`
    insert into policies.policy_items (id, policy_id, issuing_unit_id, level, environment, name, kind, description, reviewing_unit_id,
      review_working_days, payment_working_days, status, sort_at, head_terms, body_terms, created_at)
    values (${ITEM}, ${POLICY}, ${UNIT}, 'MUNICIPAL', 'POLICY', '项目', 'SUBSIDY', '说明', ${UNIT}, 10, 10, 'PUBLISHED', '2026-01-01T09:00:00+08:00', '', '', '2026-01-01T09:00:00+08:00')`);
  const application = (id: string, code: string, status: string, columns: Record<string, string | number | null>) => {
    const names = Object.keys(columns);
    return sql`
      insert into policies.applications (id, item_id, policy_id, reviewing_unit_id, issuing_unit_id, enterprise_credit_code, source, status, submitter_subject, entered_at, submitted_at, review_clock_at,
        ${sql.raw(names.join(', '))})
      values (${id}, ${ITEM}, ${POLICY}, ${UNIT}, ${UNIT}, ${code}, 'ONLINE', ${status}::policies.application_status, 'enterprise', '2026-03-02T10:00:00+08:00', '2026-03-02T10:00:00+08:00', '2026-03-02T10:00:00+08:00',
        ${sql.join(
          names.map((name) => sql`${columns[name]}`),
          sql`, `,
        )})`;
  };
  const event = (id: string, action: string, at: string, details: object | null = null) => sql`
    insert into policies.application_events (application_id, action, to_status, actor_subject, actor_role, details, at)
    values (${id}, ${action}, 'APPROVED', 'unit-staff', 'UNIT_STAFF', ${details ? JSON.stringify(details) : null}::jsonb, ${at}::timestamptz)`;
  // Review due 03-17 00:00 (ten working days after Monday 03-02), payment ten working days after the approval.
  await db.execute(
    application(LATE_PAID, 'MIGRATE00000000001', 'DISBURSED', {
      review_due_at: '2026-03-17T00:00:00+08:00',
      decided_at: '2026-03-18T10:00:00+08:00',
      approved_at: '2026-03-18T10:00:00+08:00',
      payment_due_at: '2026-04-02T00:00:00+08:00',
      paid_on: '2026-04-03',
      disbursed_at: '2026-04-03T15:00:00+08:00',
      disbursed_amount: 1000,
      approved_amount: 1000,
      cycle_working_days: 23,
    }),
  );
  await db.execute(event(LATE_PAID, 'APPROVE', '2026-03-18T10:00:00+08:00'));
  await db.execute(event(LATE_PAID, 'DISBURSE', '2026-04-03T15:00:00+08:00'));
  await db.execute(
    application(ON_TIME, 'MIGRATE00000000002', 'DISBURSED', {
      review_due_at: '2026-03-17T00:00:00+08:00',
      decided_at: '2026-03-10T10:00:00+08:00',
      approved_at: '2026-03-10T10:00:00+08:00',
      payment_due_at: '2026-03-25T00:00:00+08:00',
      notice_starts_at: '2026-03-10T11:00:00+08:00',
      notice_ends_on: '2026-03-17',
      notice_ends_at: '2026-03-18T00:00:00+08:00',
      paid_on: '2026-03-24',
      disbursed_at: '2026-03-24T15:00:00+08:00',
      disbursed_amount: 1000,
      approved_amount: 1000,
      cycle_working_days: 16,
    }),
  );
  await db.execute(sql`insert into policies.objections (id, application_id, body, objector_role, filed_at, answer, upheld, answered_at, answered_by)
    values ('00000000-0000-4000-8000-0000000000d2', ${ON_TIME}, '异议', 'ANONYMOUS', '2026-03-11T10:00:00+08:00', '不成立', false, '2026-03-12T10:00:00+08:00', 'unit-staff')`);
  await db.execute(event(ON_TIME, 'APPROVE', '2026-03-10T10:00:00+08:00'));
  await db.execute(
    event(ON_TIME, 'ANSWER_OBJECTION', '2026-03-12T10:00:00+08:00', { objectionId: '00000000-0000-4000-8000-0000000000d2', upheld: false }),
  );
  await db.execute(event(ON_TIME, 'DISBURSE', '2026-03-24T15:00:00+08:00'));
  // Stopping wrote the stop time over the approval's decided_at.
  await db.execute(
    application(STOPPED, 'MIGRATE00000000003', 'STOPPED', {
      review_due_at: '2026-03-17T00:00:00+08:00',
      decided_at: '2026-03-30T10:00:00+08:00',
      approved_at: '2026-03-10T10:00:00+08:00',
      payment_due_at: '2026-03-25T00:00:00+08:00',
      notice_starts_at: '2026-03-10T11:00:00+08:00',
      notice_ends_on: '2026-03-17',
      notice_ends_at: '2026-03-18T00:00:00+08:00',
      approved_amount: 1000,
    }),
  );
  await db.execute(sql`insert into policies.objections (id, application_id, body, objector_role, filed_at, answer, upheld, answered_at, answered_by)
    values ('00000000-0000-4000-8000-0000000000d3', ${STOPPED}, '异议', 'ANONYMOUS', '2026-03-11T10:00:00+08:00', '成立', true, '2026-03-30T10:00:00+08:00', 'unit-staff')`);
  await db.execute(event(STOPPED, 'APPROVE', '2026-03-10T10:00:00+08:00'));
  await db.execute(
    event(STOPPED, 'STOP', '2026-03-30T10:00:00+08:00', { objectionId: '00000000-0000-4000-8000-0000000000d3', upheld: true }),
  );
  await db.execute(
    application(WAITING, 'MIGRATE00000000004', 'APPROVED', {
      review_due_at: '2027-01-02T00:00:00+08:00',
      decided_at: '2027-01-02T10:00:00+08:00',
      approved_at: '2027-01-02T10:00:00+08:00',
      payment_due_at: '2027-01-16T00:00:00+08:00',
      pending_calendar_year: 2027,
    }),
  );
  await db.execute(event(WAITING, 'APPROVE', '2027-01-02T10:00:00+08:00'));
  await db.execute(application(OPEN, 'MIGRATE00000000005', 'UNDER_REVIEW', { review_due_at: '2026-03-17T00:00:00+08:00' }));
  await db.execute(sql`select policies.rebuild_figures()`);

  // The new release starts: its migrations.
  await database.handle.migrate('policies');
});
afterAll(async () => {
  await database?.drop();
});

describe('migrating the previous release’s applications', () => {
  it('judges every limit their rows show ended, at the step that ended it', async () => {
    const judged = await rows<{
      application_id: string;
      action: string;
      kind: string;
      late: boolean;
      objection: boolean;
      pending: number | null;
    }>(sql`
      select o.application_id, e.action, o.kind::text, o.late, o.objection_id is not null as objection, o.pending_calendar_year as pending
      from policies.limit_outcomes o join policies.application_events e on e.id = o.event_id order by o.application_id, o.kind, o.id`);
    expect(judged).toEqual([
      { application_id: LATE_PAID, action: 'APPROVE', kind: 'REVIEW', late: true, objection: false, pending: null },
      { application_id: LATE_PAID, action: 'DISBURSE', kind: 'PAYMENT', late: true, objection: false, pending: null },
      { application_id: ON_TIME, action: 'APPROVE', kind: 'REVIEW', late: false, objection: false, pending: null },
      // Paid on 03-24, the payment limit's last day: on time.
      { application_id: ON_TIME, action: 'DISBURSE', kind: 'PAYMENT', late: false, objection: false, pending: null },
      { application_id: ON_TIME, action: 'ANSWER_OBJECTION', kind: 'OBJECTION_ANSWER', late: false, objection: true, pending: null },
      // Approved on time (not at the stop written over decided_at); stopped after the payment limit; answered after the notice.
      { application_id: STOPPED, action: 'APPROVE', kind: 'REVIEW', late: false, objection: false, pending: null },
      { application_id: STOPPED, action: 'STOP', kind: 'PAYMENT', late: true, objection: false, pending: null },
      { application_id: STOPPED, action: 'STOP', kind: 'OBJECTION_ANSWER', late: true, objection: true, pending: null },
      { application_id: WAITING, action: 'APPROVE', kind: 'REVIEW', late: true, objection: false, pending: 2027 },
    ]);
  });

  it('counts them in the kept figures, equal to a rebuild', async () => {
    const stats = (await statsByGroup(db, [{ unitId: UNIT, key: 'U' }], null, new Date('2026-03-20T10:00:00+08:00'))).get('U')!;
    // LATE_PAID, STOPPED and WAITING judged late; OPEN is past its review limit now.
    expect(stats).toMatchObject({ pastLimits: 4, lateReviews: 2, latePayments: 2, lateObjectionAnswers: 1 });
    for (const [table, keys] of [
      ['policies.policy_figures', ['unit_id', 'day']],
      ['policies.policy_figures_monthly', ['unit_id', 'month']],
    ] as const) {
      await expectKeptEqualsRebuild(db, {
        table,
        keys: [...keys],
        rebuild: 'policies.rebuild_figures',
        staging: 'policies.figure_changes',
      });
    }
  });
});
