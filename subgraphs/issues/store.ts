/**
 * Data access of the issues subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the service can compose them in one transaction.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { escapeLike, rowsOf, type Queryable } from '../../db/client.ts';
import { calendarYears, issueDeadlines, issueEvents, issues } from '../../db/issues.ts';

/** Which issues a caller may see, as the store filters them (access.ts decides it). */
export type IssueScope =
  | { kind: 'all' }
  | { kind: 'unit'; ownUnitId: string; unitIds: string[] }
  | { kind: 'enterprise'; creditCode: string }
  | { kind: 'observer'; subject: string }
  | { kind: 'none' };

export type IssueRow = typeof issues.$inferSelect;
export type NewIssue = typeof issues.$inferInsert;
export type DeadlineRow = typeof issueDeadlines.$inferSelect;
export type NewDeadline = typeof issueDeadlines.$inferInsert;
export type EventRow = typeof issueEvents.$inferSelect;
export type CalendarRow = typeof calendarYears.$inferSelect;
export type AlertRow = { deadline: DeadlineRow; issue: IssueRow };
/** Entities owned by other slices, as this slice refers to them. */
export type UnitReference = { id: string };
export type DomainReference = { code: string };
export type EnterpriseReference = { creditCode: string };
export type DistrictReference = { code: string };

export interface IssueListFilter {
  unitId?: string | null;
  /** Responsible unit among these (a domain's units, from the directory). */
  unitIds?: string[] | null;
  districtCode?: string | null;
  environment?: IssueRow['environment'] | null;
  source?: IssueRow['source'] | null;
  status?: IssueRow['status'][] | null;
  overdue?: boolean | null;
  escalated?: boolean | null;
  enterpriseCreditCode?: string | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  text?: string | null;
}

/** A timestamptz parameter for raw SQL (drizzle maps Dates only when compared with a column it knows). */
export const instantParam = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/** A uuid[] parameter (drizzle would expand a JS array into a list of parameters). */
export const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

export function scopeCondition(scope: IssueScope): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'unit':
      return or(sql`${issues.responsibleUnitId} = any(${uuidArray(scope.unitIds)})`, eq(issues.reporterUnitId, scope.ownUnitId));
    case 'enterprise':
      return eq(issues.reporterEnterprise, scope.creditCode);
    case 'observer':
      return and(eq(issues.reporterRole, 'OBSERVER'), eq(issues.reporterSubject, scope.subject));
    default:
      return sql`false`;
  }
}

function filterConditions(filter: IssueListFilter, now: Date): SQL[] {
  const conditions: SQL[] = [];
  if (filter.unitId) conditions.push(eq(issues.responsibleUnitId, filter.unitId));
  if (filter.unitIds) conditions.push(sql`${issues.responsibleUnitId} = any(${uuidArray(filter.unitIds)})`);
  if (filter.districtCode) conditions.push(eq(issues.districtCode, filter.districtCode));
  if (filter.environment) conditions.push(eq(issues.environment, filter.environment));
  if (filter.source) conditions.push(eq(issues.source, filter.source));
  if (filter.status?.length) conditions.push(inArray(issues.status, filter.status));
  if (filter.overdue === true) conditions.push(lt(issues.nextDueAt, now));
  if (filter.overdue === false) conditions.push(or(isNull(issues.nextDueAt), gte(issues.nextDueAt, now))!);
  if (filter.escalated === true) conditions.push(isNotNull(issues.escalatedAt));
  if (filter.escalated === false) conditions.push(isNull(issues.escalatedAt));
  if (filter.enterpriseCreditCode) conditions.push(eq(issues.enterpriseCreditCode, filter.enterpriseCreditCode));
  if (filter.receivedFrom) conditions.push(gte(issues.receivedAt, filter.receivedFrom));
  if (filter.receivedTo) conditions.push(lt(issues.receivedAt, filter.receivedTo));
  if (filter.text) {
    // Same expression as the trigram index, so the index serves it.
    conditions.push(sql`(${issues.title} || ' ' || ${issues.description}) ilike ${`%${escapeLike(filter.text)}%`}`);
  }
  return conditions;
}

export const issueStore = {
  byIds(db: Queryable, ids: readonly string[]): Promise<IssueRow[]> {
    return db.select().from(issues).where(inArray(issues.id, [...ids]));
  },
  async get(db: Queryable, id: string): Promise<IssueRow | undefined> {
    const [row] = await db.select().from(issues).where(eq(issues.id, id));
    return row;
  },
  async lock(db: Queryable, id: string): Promise<IssueRow | undefined> {
    const [row] = await db.select().from(issues).where(eq(issues.id, id)).for('update');
    return row;
  },
  /** Inserts unless this reporter already sent this client request id; undefined then. */
  async insertOnce(db: Queryable, values: NewIssue): Promise<IssueRow | undefined> {
    const [row] = await db
      .insert(issues)
      .values(values)
      .onConflictDoNothing({ target: [issues.reporterSubject, issues.clientRequestId] })
      .returning();
    return row;
  },
  async byClientRequest(db: Queryable, subject: string, clientRequestId: string): Promise<IssueRow | undefined> {
    const [row] = await db
      .select()
      .from(issues)
      .where(and(eq(issues.reporterSubject, subject), eq(issues.clientRequestId, clientRequestId)));
    return row;
  },
  /** Writes only if nobody changed the issue since `version` was read: the loser of a race learns it. */
  async update(db: Queryable, id: string, version: number, values: Partial<NewIssue>): Promise<IssueRow | undefined> {
    const [row] = await db
      .update(issues)
      .set({ ...values, version: sql`${issues.version} + 1` })
      .where(and(eq(issues.id, id), eq(issues.version, version)))
      .returning();
    return row;
  },
  /** A merge: the original absorbs the duplicate and whatever the duplicate had absorbed. */
  async absorb(db: Queryable, originalId: string, count: number): Promise<void> {
    await db
      .update(issues)
      .set({ absorbedCount: sql`${issues.absorbedCount} + ${count}`, version: sql`${issues.version} + 1` })
      .where(eq(issues.id, originalId));
  },
  /** Earlier duplicates of the duplicate now follow the original too. */
  async repointMerged(db: Queryable, fromId: string, toId: string): Promise<void> {
    await db.update(issues).set({ mergedIntoId: toId }).where(eq(issues.mergedIntoId, fromId));
  },
  /** Keeps next_due_at / next_warn_at in step with the open deadlines of these issues. */
  async refreshNextDue(db: Queryable, issueIds: readonly string[]): Promise<void> {
    if (!issueIds.length) return;
    await db.execute(sql`
      update ${issues} i set
        next_due_at = d.due, next_warn_at = d.warn
      from (
        select x.id, min(dl.due_at) as due, min(dl.warn_at) as warn
        from unnest(${uuidArray(issueIds)}) as x(id)
        left join ${issueDeadlines} dl on dl.issue_id = x.id and dl.met_at is null and dl.cancelled_at is null
        group by x.id
      ) d
      where i.id = d.id`);
  },
  page(
    db: Queryable,
    query: { scope: IssueScope; filter: IssueListFilter; now: Date },
    limit: number,
    after: { receivedAt: Date; id: string } | null,
  ): Promise<IssueRow[]> {
    const conditions = [scopeCondition(query.scope), ...filterConditions(query.filter, query.now)];
    if (after) conditions.push(sql`(${issues.receivedAt}, ${issues.id}) < (${instantParam(after.receivedAt)}, ${after.id}::uuid)`);
    return db
      .select()
      .from(issues)
      .where(and(...conditions))
      .orderBy(desc(issues.receivedAt), desc(issues.id))
      .limit(limit);
  },
  async count(db: Queryable, query: { scope: IssueScope; filter: IssueListFilter; now: Date }): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(issues)
      .where(and(scopeCondition(query.scope), ...filterConditions(query.filter, query.now)));
    return row?.n ?? 0;
  },
  publishedPage(db: Queryable, limit: number, after: { publishedAt: Date; id: string } | null): Promise<IssueRow[]> {
    const conditions = [isNotNull(issues.publishedAt)];
    if (after) conditions.push(sql`(${issues.publishedAt}, ${issues.id}) < (${instantParam(after.publishedAt)}, ${after.id}::uuid)`);
    return db
      .select()
      .from(issues)
      .where(and(...conditions))
      .orderBy(desc(issues.publishedAt), desc(issues.id))
      .limit(limit);
  },
  async publishedCount(db: Queryable): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(issues).where(isNotNull(issues.publishedAt));
    return row?.n ?? 0;
  },
};

export const deadlineStore = {
  async insert(db: Queryable, rows: NewDeadline[]): Promise<void> {
    if (rows.length) await db.insert(issueDeadlines).values(rows);
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<DeadlineRow[]> {
    return db
      .select()
      .from(issueDeadlines)
      .where(inArray(issueDeadlines.issueId, [...issueIds]))
      .orderBy(asc(issueDeadlines.round), asc(issueDeadlines.id));
  },
  forIssue(db: Queryable, issueId: string): Promise<DeadlineRow[]> {
    return db.select().from(issueDeadlines).where(eq(issueDeadlines.issueId, issueId)).orderBy(asc(issueDeadlines.id));
  },
  /** Marks the open deadlines of a stage as met; returns how many. */
  async meet(db: Queryable, issueId: string, stage: DeadlineRow['stage'], at: Date): Promise<number> {
    const rows = await db
      .update(issueDeadlines)
      .set({ metAt: at })
      .where(
        and(eq(issueDeadlines.issueId, issueId), eq(issueDeadlines.stage, stage), isNull(issueDeadlines.metAt), isNull(issueDeadlines.cancelledAt)),
      )
      .returning({ id: issueDeadlines.id });
    return rows.length;
  },
  async meetOne(db: Queryable, id: number, at: Date): Promise<void> {
    await db.update(issueDeadlines).set({ metAt: at }).where(eq(issueDeadlines.id, id));
  },
  async cancelOpen(db: Queryable, issueId: string, at: Date, stage?: DeadlineRow['stage']): Promise<void> {
    await db
      .update(issueDeadlines)
      .set({ cancelledAt: at })
      .where(
        and(
          eq(issueDeadlines.issueId, issueId),
          isNull(issueDeadlines.metAt),
          isNull(issueDeadlines.cancelledAt),
          stage ? eq(issueDeadlines.stage, stage) : undefined,
        ),
      );
  },
  async update(db: Queryable, id: number, values: Partial<NewDeadline>): Promise<void> {
    await db.update(issueDeadlines).set(values).where(eq(issueDeadlines.id, id));
  },
  /** Open working-day deadlines a change to `year` can move, or that waited for a missing year. */
  affectedByCalendarYear(db: Queryable, yearStart: Date, yearEnd: Date): Promise<DeadlineRow[]> {
    return db
      .select()
      .from(issueDeadlines)
      .where(
        and(
          isNotNull(issueDeadlines.workingDays),
          isNull(issueDeadlines.metAt),
          isNull(issueDeadlines.cancelledAt),
          or(isNull(issueDeadlines.dueAt), and(lt(issueDeadlines.startsAt, yearEnd), gte(issueDeadlines.dueAt, yearStart))),
        ),
      );
  },
  async updateDueTimes(db: Queryable, rows: { id: number; dueAt: Date | null; warnAt: Date | null; pendingCalendarYear: number | null }[]) {
    if (!rows.length) return;
    const json = JSON.stringify(rows.map((r) => ({ id: r.id, due: r.dueAt?.toISOString() ?? null, warn: r.warnAt?.toISOString() ?? null, year: r.pendingCalendarYear })));
    await db.execute(sql`
      update ${issueDeadlines} d set due_at = x.due, warn_at = x.warn, pending_calendar_year = x.year
      from jsonb_to_recordset(${json}::jsonb) as x(id bigint, due timestamptz, warn timestamptz, year smallint)
      where d.id = x.id`);
  },
  /** Deadlines near due or overdue, earliest first, within the caller's scope. */
  alertsPage(
    db: Queryable,
    query: { scope: IssueScope; unitId: string | null; now: Date },
    limit: number,
    after: { dueAt: Date; id: number } | null,
  ) {
    const conditions = alertConditions(query);
    if (after) conditions.push(sql`(${issueDeadlines.dueAt}, ${issueDeadlines.id}) > (${instantParam(after.dueAt)}, ${after.id})`);
    return db
      .select({ deadline: issueDeadlines, issue: issues })
      .from(issueDeadlines)
      .innerJoin(issues, eq(issues.id, issueDeadlines.issueId))
      .where(and(...conditions))
      .orderBy(asc(issueDeadlines.dueAt), asc(issueDeadlines.id))
      .limit(limit);
  },
  async alertsCount(db: Queryable, query: { scope: IssueScope; unitId: string | null; now: Date }): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(issueDeadlines)
      .innerJoin(issues, eq(issues.id, issueDeadlines.issueId))
      .where(and(...alertConditions(query)));
    return row?.n ?? 0;
  },
};

function alertConditions(query: { scope: IssueScope; unitId: string | null; now: Date }): (SQL | undefined)[] {
  return [
    scopeCondition(query.scope),
    query.unitId ? eq(issues.responsibleUnitId, query.unitId) : undefined,
    isNull(issueDeadlines.metAt),
    isNull(issueDeadlines.cancelledAt),
    lte(issueDeadlines.warnAt, query.now),
  ];
}

export const eventStore = {
  async append(db: Queryable, event: typeof issueEvents.$inferInsert): Promise<void> {
    await db.insert(issueEvents).values(event);
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<EventRow[]> {
    return db.select().from(issueEvents).where(inArray(issueEvents.issueId, [...issueIds])).orderBy(asc(issueEvents.id));
  },
};

/** Sample issues: recorded through the service by sample reporters, then flagged. */
export const sampleStore = {
  async count(db: Queryable): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(issues).where(eq(issues.sample, true));
    return row?.n ?? 0;
  },
  /** Flags every issue whose reporter's subject starts with `prefix`; returns how many. */
  async mark(db: Queryable, prefix: string): Promise<number> {
    const marked = await db
      .update(issues)
      .set({ sample: true })
      .where(like(issues.reporterSubject, `${escapeLike(prefix)}%`))
      .returning({ id: issues.id });
    return marked.length;
  },
};

export const calendarStore = {
  all(db: Queryable): Promise<CalendarRow[]> {
    return db.select().from(calendarYears).orderBy(asc(calendarYears.year));
  },
  async upsert(db: Queryable, row: typeof calendarYears.$inferInsert): Promise<CalendarRow> {
    const [saved] = await db
      .insert(calendarYears)
      .values(row)
      .onConflictDoUpdate({
        target: calendarYears.year,
        set: { notice: row.notice, off: row.off, workdays: row.workdays, updatedBy: row.updatedBy, updatedAt: row.updatedAt },
      })
      .returning();
    return saved!;
  },
  /** Shipped years are only inserted: the command office's corrections survive restarts. */
  async insertMissing(db: Queryable, rows: (typeof calendarYears.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(calendarYears).values(rows).onConflictDoNothing();
  },
};


// ───────────── statistics ─────────────
// The command office's figures, aggregated in SQL: one statement answers any number of units (or
// domains, or the whole city) for one period, whatever the number of issues. Everything counts the
// issues received in the period. A rate whose denominator is zero is null, not zero: "nothing was
// due" is not "nothing was done".

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
