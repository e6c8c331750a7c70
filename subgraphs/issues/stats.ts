/**
 * The command office's figures, aggregated in SQL: one statement answers any number of units (or
 * domains, or the whole city) for one period, whatever the number of issues.
 *
 * Everything counts the issues received in the period. A rate whose denominator is zero is null,
 * not zero: "nothing was due" is not "nothing was done".
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from '../../db/client.ts';
import { issueDeadlines, issues } from '../../db/issues.ts';
import { instantParam, uuidArray } from './store.ts';

export interface Period {
  from: Date;
  to: Date;
}

export interface IssueStats {
  received: number;
  accepted: number;
  closed: number;
  overdueNow: number;
  reopened: number;
  responseRate: number | null;
  feedbackRate: number | null;
  onTimeResolutionRate: number | null;
  rectificationRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
}

interface StatsRow {
  key: string;
  received: number;
  accepted: number;
  closed: number;
  overdue_now: number;
  reopened: number;
  rated: number;
  rated_solved: number;
  rated_satisfied: number;
  contact_due: number;
  contact_on_time: number;
  feedback_due: number;
  feedback_on_time: number;
  resolution_due: number;
  resolution_on_time: number;
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export const emptyStats: IssueStats = {
  received: 0,
  accepted: 0,
  closed: 0,
  overdueNow: 0,
  reopened: 0,
  responseRate: null,
  feedbackRate: null,
  onTimeResolutionRate: null,
  rectificationRate: null,
  resolutionRate: null,
  satisfactionRate: null,
};

function toStats(row: StatsRow): IssueStats {
  return {
    received: row.received,
    accepted: row.accepted,
    closed: row.closed,
    overdueNow: row.overdue_now,
    reopened: row.reopened,
    responseRate: rate(row.contact_on_time, row.contact_due),
    feedbackRate: rate(row.feedback_on_time, row.feedback_due),
    onTimeResolutionRate: rate(row.resolution_on_time, row.resolution_due),
    rectificationRate: rate(row.closed, row.accepted),
    resolutionRate: rate(row.rated_solved, row.rated),
    satisfactionRate: rate(row.rated_satisfied, row.rated),
  };
}

/**
 * Statistics per group key. `groups` maps responsible unit ids to the key they count under (a unit
 * id, or a domain code); null means one group, 'ALL', over every issue.
 */
export async function statsByGroup(
  db: Queryable,
  groups: { unitId: string; key: string }[] | null,
  period: Period | null,
  now: Date,
): Promise<Map<string, IssueStats>> {
  const from = period?.from ?? new Date('1970-01-01T00:00:00Z');
  const to = period?.to ?? new Date('9999-01-01T00:00:00Z');
  // Only the columns the figures need: the cohort is read twice, and all ~50 columns would be copied.
  const columns = sql`i.id, i.status, i.accepted_at, i.next_due_at, i.reopen_count, i.rating, i.rating_solved`;
  const cohort = groups
    ? sql`select ${columns}, g.key from ${issues} i
          join unnest(${uuidArray(groups.map((g) => g.unitId))}, ${`{${groups.map((g) => `"${g.key}"`).join(',')}}`}::text[]) as g(unit_id, key)
            on g.unit_id = i.responsible_unit_id
          where i.received_at >= ${instantParam(from)} and i.received_at < ${instantParam(to)}`
    : sql`select ${columns}, 'ALL' as key from ${issues} i where i.received_at >= ${instantParam(from)} and i.received_at < ${instantParam(to)}`;
  const result = await db.execute(sql`
    with cohort as (${cohort}),
    per_issue as (
      select key,
        count(*)::int as received,
        count(*) filter (where accepted_at is not null and status <> 'MERGED')::int as accepted,
        count(*) filter (where status = 'CLOSED')::int as closed,
        count(*) filter (where next_due_at < ${instantParam(now)})::int as overdue_now,
        count(*) filter (where reopen_count > 0)::int as reopened,
        count(*) filter (where rating is not null)::int as rated,
        count(*) filter (where rating is not null and rating_solved)::int as rated_solved,
        count(*) filter (where rating in ('SATISFIED', 'BASICALLY_SATISFIED'))::int as rated_satisfied
      from cohort group by key
    ),
    per_deadline as (
      select c.key,
        count(*) filter (where d.stage = 'CONTACT')::int as contact_due,
        count(*) filter (where d.stage = 'CONTACT' and d.met_at < d.due_at)::int as contact_on_time,
        count(*) filter (where d.stage = 'FEEDBACK')::int as feedback_due,
        count(*) filter (where d.stage = 'FEEDBACK' and d.met_at < d.due_at)::int as feedback_on_time,
        count(*) filter (where d.stage = 'RESOLUTION')::int as resolution_due,
        count(*) filter (where d.stage = 'RESOLUTION' and d.met_at < d.due_at)::int as resolution_on_time
      from cohort c
      join ${issueDeadlines} d on d.issue_id = c.id
      -- "due" means the time is up or the stage is done; cancelled and not-yet-computable ones do not count
      where d.cancelled_at is null and d.due_at is not null and (d.met_at is not null or d.due_at <= ${instantParam(now)})
      group by c.key
    )
    select p.*,
      coalesce(d.contact_due, 0) as contact_due, coalesce(d.contact_on_time, 0) as contact_on_time,
      coalesce(d.feedback_due, 0) as feedback_due, coalesce(d.feedback_on_time, 0) as feedback_on_time,
      coalesce(d.resolution_due, 0) as resolution_due, coalesce(d.resolution_on_time, 0) as resolution_on_time
    from per_issue p left join per_deadline d using (key)`);
  return new Map(rowsOf<StatsRow>(result).map((row) => [row.key, toStats(row)]));
}
