/**
 * Fills the issues tables with synthetic issues for benchmarks: spread over the seeded units,
 * sources, environments and districts over the last three years up to the benchmark's clock
 * (2024-01-01 … BENCH_NOW, 2026-12-04), with deadlines and history rows in proportion. The loop is
 * closed as a running campaign's is: of the issues received more than 30 days before the clock 1%
 * are still open (the backlog, overdue), the rest resolved, closed or rejected; the last 30 days
 * hold every stage. The data is plausible in shape, not in content (titles are numbered); every
 * description holds 审批 and 测试, and one topic of ten (`BENCH_TOPICS`, a tenth of the issues
 * each), so searches range from a word in every issue to a number in one. It is flagged `sample`.
 *
 * It writes as the owner with the slice's triggers off (session_replication_role), as a bulk load
 * may, and then has the kept figures rebuilt from every row (issues.rebuild_figures()).
 */
import { performance } from 'node:perf_hooks';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { openPostgres, rowsOf, type DatabaseHandle } from '../db/client.ts';
import { referenceUnits } from '../db/reference/organisation.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { BENCH_DB, BENCH_NOW, ensureBenchDatabase } from './env.ts';

/** The first instant of the synthetic issues: three years before the clock's year ends. */
export const BENCH_FIRST_DAY = '2024-01-01';

/** The topics of the descriptions, one per issue in turn ((n div 11) mod 10, apart from the district's n mod 10): each in a tenth of the issues. */
export const BENCH_TOPICS = [
  '营业执照',
  '水电气暖',
  '税费减免',
  '融资担保',
  '招标投标',
  '知识产权',
  '跨境贸易',
  '不动产登记',
  '政务服务',
  '执法检查',
];

/** The districts the synthetic issues are spread over (n mod 10). */
export const BENCH_DISTRICTS = ['370202', '370203', '370211', '370212', '370213', '370214', '370215', '370281', '370283', '370285'];

export const sizeLabel = (size: number) =>
  size % 1_000_000 === 0 ? `${size / 1_000_000}m` : size % 1000 === 0 ? `${size / 1000}k` : String(size);

/**
 * A database holding at least `size` issues (`<BENCH_DB_NAME>_<size>`: yingshang_bench_1m, …):
 * created, migrated and topped up as needed. One filled by the generator before the issues spanned
 * 2024 … BENCH_NOW (all in 2023) is refused with what to do: topping it up would mix the two.
 */
export async function issuesDatabase(size: number): Promise<{ size: number; name: string; database: DatabaseHandle; total: number }> {
  const name = `${BENCH_DB}_${sizeLabel(size)}`;
  const database = openPostgres(await ensureBenchDatabase(name));
  await prepareDatabase(database, slices, { sample: false });
  const [latest] = rowsOf<{ at: string | null }>(
    await database.owner().execute(sql`select max(received_at)::text as at from issues.issues where reporter_subject like 'bench:%'`),
  );
  if (latest?.at && new Date(latest.at) < new Date(`${BENCH_FIRST_DAY}T00:00:00+08:00`)) {
    await database.close();
    throw new Error(
      `${name} holds the issues of the earlier generator (2023 only): drop it (dropdb ${name}) and run again to fill it anew.`,
    );
  }
  const present = await countIssues(database.owner());
  if (present < size) {
    const started = performance.now();
    console.log(`Filling ${(size - present).toLocaleString('en')} synthetic issues into ${name}…`);
    await fillIssues(database.owner(), size - present, present, (done) => process.stdout.write(`\r  ${done.toLocaleString('en')} issues`));
    process.stdout.write('\n');
    console.log(`…done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { size, name, database, total: await countIssues(database.owner()) };
}

export async function countIssues(db: Db): Promise<number> {
  return Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from issues.issues`))[0]?.n ?? 0);
}

/**
 * Adds `count` issues after the `offset` already filled (so a database grows from 100,000 to
 * 1,000,000 by topping up): numbering is bigint-safe, and the ratings, deadlines and history rows
 * are written only for the issues added now.
 */
export async function fillIssues(db: Db, count: number, offset = 0, onProgress?: (done: number) => void): Promise<void> {
  await fill(db, count, offset, onProgress);
  await db.execute(sql`select issues.rebuild_figures()`);
  for (const table of ['issues', 'issue_deadlines', 'issue_ratings', 'issue_events', 'issue_figures'])
    await db.execute(sql.raw(`vacuum analyze issues.${table}`));
}

/**
 * One statement of a load, in a transaction of its own with the slice's triggers off (owner only):
 * the caller rebuilds the kept figures afterwards.
 */
export async function bulk(db: Db, statement: SQL): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

async function fill(db: Db, count: number, offset: number, onProgress?: (done: number) => void): Promise<void> {
  const unitIds = `{${referenceUnits
    .filter((u) => u.kind !== 'COMMAND_OFFICE')
    .map((u) => u.id)
    .join(',')}}`;
  const batch = 50_000;
  const before = Number(
    rowsOf<{ n: number }>(await db.execute(sql`select coalesce(max(number), 0)::bigint as n from issues.issues`))[0]?.n ?? 0,
  );
  const total = offset + count;
  const clock = BENCH_NOW.toISOString();
  // Minutes from the first day to the clock: n × 7919 (a prime that does not divide it) spreads them all.
  const span = Math.floor((BENCH_NOW.getTime() - new Date(`${BENCH_FIRST_DAY}T00:00:00+08:00`).getTime()) / 60_000);
  const topics = `{${BENCH_TOPICS.join(',')}}`;
  const districts = `{${BENCH_DISTRICTS.join(',')}}`;
  for (let start = offset + 1; start <= total; start += batch) {
    const end = Math.min(total, start + batch - 1);
    onProgress?.(end - offset);
    await bulk(
      db,
      sql`
      with units as (select ${unitIds}::uuid[] as ids),
      r as (
        select n,
          ${`${BENCH_FIRST_DAY} 00:00+08`}::timestamptz + ((n::bigint * 7919) % ${span}) * interval '1 minute' as received_at
        from generate_series(${start}::bigint, ${end}::bigint) as n
      ),
      g as (
        select n, received_at,
          (array['ENTERPRISE_APPEAL','HOTLINE_12345','SELF_INSPECTION','UNDERCOVER_VISIT','SUPERVISION','MEDIA'])[1 + n % 6]::issues.issue_source as source,
          (array['POLICY','SERVICE','FACTOR','MARKET','RULE_OF_LAW','HUMANISTIC'])[1 + (n / 7) % 6]::issues.environment as environment,
          (case
            when received_at >= ${clock}::timestamptz - interval '30 days'
              then (array['SUBMITTED','ACCEPTED','ASSIGNED','CONTACTED','FEEDBACK_GIVEN','RESOLVED','CLOSED','CLOSED','CLOSED','REJECTED'])[1 + (n / 3) % 10]
            when n % 100 = 0 then (array['ASSIGNED','CONTACTED','FEEDBACK_GIVEN'])[1 + (n / 100) % 3]
            else (array['RESOLVED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','REJECTED','RESOLVED'])[1 + (n / 3) % 10]
          end)::issues.issue_status as status,
          (select ids[1 + (n::bigint * 31) % array_length(ids, 1)] from units) as unit_id
        from r
      )
      insert into issues.issues (
        source, environment, appeal_kind, title, description, district_code, responsible_unit_id, status, version,
        reporter_subject, reporter_role, client_request_id, request_fingerprint, received_at, recorded_at,
        accepted_at, first_assigned_at, assigned_at, resolved_at, closed_at, sample)
      select source, environment,
        case when source in ('ENTERPRISE_APPEAL','HOTLINE_12345') then 'COMPLAINT'::issues.appeal_kind end,
        '测试问题 ' || n,
        '用于性能测试的合成问题描述 第 ' || n || ' 号：审批、许可、用地、融资等关键词，涉及' || (${topics}::text[])[1 + (n / 11) % 10],
        (${districts}::text[])[1 + n % 10],
        case when status in ('SUBMITTED','ACCEPTED','REJECTED') then null else unit_id end,
        status, 1, 'bench:' || (n % 500), 'COMMAND_OFFICE', 'bench-' || n, 'bench', received_at, received_at,
        case when status not in ('SUBMITTED','REJECTED') then received_at + interval '3 hours' end,
        case when status not in ('SUBMITTED','ACCEPTED','REJECTED') then received_at + interval '4 hours' end,
        case when status not in ('SUBMITTED','ACCEPTED','REJECTED') then received_at + interval '4 hours' end,
        case when status in ('RESOLVED','CLOSED') then received_at + ((n % 25) + 1) * interval '1 day' end,
        case when status = 'CLOSED' then received_at + ((n % 25) + 3) * interval '1 day' end,
        true
      from g`,
    );
  }
  // Ratings of every other resolved issue, round 1, by the handling unit.
  await bulk(
    db,
    sql`
    insert into issues.issue_ratings (issue_id, round, unit_id, rating, solved, rater_subject, rater_role, rated_at)
    select id, 1, responsible_unit_id, (array['SATISFIED','BASICALLY_SATISFIED','UNSATISFIED'])[1 + number % 3]::issues.rating,
      number % 3 <> 2, 'bench:enterprise', 'ENTERPRISE', resolved_at + interval '1 day'
    from issues.issues where status in ('RESOLVED','CLOSED') and number % 2 = 0 and reporter_subject like 'bench:%' and number > ${before}`,
  );
  // Deadlines of appeal-like issues (contact, feedback, resolution) from the unit's receipt, met according to their status.
  await bulk(
    db,
    sql`
    insert into issues.issue_deadlines (issue_id, unit_id, stage, starts_at, hours, working_days, due_at, warn_at, met_at, received_at)
    select i.id, i.responsible_unit_id, s.stage::issues.deadline_stage, i.assigned_at, s.hours, s.days,
      i.assigned_at + s.span, i.assigned_at + s.span * 0.8,
      case
        when s.stage = 'CONTACT' and i.status not in ('SUBMITTED','ACCEPTED','ASSIGNED','REJECTED') then i.assigned_at + (i.number % 4) * interval '1 hour'
        when s.stage = 'FEEDBACK' and i.status in ('FEEDBACK_GIVEN','RESOLVED','CLOSED') then i.assigned_at + (i.number % 3) * interval '1 day'
        when s.stage = 'RESOLUTION' and i.status in ('RESOLVED','CLOSED') then i.resolved_at
      end,
      i.received_at
    from issues.issues i
    cross join (values ('CONTACT', 2, null::int, interval '2 hours'), ('FEEDBACK', null, 1, interval '1 day'), ('RESOLUTION', null, 15, interval '21 days'))
      as s(stage, hours, days, span)
    where i.source in ('ENTERPRISE_APPEAL','HOTLINE_12345') and i.assigned_at is not null and i.reporter_subject like 'bench:%' and i.number > ${before}`,
  );
  await bulk(
    db,
    sql`
    insert into issues.issue_events (issue_id, action, from_status, to_status, actor_subject, actor_role, at)
    select id, 'SUBMIT', null, 'SUBMITTED', reporter_subject, 'COMMAND_OFFICE', received_at from issues.issues where reporter_subject like 'bench:%' and number > ${before}`,
  );
  await bulk(
    db,
    sql`
    update issues.issues i set next_due_at = d.due, next_warn_at = d.warn
    from (select issue_id, min(due_at) as due, min(warn_at) as warn from issues.issue_deadlines
          where met_at is null and cancelled_at is null group by issue_id) d
    where d.issue_id = i.id and i.number > ${before}`,
  );
}
