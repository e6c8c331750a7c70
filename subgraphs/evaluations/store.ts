/**
 * Every SQL statement of the evaluations slice, on its own tables only. Functions take a `Queryable`
 * so the use cases (through platform/change.ts) can compose them in one transaction.
 */
import { and, asc, desc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Queryable } from '../../db/client.ts';
import { beijingDate, keptRanges } from '../../platform/calendar.ts';
import { countUpTo, type CountLimit, type ListCount } from '../../platform/pagination.ts';
import { present } from '../../platform/invariant.ts';
import {
  contestEntries,
  contestJudges,
  contestResults,
  contests,
  contestScores,
  evaluationDecisions,
  evaluationDefinitions,
  evaluationResults,
  evaluations,
  indicatorValues,
  milestoneCompletions,
  milestones,
  quarterlyReports,
  reviewActions,
  reviewFigures,
  reviewFiguresMonthly,
  serviceReviews,
  smsDailyCounts,
  surveyAnswers,
  surveyResponses,
  surveys,
  tasks,
  noticeSettings,
  notices,
  outboxDeliveries,
  outboxEvents,
  outboxWebhooks,
} from '../../db/evaluations.ts';
import type { OutboxTables } from '../../db/outbox.ts';
import type { LatestScore } from './scoring.ts';

export type ContestRow = typeof contests.$inferSelect;
export type EntryRow = typeof contestEntries.$inferSelect;
export type JudgeRow = typeof contestJudges.$inferSelect;
export type ResultRow = typeof contestResults.$inferSelect;
export type ReviewRow = typeof serviceReviews.$inferSelect;
export type ReviewActionRow = typeof reviewActions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type MilestoneRow = typeof milestones.$inferSelect & { doneAt: Date | null; note: string | null; late: boolean };
export type ReportRow = typeof quarterlyReports.$inferSelect;
export type EvaluationRow = typeof evaluations.$inferSelect;
export type EvaluationResultRow = typeof evaluationResults.$inferSelect;
export type IndicatorValueRow = typeof indicatorValues.$inferSelect;
export type DecisionRow = typeof evaluationDecisions.$inferSelect;
export type DefinitionRow = typeof evaluationDefinitions.$inferSelect;
export type { FrozenInput as FrozenInputRow, IndicatorDefinition as IndicatorRow } from '../../db/evaluations.ts';

/** What the resolvers of a Unit / Domain reference receive. */
export interface UnitReference {
  id: string;
  /** Where this slice provides them (the board), from its directory copy. */
  code?: string;
  name?: string;
}
export interface DomainReference {
  code: string;
}

export interface Period {
  from: Date;
  to: Date;
}

const instantParam = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;
const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

// ───────────── contests ─────────────

/** Whose contests a caller sees besides the published public ones (worked out by access.ts). */
export interface ContestScope {
  all: boolean;
  unitId: string | null;
  ledDomain: string | null;
  /** The caller as a person (issuer, role, subject), for the contests they judge. */
  person: { issuer: string; role: string; subject: string } | null;
}

export const contestStore = {
  async insert(db: Queryable, values: typeof contests.$inferInsert): Promise<ContestRow> {
    const [row] = await db.insert(contests).values(values).returning();
    return present(row, 'the row just written');
  },
  async get(db: Queryable, id: string, lock = false): Promise<ContestRow | undefined> {
    const query = db.select().from(contests).where(eq(contests.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<ContestRow[]> {
    return db
      .select()
      .from(contests)
      .where(inArray(contests.id, [...ids]));
  },
  /** Moves the contest on, if nobody else has (the version). */
  async move(
    db: Queryable,
    id: string,
    version: number,
    values: Partial<Pick<ContestRow, 'status' | 'closedAt' | 'publishedAt'>>,
  ): Promise<ContestRow | undefined> {
    const [row] = await db
      .update(contests)
      .set({ ...values, version: version + 1 })
      .where(and(eq(contests.id, id), eq(contests.version, version)))
      .returning();
    return row;
  },
  /** The latest published contest of the same level and scope held before `heldOn`. */
  async previousPublished(
    db: Queryable,
    scope: Pick<ContestRow, 'level' | 'domainCode' | 'unitId'>,
    heldOn: string,
  ): Promise<ContestRow | undefined> {
    const [row] = await db
      .select()
      .from(contests)
      .where(
        and(
          eq(contests.level, scope.level),
          scope.domainCode ? eq(contests.domainCode, scope.domainCode) : sql`${contests.domainCode} is null`,
          scope.unitId ? eq(contests.unitId, scope.unitId) : sql`${contests.unitId} is null`,
          eq(contests.status, 'PUBLISHED'),
          sql`${contests.heldOn} <= ${heldOn}::date`,
        ),
      )
      .orderBy(desc(contests.heldOn), desc(contests.publishedAt))
      .limit(1);
    return row;
  },
  /** A keyset page, newest contest date first, of the contests the scope sees. */
  async page(
    db: Queryable,
    scope: ContestScope,
    filter: { level?: ContestRow['level'] | null; status?: ContestRow['status'] | null; domainCode?: string | null },
    after: { heldOn: string; id: string } | null,
    size: number,
    limit: CountLimit,
  ): Promise<{ rows: ContestRow[]; count: () => Promise<ListCount> }> {
    const conditions: SQL[] = [visible(scope)];
    if (filter.level) conditions.push(eq(contests.level, filter.level));
    if (filter.status) conditions.push(eq(contests.status, filter.status));
    if (filter.domainCode) conditions.push(eq(contests.domainCode, filter.domainCode));
    const where = and(...conditions);
    const pageWhere = after ? and(where, sql`(${contests.heldOn}, ${contests.id}) < (${after.heldOn}::date, ${after.id}::uuid)`) : where;
    const rows = await db
      .select()
      .from(contests)
      .where(pageWhere)
      .orderBy(desc(contests.heldOn), desc(contests.id))
      .limit(size + 1);
    return {
      rows,
      count: () =>
        countUpTo(
          db,
          db
            .select({ one: sql`1` })
            .from(contests)
            .where(where),
          limit,
        ),
    };
  },
};

function visible(scope: ContestScope): SQL {
  if (scope.all) return sql`true`;
  const ors: SQL[] = [sql`(${contests.status} = 'PUBLISHED' and ${contests.level} <> 'INTERNAL')`];
  if (scope.unitId) {
    ors.push(sql`${contests.unitId} = ${scope.unitId}::uuid`);
    ors.push(sql`exists (select 1 from ${contestEntries} e where e.contest_id = ${contests.id} and e.unit_id = ${scope.unitId}::uuid)`);
  }
  if (scope.ledDomain) ors.push(sql`(${contests.level} = 'SYSTEM' and ${contests.domainCode} = ${scope.ledDomain})`);
  if (scope.person) {
    const { issuer, role, subject } = scope.person;
    // As platform/auth.ts isPerson: issuer, role and subject; a judge kept before issuers were matches any issuer.
    ors.push(
      sql`exists (select 1 from ${contestJudges} j where j.contest_id = ${contests.id} and j.subject = ${subject} and j.role = ${role} and (j.issuer is null or j.issuer = ${issuer}))`,
    );
  }
  return sql`(${sql.join(ors, sql` or `)})`;
}

export const entryStore = {
  async insert(db: Queryable, values: typeof contestEntries.$inferInsert): Promise<EntryRow | undefined> {
    const [row] = await db.insert(contestEntries).values(values).onConflictDoNothing().returning();
    return row;
  },
  byContestIds(db: Queryable, ids: readonly string[]): Promise<EntryRow[]> {
    return db
      .select()
      .from(contestEntries)
      .where(inArray(contestEntries.contestId, [...ids]))
      .orderBy(asc(contestEntries.addedAt), asc(contestEntries.id));
  },
};

export const judgeStore = {
  async insert(db: Queryable, values: typeof contestJudges.$inferInsert): Promise<JudgeRow | undefined> {
    const [row] = await db.insert(contestJudges).values(values).onConflictDoNothing().returning();
    return row;
  },
  byContestIds(db: Queryable, ids: readonly string[]): Promise<JudgeRow[]> {
    return db
      .select()
      .from(contestJudges)
      .where(inArray(contestJudges.contestId, [...ids]))
      .orderBy(asc(contestJudges.assignedAt), asc(contestJudges.id));
  },
};

export interface LatestScoreRow extends LatestScore {
  contestId: string;
  submittedAt: Date;
}

export const scoreStore = {
  async insert(db: Queryable, values: (typeof contestScores.$inferInsert)[]): Promise<void> {
    if (values.length) await db.insert(contestScores).values(values);
  },
  /** Each judge's latest score per entry and criterion, for the contests given. */
  async latest(db: Queryable, contestIds: readonly string[]): Promise<LatestScoreRow[]> {
    if (!contestIds.length) return [];
    const result = await db.execute(sql`
      select distinct on (contest_id, judge_id, entry_id, criterion)
             contest_id as "contestId", judge_id as "judgeId", entry_id as "entryId", criterion, score::float8 as score, submitted_at as "submittedAt"
        from ${contestScores}
       where contest_id = any(${uuidArray(contestIds)})
       order by contest_id, judge_id, entry_id, criterion, id desc`);
    return rowsOf<LatestScoreRow & { submittedAt: Date | string }>(result).map((row) => ({
      ...row,
      submittedAt: new Date(row.submittedAt),
    }));
  },
};

export const resultStore = {
  async insert(db: Queryable, values: (typeof contestResults.$inferInsert)[]): Promise<void> {
    if (values.length) await db.insert(contestResults).values(values);
  },
  byContestIds(db: Queryable, ids: readonly string[]): Promise<ResultRow[]> {
    return db
      .select()
      .from(contestResults)
      .where(inArray(contestResults.contestId, [...ids]))
      .orderBy(asc(contestResults.rank));
  },
};

// ───────────── service reviews ─────────────

/** Whose reviews a caller sees (worked out by access.ts): all, or these units. */
export type ReviewScope = { all: true } | { all: false; unitIds: string[] };

export interface ReviewFilter {
  unitIds?: string[] | null;
  bad?: boolean | null;
  overdue?: boolean | null;
  status?: ReviewRow['status'] | null;
  period?: Period | null;
}

const overdueNow = (now: Date) =>
  sql`((${serviceReviews.status} = 'AWAITING_ANSWER' and ${serviceReviews.answerDueAt} < ${instantParam(now)})
    or (${serviceReviews.status} = 'AWAITING_RECTIFICATION' and ${serviceReviews.rectifyDueAt} < ${instantParam(now)}))`;

export const reviewStore = {
  /** Serialises one reviewer's submissions, on every replica (a transaction-scoped advisory lock). */
  async lockReviewer(db: Queryable, reviewerKey: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${reviewerKey}, 0))`);
  },
  async byRequest(db: Queryable, reviewerKey: string, clientRequestId: string): Promise<ReviewRow | undefined> {
    const [row] = await db
      .select()
      .from(serviceReviews)
      .where(and(eq(serviceReviews.reviewerKey, reviewerKey), eq(serviceReviews.clientRequestId, clientRequestId)));
    return row;
  },
  /** How many reviews the reviewer gave since `since`, and of `unitId` since `dayStart`. */
  async recentCounts(
    db: Queryable,
    reviewerKey: string,
    unitId: string,
    since: Date,
    dayStart: Date,
  ): Promise<{ lastHour: number; unitToday: number }> {
    const [row] = await db
      .select({
        lastHour: sql<number>`count(*) filter (where ${serviceReviews.reviewedAt} >= ${instantParam(since)})::int`,
        unitToday: sql<number>`count(*) filter (where ${serviceReviews.unitId} = ${unitId}::uuid and ${serviceReviews.reviewedAt} >= ${instantParam(dayStart)})::int`,
      })
      .from(serviceReviews)
      .where(
        and(
          eq(serviceReviews.reviewerKey, reviewerKey),
          sql`${serviceReviews.reviewedAt} >= ${instantParam(since < dayStart ? since : dayStart)}`,
        ),
      );
    return present(row, 'the row just written');
  },
  async insert(db: Queryable, values: typeof serviceReviews.$inferInsert): Promise<ReviewRow> {
    const [row] = await db.insert(serviceReviews).values(values).returning();
    return present(row, 'the row just written');
  },
  async get(db: Queryable, id: string, lock = false): Promise<ReviewRow | undefined> {
    const query = db.select().from(serviceReviews).where(eq(serviceReviews.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<ReviewRow[]> {
    return db
      .select()
      .from(serviceReviews)
      .where(inArray(serviceReviews.id, [...ids]));
  },
  /**
   * Reviews whose limits are provisional for a year the calendar now has (`years`): locked, those
   * another transaction holds skipped (replicas share the work). At most `limit`.
   */
  lockWaitingForCalendar(db: Queryable, years: readonly number[], limit: number): Promise<ReviewRow[]> {
    if (!years.length) return Promise.resolve([]);
    return db
      .select()
      .from(serviceReviews)
      .where(inArray(serviceReviews.pendingCalendarYear, [...years]))
      .orderBy(asc(serviceReviews.id))
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  /** The years reviews' limits are provisional for, and how many wait for each. */
  provisionalYears(db: Queryable): Promise<{ year: number; reviews: number }[]> {
    return db
      .select({ year: serviceReviews.pendingCalendarYear, reviews: sql<number>`count(*)::int` })
      .from(serviceReviews)
      .where(isNotNull(serviceReviews.pendingCalendarYear))
      .groupBy(serviceReviews.pendingCalendarYear)
      .orderBy(serviceReviews.pendingCalendarYear) as Promise<{ year: number; reviews: number }[]>;
  },
  /** Recomputed limits (the one change a review's words allow: migration 0008). */
  async setLimits(
    db: Queryable,
    rows: {
      id: string;
      answerDueAt: Date | null;
      rectifyDueAt: Date | null;
      answerWarnAt: Date | null;
      rectifyWarnAt: Date | null;
      pendingCalendarYear: number | null;
    }[],
  ): Promise<void> {
    if (!rows.length) return;
    const json = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        answer: r.answerDueAt?.toISOString() ?? null,
        rectify: r.rectifyDueAt?.toISOString() ?? null,
        answer_warn: r.answerWarnAt?.toISOString() ?? null,
        rectify_warn: r.rectifyWarnAt?.toISOString() ?? null,
        pending: r.pendingCalendarYear,
      })),
    );
    await db.execute(sql`
      update ${serviceReviews} r set answer_due_at = x.answer, rectify_due_at = x.rectify, answer_warn_at = x.answer_warn,
        rectify_warn_at = x.rectify_warn, pending_calendar_year = x.pending
      from jsonb_to_recordset(${json}::jsonb)
        as x(id uuid, answer timestamptz, rectify timestamptz, answer_warn timestamptz, rectify_warn timestamptz, pending int)
      where r.id = x.id`);
  },
  async setStatus(db: Queryable, id: string, values: Partial<Pick<ReviewRow, 'status' | 'appealPending'>>): Promise<ReviewRow> {
    const [row] = await db.update(serviceReviews).set(values).where(eq(serviceReviews.id, id)).returning();
    return present(row, 'the row just written');
  },
  async page(
    db: Queryable,
    scope: ReviewScope,
    filter: ReviewFilter,
    now: Date,
    after: { at: Date; id: string } | null,
    size: number,
    limit: CountLimit,
  ) {
    const conditions: SQL[] = [];
    if (!scope.all) conditions.push(scope.unitIds.length ? sql`${serviceReviews.unitId} = any(${uuidArray(scope.unitIds)})` : sql`false`);
    if (filter.unitIds)
      conditions.push(filter.unitIds.length ? sql`${serviceReviews.unitId} = any(${uuidArray(filter.unitIds)})` : sql`false`);
    if (filter.bad !== undefined && filter.bad !== null)
      conditions.push(
        filter.bad
          ? sql`${serviceReviews.level} in ('UNSATISFIED', 'VERY_UNSATISFIED')`
          : sql`${serviceReviews.level} not in ('UNSATISFIED', 'VERY_UNSATISFIED')`,
      );
    if (filter.overdue === true) conditions.push(overdueNow(now));
    if (filter.overdue === false) conditions.push(sql`not ${overdueNow(now)}`);
    if (filter.status) conditions.push(eq(serviceReviews.status, filter.status));
    if (filter.period)
      conditions.push(
        sql`${serviceReviews.reviewedAt} >= ${instantParam(filter.period.from)} and ${serviceReviews.reviewedAt} < ${instantParam(filter.period.to)}`,
      );
    const where = conditions.length ? and(...conditions) : undefined;
    const keyset = after
      ? sql`(${serviceReviews.reviewedAt}, ${serviceReviews.id}) < (${instantParam(after.at)}, ${after.id}::uuid)`
      : undefined;
    // Overdue reviews are among the open ones (service_reviews_open_idx), read from there and sorted:
    // walking the reviewed-at index newest first, the planner expected 7,806 overdue good reviews
    // among 500,000 — there are none, a good review waits for nothing — and read them all (332 ms
    // → 33–50 ms). NULLS LAST (the column is never null, the order is the same) is an order that
    // index cannot give.
    const order =
      filter.overdue === true
        ? [sql`${serviceReviews.reviewedAt} desc nulls last`, sql`${serviceReviews.id} desc nulls last`]
        : [desc(serviceReviews.reviewedAt), desc(serviceReviews.id)];
    const rows = await db
      .select()
      .from(serviceReviews)
      .where(where && keyset ? and(where, keyset) : (where ?? keyset))
      .orderBy(...order)
      .limit(size + 1);
    return {
      rows,
      count: () =>
        countUpTo(
          db,
          db
            .select({ one: sql`1` })
            .from(serviceReviews)
            .where(where),
          limit,
        ),
    };
  },
  /**
   * The figures of each group of units, in one statement whatever the number of groups: `groups`
   * maps unit ids to the key they count under (a unit under its own id, a domain's units under its
   * code); null counts every unit under 'ALL'.
   */
  /**
   * Review figures per group key (`groups` maps unit ids to the key they count under; null: the
   * city as 'ALL'). What does not move with the clock is kept per unit and day and per month
   * (review_figures, review_figures_monthly: migrations 0005, 0007); reviews still awaiting an answer or a rectification are counted live, since
   * the clock alone makes them due or overdue.
   */
  async stats(
    db: Queryable,
    groups: { unitId: string; key: string }[] | null,
    period: Period | null,
    now: Date,
    /** `open: false` when only count and satisfied are wanted (the board, the score): the open reviews are not read, and their parts answer 0. */
    options: { open?: boolean } = {},
  ): Promise<Map<string, ReviewFigures>> {
    const grouped = (alias: string) =>
      groups
        ? sql`join unnest(${uuidArray(groups.map((g) => g.unitId))}, ${sql`${`{${groups.map((g) => `"${g.key}"`).join(',')}}`}::text[]`}) as g(unit_id, key) on g.unit_id = ${sql.raw(alias)}.unit_id`
        : sql`cross join (select 'ALL'::text as key) g`;
    // The kept rows of the period: whole months from the monthly table, the edge days from the daily one.
    const ranges = period ? keptRanges({ from: beijingDate(period.from), to: beijingDate(new Date(period.to.getTime() - 1)) }) : null;
    const columns = sql.raw('unit_id, count, satisfied, bad, rectified, on_time, excluded');
    const keptRows = [
      !ranges
        ? sql`select ${columns} from ${reviewFiguresMonthly}`
        : ranges.months
          ? sql`select ${columns} from ${reviewFiguresMonthly} where month >= ${ranges.months.from}::date and month < ${ranges.months.until}::date`
          : null,
      ...(ranges?.days ?? []).map(
        (range) => sql`select ${columns} from ${reviewFigures} where day >= ${range.from}::date and day < ${range.until}::date`,
      ),
    ].filter((part): part is SQL => part !== null);
    const openInPeriod = period
      ? sql`r.reviewed_at >= ${instantParam(period.from)} and r.reviewed_at < ${instantParam(period.to)}`
      : sql`true`;
    const at = instantParam(now);
    const result = await db.execute(sql`
      with kept as (
        select g.key, sum(f.count)::int as count, sum(f.satisfied)::int as satisfied, sum(f.bad)::int as bad,
               sum(f.rectified)::int as rectified, sum(f.on_time)::int as on_time, sum(f.excluded)::int as excluded
          from (${sql.join(keptRows, sql` union all `)}) f ${grouped('f')}
         group by g.key
      ),
      open as (${
        options.open === false
          ? sql`select null::text as key, 0 as open_due, 0 as overdue_now where false`
          : sql`
        select g.key,
               count(*) filter (where r.rectify_due_at < ${at})::int as open_due,
               count(*) filter (where (r.status = 'AWAITING_ANSWER' and r.answer_due_at < ${at}) or (r.status = 'AWAITING_RECTIFICATION' and r.rectify_due_at < ${at}))::int as overdue_now
          from ${serviceReviews} r ${grouped('r')}
         where r.status in ('AWAITING_ANSWER', 'AWAITING_RECTIFICATION') and ${openInPeriod}
         group by g.key`
      }
      )
      select key, coalesce(k.count, 0) as count, coalesce(k.satisfied, 0) as satisfied, coalesce(k.bad, 0) as bad,
             coalesce(k.rectified, 0) as rectified, coalesce(k.on_time, 0) as on_time, coalesce(k.excluded, 0) as excluded,
             coalesce(o.open_due, 0) as open_due, coalesce(o.overdue_now, 0) as overdue_now
        from kept k full join open o using (key)
       where k.count is not null or o.key is not null`);
    const figures = new Map<string, ReviewFigures>();
    for (const row of rowsOf<{
      key: string;
      count: number;
      satisfied: number;
      bad: number;
      rectified: number;
      on_time: number;
      excluded: number;
      open_due: number;
      overdue_now: number;
    }>(result)) {
      figures.set(row.key, {
        count: row.count,
        satisfied: row.satisfied,
        badReviews: row.bad,
        rectified: row.rectified,
        // Due: rectified, or still open past its rectification limit.
        due: row.rectified + row.open_due,
        onTime: row.on_time,
        overdueNow: row.overdue_now,
        excluded: row.excluded,
      });
    }
    return figures;
  },
};

export interface ReviewFigures {
  count: number;
  satisfied: number;
  badReviews: number;
  rectified: number;
  /** Bad reviews whose rectification limit has passed, or that are rectified. */
  due: number;
  onTime: number;
  overdueNow: number;
  excluded: number;
}

export const emptyReviewFigures: ReviewFigures = {
  count: 0,
  satisfied: 0,
  badReviews: 0,
  rectified: 0,
  due: 0,
  onTime: 0,
  overdueNow: 0,
  excluded: 0,
};

export const reviewActionStore = {
  async insert(db: Queryable, values: typeof reviewActions.$inferInsert): Promise<ReviewActionRow | undefined> {
    const [row] = await db.insert(reviewActions).values(values).onConflictDoNothing().returning();
    return row;
  },
  byReviewIds(db: Queryable, ids: readonly string[]): Promise<ReviewActionRow[]> {
    return db
      .select()
      .from(reviewActions)
      .where(inArray(reviewActions.reviewId, [...ids]))
      .orderBy(asc(reviewActions.id));
  },
  /** Lateness judged against a provisional limit, judged again on the final one (the one change migration 0008 allows). */
  async settleLateness(db: Queryable, rows: { id: number; late: boolean }[]): Promise<void> {
    if (!rows.length) return;
    await db.execute(sql`
      update ${reviewActions} a set late = x.late, late_provisional = false
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, late boolean)
      where a.id = x.id and a.late_provisional`);
  },
};

export const sampleStore = {
  async count(db: Queryable): Promise<number> {
    const [row] = await db
      .select({
        n: sql<number>`((select count(*) from ${contests} where sample) + (select count(*) from ${serviceReviews} where sample) + (select count(*) from ${evaluations} where sample) + (select count(*) from ${surveys} where sample))::int`,
      })
      .from(sql`(select 1) as one`);
    return row?.n ?? 0;
  },
};

// ───────────── tackling tasks and quarterly reports ─────────────

const milestoneColumns = {
  id: milestones.id,
  taskId: milestones.taskId,
  sequence: milestones.sequence,
  title: milestones.title,
  dueOn: milestones.dueOn,
  doneAt: milestoneCompletions.doneAt,
  note: milestoneCompletions.note,
  late: sql<boolean>`coalesce(${milestoneCompletions.late}, false)`,
};

export const taskStore = {
  async insert(db: Queryable, values: typeof tasks.$inferInsert, steps: { title: string; dueOn: string }[]): Promise<TaskRow> {
    const [inserted] = await db.insert(tasks).values(values).returning();
    const row = present(inserted, 'the task just written');
    if (steps.length) await db.insert(milestones).values(steps.map((step, sequence) => ({ taskId: row.id, sequence, ...step })));
    return row;
  },
  /** The plan's own dated duties, once each (reference data). */
  async ensureReference(db: Queryable, values: (typeof tasks.$inferInsert)[]): Promise<void> {
    if (values.length) await db.insert(tasks).values(values).onConflictDoNothing();
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<TaskRow[]> {
    return db
      .select()
      .from(tasks)
      .where(inArray(tasks.id, [...ids]));
  },
  /** Tasks of the units (null: all), and the plan's duties; newest due date first. */
  async page(
    db: Queryable,
    unitIds: string[] | null,
    filter: { unitIds?: string[] | null; kind?: TaskRow['kind'] | null },
    after: { dueOn: string; id: string } | null,
    size: number,
    limit: CountLimit,
  ) {
    const conditions: SQL[] = [];
    if (unitIds) conditions.push(sql`(${tasks.unitId} is null or ${tasks.unitId} = any(${uuidArray(unitIds)}))`);
    if (filter.unitIds) conditions.push(filter.unitIds.length ? sql`${tasks.unitId} = any(${uuidArray(filter.unitIds)})` : sql`false`);
    if (filter.kind) conditions.push(eq(tasks.kind, filter.kind));
    const where = conditions.length ? and(...conditions) : undefined;
    const keyset = after ? sql`(${tasks.dueOn}, ${tasks.id}) < (${after.dueOn}::date, ${after.id}::uuid)` : undefined;
    const rows = await db
      .select()
      .from(tasks)
      .where(where && keyset ? and(where, keyset) : (where ?? keyset))
      .orderBy(desc(tasks.dueOn), desc(tasks.id))
      .limit(size + 1);
    return {
      rows,
      count: () =>
        countUpTo(
          db,
          db
            .select({ one: sql`1` })
            .from(tasks)
            .where(where),
          limit,
        ),
    };
  },
};

export const milestoneStore = {
  byTaskIds(db: Queryable, ids: readonly string[]): Promise<MilestoneRow[]> {
    return db
      .select(milestoneColumns)
      .from(milestones)
      .leftJoin(milestoneCompletions, eq(milestoneCompletions.milestoneId, milestones.id))
      .where(inArray(milestones.taskId, [...ids]))
      .orderBy(asc(milestones.taskId), asc(milestones.sequence));
  },
  async get(db: Queryable, id: string): Promise<(MilestoneRow & { unitId: string | null }) | undefined> {
    const [row] = await db
      .select({ ...milestoneColumns, unitId: tasks.unitId })
      .from(milestones)
      .innerJoin(tasks, eq(tasks.id, milestones.taskId))
      .leftJoin(milestoneCompletions, eq(milestoneCompletions.milestoneId, milestones.id))
      .where(eq(milestones.id, id));
    return row;
  },
  async complete(db: Queryable, values: typeof milestoneCompletions.$inferInsert): Promise<boolean> {
    const rows = await db.insert(milestoneCompletions).values(values).onConflictDoNothing().returning();
    return rows.length > 0;
  },
  /** Milestones not done whose day ended before `today`, of the units (null: all), earliest first. */
  async overdue(
    db: Queryable,
    unitIds: string[] | null,
    today: string,
    after: { dueOn: string; id: string } | null,
    size: number,
    limit: CountLimit,
  ) {
    const conditions: SQL[] = [sql`${milestoneCompletions.milestoneId} is null`, sql`${milestones.dueOn} < ${today}::date`];
    if (unitIds) conditions.push(sql`${tasks.unitId} = any(${uuidArray(unitIds)})`);
    const where = and(...conditions);
    const keyset = after ? sql`(${milestones.dueOn}, ${milestones.id}) > (${after.dueOn}::date, ${after.id}::uuid)` : undefined;
    const base = () =>
      db
        .select(milestoneColumns)
        .from(milestones)
        .innerJoin(tasks, eq(tasks.id, milestones.taskId))
        .leftJoin(milestoneCompletions, eq(milestoneCompletions.milestoneId, milestones.id));
    const rows = await base()
      .where(keyset ? and(where, keyset) : where)
      .orderBy(asc(milestones.dueOn), asc(milestones.id))
      .limit(size + 1);
    return {
      rows,
      count: () =>
        countUpTo(
          db,
          db
            .select({ one: sql`1` })
            .from(milestones)
            .innerJoin(tasks, eq(tasks.id, milestones.taskId))
            .leftJoin(milestoneCompletions, eq(milestoneCompletions.milestoneId, milestones.id))
            .where(where),
          limit,
        ),
    };
  },
};

export const reportStore = {
  async lockUnitQuarter(db: Queryable, unitId: string, quarter: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`report:${unitId}:${quarter}`}, 0))`);
  },
  async versions(db: Queryable, unitId: string, quarter: string): Promise<ReportRow[]> {
    return db
      .select()
      .from(quarterlyReports)
      .where(and(eq(quarterlyReports.unitId, unitId), eq(quarterlyReports.quarter, quarter)))
      .orderBy(asc(quarterlyReports.version));
  },
  async insert(db: Queryable, values: typeof quarterlyReports.$inferInsert): Promise<ReportRow> {
    const [row] = await db.insert(quarterlyReports).values(values).returning();
    return present(row, 'the row just written');
  },
  /** Every version of the quarters' reports, oldest first. */
  byQuarters(db: Queryable, quarters: readonly string[]): Promise<ReportRow[]> {
    if (!quarters.length) return Promise.resolve([]);
    return db
      .select()
      .from(quarterlyReports)
      .where(inArray(quarterlyReports.quarter, [...quarters]))
      .orderBy(asc(quarterlyReports.unitId), asc(quarterlyReports.version));
  },
  /** Units expected to report for a quarter: those with a tackling task created before it was due. */
  async expectedUnits(db: Queryable, dueAt: Date): Promise<string[]> {
    const rows = await db
      .selectDistinct({ unitId: tasks.unitId })
      .from(tasks)
      .where(and(eq(tasks.kind, 'TACKLING'), sql`${tasks.unitId} is not null`, sql`${tasks.createdAt} < ${instantParam(dueAt)}`));
    return rows.map((row) => present(row.unitId, 'the unit of a task selected for having one'));
  },
};

// ───────────── the half-yearly evaluation ─────────────

export const evaluationStore = {
  async get(db: Queryable, period: string, lock = false): Promise<EvaluationRow | undefined> {
    const query = db.select().from(evaluations).where(eq(evaluations.period, period));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  },
  byPeriods(db: Queryable, periods: readonly string[]): Promise<EvaluationRow[]> {
    return db
      .select()
      .from(evaluations)
      .where(inArray(evaluations.period, [...periods]));
  },
  async insert(db: Queryable, values: typeof evaluations.$inferInsert): Promise<EvaluationRow> {
    const [row] = await db.insert(evaluations).values(values).returning();
    return present(row, 'the row just written');
  },
  async redefine(
    db: Queryable,
    id: string,
    version: number,
    values: Pick<EvaluationRow, 'indicators' | 'gradingMethod' | 'gradeCutoffs' | 'minimumCoverage'>,
  ): Promise<EvaluationRow | undefined> {
    const [row] = await db
      .update(evaluations)
      .set({ ...values, version: version + 1 })
      .where(and(eq(evaluations.id, id), eq(evaluations.version, version)))
      .returning();
    return row;
  },
  /** Keeps a definition as it was given (every createEvaluation, first or again). */
  async insertDefinition(db: Queryable, values: typeof evaluationDefinitions.$inferInsert): Promise<void> {
    await db.insert(evaluationDefinitions).values(values);
  },
  definitions(db: Queryable, evaluationId: string): Promise<DefinitionRow[]> {
    return db
      .select()
      .from(evaluationDefinitions)
      .where(eq(evaluationDefinitions.evaluationId, evaluationId))
      .orderBy(asc(evaluationDefinitions.version));
  },
  async publish(db: Queryable, id: string, version: number, at: Date): Promise<EvaluationRow | undefined> {
    const [row] = await db
      .update(evaluations)
      .set({ status: 'PUBLISHED', publishedAt: at, version: version + 1 })
      .where(and(eq(evaluations.id, id), eq(evaluations.version, version)))
      .returning();
    return row;
  },
  async insertValue(db: Queryable, values: typeof indicatorValues.$inferInsert): Promise<IndicatorValueRow> {
    const [row] = await db.insert(indicatorValues).values(values).returning();
    return present(row, 'the row just written');
  },
  /** The latest entered value per unit and indicator. */
  async latestValues(db: Queryable, evaluationId: string): Promise<IndicatorValueRow[]> {
    const result = await db.execute(sql`
      select distinct on (unit_id, indicator) id, evaluation_id as "evaluationId", unit_id as "unitId", indicator, value::float8 as value, source, entered_by as "enteredBy", entered_by_unit_id as "enteredByUnitId", entered_at as "enteredAt"
        from ${indicatorValues} where evaluation_id = ${evaluationId}::uuid
       order by unit_id, indicator, id desc`);
    return rowsOf<IndicatorValueRow & { enteredAt: Date | string }>(result).map((row) => ({ ...row, enteredAt: new Date(row.enteredAt) }));
  },
  async insertResults(db: Queryable, values: (typeof evaluationResults.$inferInsert)[]): Promise<void> {
    if (values.length) await db.insert(evaluationResults).values(values);
  },
  results(db: Queryable, evaluationIds: readonly string[]): Promise<EvaluationResultRow[]> {
    return db
      .select()
      .from(evaluationResults)
      .where(inArray(evaluationResults.evaluationId, [...evaluationIds]))
      .orderBy(asc(evaluationResults.rank), asc(evaluationResults.unitId));
  },
  async insertDecision(db: Queryable, values: typeof evaluationDecisions.$inferInsert): Promise<DecisionRow> {
    const [row] = await db.insert(evaluationDecisions).values(values).returning();
    return present(row, 'the row just written');
  },
  decisions(db: Queryable, evaluationIds: readonly string[]): Promise<DecisionRow[]> {
    return db
      .select()
      .from(evaluationDecisions)
      .where(inArray(evaluationDecisions.evaluationId, [...evaluationIds]))
      .orderBy(asc(evaluationDecisions.decidedAt));
  },
  /** Each unit's result in the latest published CITY contest held in the period (one statement). */
  async latestCityContest(
    db: Queryable,
    from: string,
    to: string,
  ): Promise<{ unitId: string; rank: number; score: number | null; contestsAgain: boolean }[]> {
    const result = await db.execute(sql`
      with latest as (
        select id from ${contests} where level = 'CITY' and status = 'PUBLISHED' and held_on between ${from}::date and ${to}::date
        order by held_on desc, published_at desc limit 1)
      select e.unit_id as "unitId", r.rank, r.score::float8 as score, r.contests_again as "contestsAgain"
        from latest join ${contestResults} r on r.contest_id = latest.id join ${contestEntries} e on e.id = r.entry_id
       where e.unit_id is not null`);
    return rowsOf(result);
  },
};

// ───────────── notices (issue #25 §3) ─────────────

/** The notice tables of the slice (db/outbox.ts), as the kit's outbox and this slice's sweep use them. */
export const evaluationsOutbox: OutboxTables = { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts };

/** A running limit of a poor review that reached its warning (80%) or its due time: what the sweep tells the reviewed unit. */
export interface PassedReviewLimit {
  reviewId: string;
  unitId: string;
  serviceItem: string;
  level: ReviewRow['level'];
  kind: 'ANSWER' | 'RECTIFY';
  passed: 'WARNING' | 'OVERDUE';
  dueAt: Date;
}

export const noticeStore = {
  /**
   * The units expected to report for `quarter` (a tackling task, not sample data, created before its
   * due time) that have filed no version of it, and have not been told so yet (the event's once key).
   */
  async reportsMissing(db: Queryable, quarter: string, dueAt: Date): Promise<string[]> {
    const rows = rowsOf<{ unitId: string }>(
      await db.execute(sql`select distinct t.unit_id as "unitId" from ${tasks} t
        where t.kind = 'TACKLING' and t.unit_id is not null and not t.sample and t.created_at < ${instantParam(dueAt)}
          and not exists (select 1 from ${quarterlyReports} r where r.unit_id = t.unit_id and r.quarter = ${quarter})
          and not exists (select 1 from ${outboxEvents} e where e.once_key = 'report-missing:' || t.unit_id || ':' || ${quarter})
        order by 1`),
    );
    return rows.map((row) => row.unitId);
  },
  /**
   * The limits of poor reviews not sampled that run now — the answer's while the review awaits it,
   * then the rectification's — and reached their warning time (while still before due) or their due
   * time in the last `days` days, with no such event yet: what the sweep emits, once each (by its
   * once key). Each part reads a partial index over the awaiting reviews by instant
   * (service_reviews_answer_warn_idx, service_reviews_open_idx, service_reviews_rectify_warn_idx,
   * service_reviews_rectify_due_idx), so a sweep reads the window, not the reviews.
   */
  async limitsPassed(db: Queryable, now: Date, days = 7): Promise<PassedReviewLimit[]> {
    const at = instantParam(now);
    const since = sql`${at} - make_interval(days => ${days})`;
    const rows = rowsOf<PassedReviewLimit & { dueAt: string | Date }>(
      await db.execute(sql`select p.id as "reviewId", p.unit_id as "unitId", p.service_item as "serviceItem", p.level as "level",
          p.kind as "kind", p.passed as "passed", p.due_at as "dueAt"
        from (
          select r.id, r.unit_id, r.service_item, r.level, r.sample, 'ANSWER' as kind, 'WARNING' as passed, r.answer_due_at as due_at
          from ${serviceReviews} r
          where r.status = 'AWAITING_ANSWER' and r.answer_warn_at <= ${at} and r.answer_warn_at > ${since} and r.answer_due_at > ${at}
          union all
          select r.id, r.unit_id, r.service_item, r.level, r.sample, 'ANSWER', 'OVERDUE', r.answer_due_at
          from ${serviceReviews} r
          where r.status = 'AWAITING_ANSWER' and r.answer_due_at <= ${at} and r.answer_due_at > ${since}
          union all
          select r.id, r.unit_id, r.service_item, r.level, r.sample, 'RECTIFY', 'WARNING', r.rectify_due_at
          from ${serviceReviews} r
          where r.status = 'AWAITING_RECTIFICATION' and r.rectify_warn_at <= ${at} and r.rectify_warn_at > ${since} and r.rectify_due_at > ${at}
          union all
          select r.id, r.unit_id, r.service_item, r.level, r.sample, 'RECTIFY', 'OVERDUE', r.rectify_due_at
          from ${serviceReviews} r
          where r.status = 'AWAITING_RECTIFICATION' and r.rectify_due_at <= ${at} and r.rectify_due_at > ${since}
        ) p
        where not p.sample
          and not exists (select 1 from ${outboxEvents} e where e.once_key = 'limit:' || p.id || ':' || p.kind || ':' || p.passed)
        order by p.due_at, p.id limit 500`),
    );
    return rows.map((row) => ({ ...row, dueAt: new Date(row.dueAt) }));
  },
};

// ───────────── surveys (问卷调查) ─────────────

export type SurveyRow = typeof surveys.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
export type SurveyAnswerRow = typeof surveyAnswers.$inferSelect;

/** One question's results: answers given, the ratings' sum and count per value, the count per option. */
export interface QuestionTally {
  question: number;
  answered: number;
  ratingSum: number;
  /** count of ratings 1..5 (index 0 is 1) */
  ratings: number[];
  /** option index → times chosen */
  choices: Map<number, number>;
}

/** A unit's satisfaction from the surveys about it in a period, by audience: the ratings' average and the answer sheets. */
export interface SurveySatisfaction {
  unitId: string;
  audience: SurveyRow['audience'];
  surveys: number;
  responses: number;
  ratings: number;
  average: number | null;
}

export const surveyStore = {
  async insert(db: Queryable, row: typeof surveys.$inferInsert): Promise<SurveyRow> {
    const [saved] = await db.insert(surveys).values(row).returning();
    return present(saved, 'the survey just published');
  },
  async get(db: Queryable, id: string): Promise<SurveyRow | undefined> {
    const [row] = await db.select().from(surveys).where(eq(surveys.id, id));
    return row;
  },
  async byPublisherRequest(
    db: Queryable,
    publisher: { issuer: string; role: string; subject: string },
    clientRequestId: string,
  ): Promise<SurveyRow | undefined> {
    const [row] = await db
      .select()
      .from(surveys)
      .where(
        and(
          eq(surveys.publisherIssuer, publisher.issuer),
          eq(surveys.publisherRole, publisher.role),
          eq(surveys.publisherSubject, publisher.subject),
          eq(surveys.clientRequestId, clientRequestId),
        ),
      );
    return row;
  },
  /** A page of surveys, newest first (keyset on opening time and id). */
  async page(db: Queryable, after: { at: Date; id: string } | null, size: number) {
    const keyset = after ? sql`(${surveys.opensAt}, ${surveys.id}) < (${instantParam(after.at)}, ${after.id}::uuid)` : undefined;
    const rows = await db
      .select()
      .from(surveys)
      .where(keyset)
      .orderBy(desc(surveys.opensAt), desc(surveys.id))
      .limit(size + 1);
    return {
      rows,
      count: async () => (await db.select({ n: sql<number>`count(*)::int` }).from(surveys))[0]?.n ?? 0,
    };
  },
  /** Whether a survey of this audience about the unit opened in [from, to): then its answers are the indicator's value. */
  async surveyedUnits(
    db: Queryable,
    audience: SurveyRow['audience'],
    unitIds: readonly string[],
    from: Date,
    to: Date,
  ): Promise<Set<string>> {
    if (!unitIds.length) return new Set();
    const rows = await db
      .selectDistinct({ unitId: surveys.unitId })
      .from(surveys)
      .where(
        and(
          eq(surveys.audience, audience),
          inArray(surveys.unitId, [...unitIds]),
          sql`${surveys.opensAt} >= ${instantParam(from)} and ${surveys.opensAt} < ${instantParam(to)}`,
        ),
      );
    return new Set(rows.map((r) => r.unitId).filter((id): id is string => id !== null));
  },
  /** Every unit's satisfaction from the surveys about it that opened in [from, to), per audience: one statement. */
  async satisfaction(db: Queryable, from: Date, to: Date): Promise<SurveySatisfaction[]> {
    const result = await db.execute(sql`
      select s.unit_id as "unitId", s.audience,
             count(distinct s.id)::int as surveys,
             count(distinct r.id)::int as responses,
             count(a.rating)::int as ratings,
             avg(a.rating)::float8 as average
        from ${surveys} s
        left join ${surveyResponses} r on r.survey_id = s.id
        left join ${surveyAnswers} a on a.response_id = r.id and a.rating is not null
       where s.unit_id is not null and s.opens_at >= ${instantParam(from)} and s.opens_at < ${instantParam(to)}
       group by s.unit_id, s.audience`);
    return rowsOf<SurveySatisfaction>(result);
  },
  /** Retries and limits of one respondent queue on their key. */
  async lockRespondent(db: Queryable, respondentKey: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'survey:' + respondentKey}, 0))`);
  },
  /** An enterprise's answers to one survey queue on the survey and its credit code. */
  async lockEnterprise(db: Queryable, surveyId: string, creditCode: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`survey:${surveyId}:${creditCode}`}, 0))`);
  },
  async responseByRequest(db: Queryable, respondentKey: string, clientRequestId: string): Promise<SurveyResponseRow | undefined> {
    const [row] = await db
      .select()
      .from(surveyResponses)
      .where(and(eq(surveyResponses.respondentKey, respondentKey), eq(surveyResponses.clientRequestId, clientRequestId)));
    return row;
  },
  async responseOfEnterprise(db: Queryable, surveyId: string, creditCode: string): Promise<SurveyResponseRow | undefined> {
    const [row] = await db
      .select()
      .from(surveyResponses)
      .where(and(eq(surveyResponses.surveyId, surveyId), eq(surveyResponses.creditCode, creditCode)));
    return row;
  },
  /** The respondent's answer sheets to this survey since `dayStart`, and to any survey in the last hour. */
  async recentCounts(db: Queryable, respondentKey: string, surveyId: string, hourAgo: Date, dayStart: Date) {
    const result = await db.execute(sql`
      select count(*) filter (where survey_id = ${surveyId}::uuid and answered_at >= ${instantParam(dayStart)})::int as "surveyToday",
             count(*) filter (where answered_at >= ${instantParam(hourAgo)})::int as "lastHour"
        from ${surveyResponses}
       where respondent_key = ${respondentKey} and answered_at >= ${instantParam(hourAgo < dayStart ? hourAgo : dayStart)}`);
    const [row] = rowsOf<{ surveyToday: number; lastHour: number }>(result);
    return row ?? { surveyToday: 0, lastHour: 0 };
  },
  async insertResponse(
    db: Queryable,
    row: typeof surveyResponses.$inferInsert,
    answers: Omit<typeof surveyAnswers.$inferInsert, 'responseId' | 'surveyId' | 'answeredAt'>[],
  ): Promise<SurveyResponseRow> {
    const [saved] = await db.insert(surveyResponses).values(row).returning();
    const response = present(saved, 'the answer sheet just written');
    if (answers.length)
      await db
        .insert(surveyAnswers)
        .values(answers.map((a) => ({ ...a, responseId: response.id, surveyId: response.surveyId, answeredAt: response.answeredAt })));
    return response;
  },
  async answersOf(db: Queryable, responseIds: readonly string[]): Promise<SurveyAnswerRow[]> {
    if (!responseIds.length) return [];
    return db
      .select()
      .from(surveyAnswers)
      .where(inArray(surveyAnswers.responseId, [...responseIds]))
      .orderBy(asc(surveyAnswers.responseId), asc(surveyAnswers.question));
  },
  /** Answer sheets per survey. */
  async responseCounts(db: Queryable, surveyIds: readonly string[]): Promise<Map<string, number>> {
    if (!surveyIds.length) return new Map();
    const rows = await db
      .select({ surveyId: surveyResponses.surveyId, n: sql<number>`count(*)::int` })
      .from(surveyResponses)
      .where(inArray(surveyResponses.surveyId, [...surveyIds]))
      .groupBy(surveyResponses.surveyId);
    return new Map(rows.map((r) => [r.surveyId, r.n]));
  },
  /** Each question's tally of one survey: one statement. */
  async tallies(db: Queryable, surveyId: string): Promise<QuestionTally[]> {
    const result = await db.execute(sql`
      select a.question, count(*)::int as answered, coalesce(sum(a.rating), 0)::int as "ratingSum",
             array[count(*) filter (where a.rating = 1), count(*) filter (where a.rating = 2), count(*) filter (where a.rating = 3),
                   count(*) filter (where a.rating = 4), count(*) filter (where a.rating = 5)]::int[] as ratings,
             coalesce((select jsonb_object_agg(c.choice, c.n) from (
                select choice, count(*)::int as n from ${surveyAnswers} b, unnest(b.choices) as choice
                 where b.survey_id = ${surveyId}::uuid and b.question = a.question group by choice) c), '{}'::jsonb) as choices
        from ${surveyAnswers} a
       where a.survey_id = ${surveyId}::uuid
       group by a.question
       order by a.question`);
    return rowsOf<Omit<QuestionTally, 'choices'> & { choices: Record<string, number> }>(result).map((row) => ({
      ...row,
      choices: new Map(Object.entries(row.choices).map(([k, v]) => [Number(k), v])),
    }));
  },
  /** A page of a survey's text answers, newest first. */
  async textAnswers(db: Queryable, surveyId: string, after: { at: Date; id: string; question: number } | null, size: number) {
    const where = and(eq(surveyAnswers.surveyId, surveyId), isNotNull(surveyAnswers.text));
    const keyset = after
      ? sql`(${surveyAnswers.answeredAt}, ${surveyAnswers.responseId}, ${surveyAnswers.question}) < (${instantParam(after.at)}, ${after.id}::uuid, ${after.question})`
      : undefined;
    const rows = await db
      .select()
      .from(surveyAnswers)
      .where(keyset ? and(where, keyset) : where)
      .orderBy(desc(surveyAnswers.answeredAt), desc(surveyAnswers.responseId), desc(surveyAnswers.question))
      .limit(size + 1);
    return {
      rows,
      count: async () =>
        (
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(surveyAnswers)
            .where(where)
        )[0]?.n ?? 0,
    };
  },
};
