/**
 * An issues database written by the previous release keeps every record through the migrations that
 * brought ratings per round, follow-ups, the deadlines' units and lateness: nothing is lost, nothing
 * rewritten. The previous release's migrations are applied from a copy of their folder, its rows
 * written as it wrote them, then the real start runs the rest (and settles deadlines that waited for
 * the year this release ships).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { applyIssuesReferenceData } from '../subgraphs/issues/reference-data.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const MIGRATIONS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'db', 'migrations', 'issues');
/** The migrations the previous release shipped. */
const PREVIOUS = ['0000_init', '0001_append_only_history'];

let database: TestDatabase;
let db: Db;
const A = '00000000-0000-4000-8000-00000000000a'; // an appeal rated by its enterprise, reopened, rated again
const B = '00000000-0000-4000-8000-00000000000b'; // a 12345 item the command office "rated" on its follow-up
const C = '00000000-0000-4000-8000-00000000000c'; // merged away with an overdue contact; was escalated
const D = '00000000-0000-4000-8000-00000000000d'; // received in 2026 while the calendar lacked it
const E = '00000000-0000-4000-8000-00000000000e'; // open before the National Day block, warned by the clock
const UNIT = '11111111-1111-4111-8111-111111111111';

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

beforeAll(async () => {
  database = await createTestDatabase();
  // As the owner: this test writes what an earlier release wrote, then migrates as a release does.
  db = database.handle.owner();
  const previous = fs.mkdtempSync(path.join(os.tmpdir(), 'issues-previous-'));
  fs.mkdirSync(path.join(previous, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((entry: { tag: string }) => PREVIOUS.includes(entry.tag));
  fs.writeFileSync(path.join(previous, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const tag of PREVIOUS) fs.copyFileSync(path.join(MIGRATIONS, `${tag}.sql`), path.join(previous, `${tag}.sql`));
  const config = { migrationsFolder: previous, migrationsSchema: 'drizzle', migrationsTable: '__drizzle_migrations_issues' };
  if (database.kind === 'postgres') await migratePostgres(db as never, config);
  else await migratePglite(db as never, config);
  fs.rmSync(previous, { recursive: true });

  // What the previous release wrote.
  const issue = (extra = sql``) => sql`
    insert into issues.issues (id, number, source, environment, title, description, status, reporter_subject, reporter_role, reporter_enterprise,
      client_request_id, request_fingerprint, received_at, recorded_at, responsible_unit_id ${extra})`;
  await db.execute(sql`${issue(sql`, rating, rating_solved, rated_at, reopen_count, enterprise_reopen_used`)}
    values (${A}, 1, 'ENTERPRISE_APPEAL', 'SERVICE', 'A', 'a', 'RESOLVED', 'enterprise-a', 'ENTERPRISE', '91370202MA00000001', 'a', 'x',
      '2025-03-03T10:00:00+08:00', '2025-03-03T10:00:00+08:00', ${UNIT}, 'SATISFIED', true, '2025-03-20T10:00:00+08:00', 1, true)`);
  await db.execute(sql`${issue(sql`, rating, rating_solved, rated_at, closed_at`)}
    values (${B}, 2, 'HOTLINE_12345', 'FACTOR', 'B', 'b', 'CLOSED', 'office', 'COMMAND_OFFICE', null, 'b', 'x',
      '2025-03-04T10:00:00+08:00', '2025-03-04T10:00:00+08:00', ${UNIT}, 'BASICALLY_SATISFIED', true, '2025-03-10T10:00:00+08:00', '2025-03-11T10:00:00+08:00')`);
  await db.execute(sql`${issue(sql`, merged_into_id, escalated_at, supervising_leader`)}
    values (${C}, 3, 'ENTERPRISE_APPEAL', 'MARKET', 'C', 'c', 'MERGED', 'enterprise-c', 'ENTERPRISE', '91370202MA00000003', 'c', 'x',
      '2025-03-05T10:00:00+08:00', '2025-03-05T10:00:00+08:00', ${UNIT}, ${A}, '2025-03-05T12:00:00+08:00', '副市长')`);
  await db.execute(sql`${issue()}
    values (${D}, 4, 'ENTERPRISE_APPEAL', 'POLICY', 'D', 'd', 'FEEDBACK_GIVEN', 'enterprise-d', 'ENTERPRISE', '91370202MA00000004', 'd', 'x',
      '2026-02-13T10:00:00+08:00', '2026-02-13T10:00:00+08:00', ${UNIT})`);
  const event = (
    issueId: string,
    action: string,
    role: string,
    at: string,
    details: object | null = null,
    note: string | null = null,
  ) => sql`
    insert into issues.issue_events (issue_id, action, from_status, to_status, actor_subject, actor_role, note, details, at)
    values (${issueId}, ${action}, 'RESOLVED', 'RESOLVED', ${role === 'ENTERPRISE' ? 'enterprise-a' : 'office'}, ${role}, ${note}, ${details ? JSON.stringify(details) : null}::jsonb, ${at}::timestamptz)`;
  await db.execute(event(A, 'ASSIGN', 'COMMAND_OFFICE', '2025-03-03T11:00:00+08:00', { unitId: UNIT }, '派市场监管'));
  await db.execute(
    event(A, 'RATE_AND_REOPEN', 'ENTERPRISE', '2025-03-12T10:00:00+08:00', { rating: 'UNSATISFIED', solved: false }, '还是要补材料'),
  );
  await db.execute(event(A, 'RATE', 'ENTERPRISE', '2025-03-20T10:00:00+08:00', { rating: 'SATISFIED', solved: true }));
  await db.execute(event(B, 'ASSIGN', 'COMMAND_OFFICE', '2025-03-04T12:00:00+08:00', { unitId: UNIT }));
  await db.execute(
    event(B, 'RATE', 'COMMAND_OFFICE', '2025-03-10T10:00:00+08:00', { rating: 'BASICALLY_SATISFIED', solved: true }, '回访来电人'),
  );
  await db.execute(event(C, 'MERGE', 'COMMAND_OFFICE', '2025-03-05T15:00:00+08:00', { intoId: A }));
  const deadline = (
    issueId: string,
    stage: string,
    due: string | null,
    met: string | null,
    cancelled: string | null,
    days: number | null = null,
    hours: number | null = null,
  ) => sql`
    insert into issues.issue_deadlines (issue_id, stage, starts_at, hours, working_days, due_at, warn_at, met_at, cancelled_at, pending_calendar_year)
    values (${issueId}, ${stage}, '2026-02-13T10:00:00+08:00', ${hours}, ${days}, ${due}::timestamptz, ${due}::timestamptz, ${met}::timestamptz, ${cancelled}::timestamptz,
      ${due === null ? 2026 : null})`;
  await db.execute(deadline(C, 'CONTACT', '2025-03-05T12:00:00+08:00', null, '2025-03-05T15:00:00+08:00', null, 2));
  await db.execute(deadline(C, 'RESOLUTION', '2025-03-27T00:00:00+08:00', null, '2025-03-05T15:00:00+08:00', 15));
  await db.execute(deadline(D, 'FEEDBACK', null, '2026-02-14T10:00:00+08:00', null, 1));
  await db.execute(deadline(D, 'RESOLUTION', null, null, null, 15));
  await db.execute(sql`${issue(sql`, next_due_at, next_warn_at`)}
    values (${E}, 5, 'ENTERPRISE_APPEAL', 'SERVICE', 'E', 'e', 'CONTACTED', 'enterprise-e', 'ENTERPRISE', '91370202MA00000005', 'e', 'x',
      '2026-09-30T16:00:00+08:00', '2026-09-30T16:00:00+08:00', ${UNIT}, '2026-10-09T00:00:00+08:00', '2026-10-07T08:00:00+08:00')`);
  // 80% of the clock time: 08:00 on holiday 10-07, and 10-22 12:48.
  await db.execute(sql`
    insert into issues.issue_deadlines (issue_id, stage, starts_at, working_days, due_at, warn_at)
    values (${E}, 'FEEDBACK', '2026-09-30T16:00:00+08:00', 1, '2026-10-09T00:00:00+08:00', '2026-10-07T08:00:00+08:00'),
           (${E}, 'RESOLUTION', '2026-09-30T16:00:00+08:00', 15, '2026-10-28T00:00:00+08:00', '2026-10-22T12:48:00+08:00')`);

  // The new release starts: its migrations, then its reference data.
  await database.handle.migrate('issues');
  await applyIssuesReferenceData(db);
});
afterAll(async () => {
  await database?.drop();
});

describe('migrating the previous release’s issues', () => {
  it('carries every enterprise rating into its round, and the command office’s into its follow-ups', async () => {
    expect(
      await rows(
        sql`select issue_id, round, rating::text, solved, comment, rater_role, unit_id from issues.issue_ratings order by issue_id, round`,
      ),
    ).toEqual([
      { issue_id: A, round: 1, rating: 'UNSATISFIED', solved: false, comment: '还是要补材料', rater_role: 'ENTERPRISE', unit_id: UNIT },
      { issue_id: A, round: 2, rating: 'SATISFIED', solved: true, comment: null, rater_role: 'ENTERPRISE', unit_id: UNIT },
    ]);
    expect(await rows(sql`select issue_id, round, reached, rating::text, note from issues.issue_follow_ups`)).toEqual([
      { issue_id: B, round: 1, reached: true, rating: 'BASICALLY_SATISFIED', note: '回访来电人' },
    ]);
    // The history itself is untouched.
    expect((await rows<{ n: number }>(sql`select count(*)::int as n from issues.issue_events`))[0]!.n).toBe(6);
  });

  it('gives old deadlines their unit and keeps an overdue contact of a merged item as missed', async () => {
    const stopped = await rows<{ stage: string; unit_id: string; close_reason: string; lapsed: boolean }>(
      sql`select stage::text, unit_id, close_reason::text, judged_at >= due_at as lapsed from issues.issue_deadlines where issue_id = ${C} order by id`,
    );
    expect(stopped).toEqual([
      { stage: 'CONTACT', unit_id: UNIT, close_reason: 'MERGED', lapsed: true },
      { stage: 'RESOLUTION', unit_id: UNIT, close_reason: 'MERGED', lapsed: false },
    ]);
    const [a] = await rows<{ first: Date; last: Date }>(
      sql`select first_assigned_at as first, assigned_at as last from issues.issues where id = ${A}`,
    );
    expect(new Date(a!.first).toISOString()).toBe('2025-03-03T03:00:00.000Z');
    const [c] = await rows<{ ended: Date | null }>(sql`select supervision_ended_at as ended from issues.issues where id = ${C}`);
    expect(new Date(c!.ended!).toISOString()).toBe('2025-03-05T07:00:00.000Z');
  });

  it('computes the due times that waited for 2026, met ones included, now that 2026 ships', async () => {
    expect(
      await rows(
        sql`select stage::text, due_at is not null as known, pending_calendar_year from issues.issue_deadlines where issue_id = ${D} order by id`,
      ),
    ).toEqual([
      { stage: 'FEEDBACK', known: true, pending_calendar_year: null },
      { stage: 'RESOLUTION', known: true, pending_calendar_year: null },
    ]);
    // Friday 2026-02-13: Saturday 2-14 is an adjusted working day.
    const [feedback] = await rows<{ due: Date }>(
      sql`select due_at as due from issues.issue_deadlines where issue_id = ${D} and stage = 'FEEDBACK'`,
    );
    expect(new Date(feedback!.due).toISOString()).toBe('2026-02-14T16:00:00.000Z');
  });

  it('moves the warnings of open deadlines from 80% of the clock time to 80% of the working time (#21)', async () => {
    const warnings = await rows<{ stage: string; warn: Date; due: Date }>(
      sql`select stage::text, warn_at as warn, due_at as due from issues.issue_deadlines where issue_id = ${E} order by id`,
    );
    expect(warnings.map((d) => [d.stage, new Date(d.warn).toISOString(), new Date(d.due).toISOString()])).toEqual([
      ['FEEDBACK', '2026-10-08T08:00:00.000Z', '2026-10-08T16:00:00.000Z'], // 16:00 on 10-08, Beijing
      ['RESOLUTION', '2026-10-22T09:30:00.000Z', '2026-10-27T16:00:00.000Z'], // 17:30 on 10-22, Beijing
    ]);
    const [issue] = await rows<{ warn: Date }>(sql`select next_warn_at as warn from issues.issues where id = ${E}`);
    expect(new Date(issue!.warn).toISOString()).toBe('2026-10-08T08:00:00.000Z');
    // A met or stopped deadline warns no more: its warning stays as it was written.
    const [stopped] = await rows<{ warn: Date }>(
      sql`select warn_at as warn from issues.issue_deadlines where issue_id = ${C} and stage = 'RESOLUTION'`,
    );
    expect(new Date(stopped!.warn).toISOString()).toBe('2025-03-26T16:00:00.000Z');
  });

  it('refuses to rewrite a met or stopped deadline, or to delete one, even in SQL', async () => {
    await expect(db.execute(sql`update issues.issue_deadlines set cancelled_at = null where issue_id = ${C}`)).rejects.toThrow();
    await expect(
      db.execute(sql`update issues.issue_deadlines set met_at = now() where issue_id = ${D} and stage = 'FEEDBACK'`),
    ).rejects.toThrow();
    await expect(db.execute(sql`delete from issues.issue_deadlines where issue_id = ${D}`)).rejects.toThrow();
    await expect(db.execute(sql`update issues.issue_ratings set rating = 'SATISFIED'`)).rejects.toThrow();
    await expect(db.execute(sql`delete from issues.issue_follow_ups`)).rejects.toThrow();
  });
});
