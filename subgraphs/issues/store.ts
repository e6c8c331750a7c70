/**
 * Data access of the issues subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so a use case can compose them in one transaction.
 */
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { escapeLike, lockKey, rowsOf, type Queryable } from '../../db/client.ts';
import {
  calendarYears,
  hallVisits,
  issueDeadlines,
  issueEvents,
  issueFeed,
  issueFigures,
  issueFiguresMonthly,
  issueFollowUps,
  issueMonitoringTags,
  issueOrigins,
  issueRatings,
  issues,
  leaderHandovers,
  monitoringPoints,
  monitoringVisits,
  noticeSettings,
  notices,
  outboxDeliveries,
  outboxEvents,
  outboxWebhooks,
  observerMembershipEnds,
  observerMemberships,
  observerReports,
  planDuties,
  planDutyFilings,
  signedProjectEvents,
  signedProjects,
  smsDailyCounts,
  supervisionOutcomes,
  unitLeaderDepartures,
  unitLeaders,
} from '../../db/issues.ts';
import { beijingDate, keptRanges, WorkingCalendar } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import { countUpTo, type CountLimit, type ListCount } from '../../platform/pagination.ts';
import type { SearchQuery } from '../../platform/search-text.ts';
import type { OutboxTables } from '../../platform/outbox.ts';
import { emptyParts, type FigureParts, type IssueStats } from './figures.ts';

/**
 * Which issues a caller may see, as the store filters them (access.ts decides it). A unit sees
 * what units of `unitIds` lead, co-handle, accepted or reported — `unitIds` being the unit itself,
 * the units of the domain it leads and the units below it — and, for a district or zone (its own
 * unit and those below it in `areaUnitIds`), the items waiting for intake in its district or
 * registered at its windows.
 */
export type IssueScope =
  | { kind: 'all' }
  | { kind: 'unit'; ownUnitId: string; unitIds: string[]; areaUnitIds: string[]; areaDistrict: string | null }
  | { kind: 'enterprise'; creditCode: string }
  | { kind: 'observer'; person: { issuer: string; role: string; subject: string } }
  | { kind: 'none' };

/** Every one of `conditions` (at least one is given, so there is a condition). */
const allOf = (...conditions: (SQL | undefined)[]): SQL => present(and(...conditions), 'a condition with parts');
/** Any one of `conditions` (at least one is given, so there is a condition). */
const anyOf = (...conditions: (SQL | undefined)[]): SQL => present(or(...conditions), 'a condition with parts');

export type IssueRow = typeof issues.$inferSelect;
export type NewIssue = typeof issues.$inferInsert;
export type DeadlineRow = typeof issueDeadlines.$inferSelect;
export type NewDeadline = typeof issueDeadlines.$inferInsert;
export type EventRow = typeof issueEvents.$inferSelect;
export type NewEvent = typeof issueEvents.$inferInsert;
export type CalendarRow = typeof calendarYears.$inferSelect;
export type RatingRow = typeof issueRatings.$inferSelect;
export type FollowUpRow = typeof issueFollowUps.$inferSelect;
export type SupervisionOutcomeRow = typeof supervisionOutcomes.$inferSelect;
export type FeedRow = typeof issueFeed.$inferSelect;
export type PlanDutyRow = typeof planDuties.$inferSelect;
export type PlanDutyFilingRow = typeof planDutyFilings.$inferSelect;
/** A unit's part of a plan duty, as the status lists show it. */
export interface PlanDutyUnitStatusRow {
  unitId: string;
  firstFiling: PlanDutyFilingRow | null;
  latestFiling: PlanDutyFilingRow | null;
  late: boolean;
  missing: boolean;
}
/** A plan duty with every unit's part, within what the caller may read. */
export interface PlanDutyView {
  duty: PlanDutyRow;
  dueAt: Date;
  statuses: PlanDutyUnitStatusRow[];
}
export type RankRow = { rank: number | null; unitId: string; value: number | null; numerator: number; denominator: number };
export type StatsGroupRow = { key: string; stats: IssueStats };
export type AlertRow = { deadline: DeadlineRow; issue: IssueRow };
/** Entities owned by other slices, as this slice refers to them. */
/** A unit as this slice's resolvers hold it: its id, and its name where this slice provides it. */
export type UnitReference = { id: string; name?: string };
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
  monitoringPointId?: string | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  /** A text search (platform/search-text.ts `parseSearch`): every word somewhere in the title or description. */
  search?: Pick<SearchQuery, 'tsquery' | 'anchors'> | null;
}

/** Where a listed row matched a search: every word in its title, or only across title and description. */
export type SearchTier = 'TITLE' | 'TEXT';
export type IssueListRow = IssueRow & { searchTier?: SearchTier };
/** Where a list's page continues: the row's sort key, and its search tier when searching. */
export interface IssueListCursor {
  tier?: SearchTier;
  receivedAt: Date;
  id: string;
}

/**
 * The issue's search terms, generated columns (migration 0013; platform/search-text.ts): the title's
 * character pairs, and the title's and description's. Each has its GIN index; a search's anchors are
 * looked up there and its lone characters checked on the rows found.
 */
const titleTerms = sql`${issues}.title_terms`;
const searchTerms = sql`${issues}.search_terms`;
const matches = (terms: SQL, query: Pick<SearchQuery, 'tsquery' | 'anchors'>) =>
  query.anchors === query.tsquery
    ? sql`${terms} @@ ${query.tsquery}::tsquery`
    : sql`(${terms} @@ ${query.anchors}::tsquery and ts_match_vq(${terms}, ${query.tsquery}::tsquery))`;

/** A timestamptz parameter for raw SQL (drizzle maps Dates only when compared with a column it knows). */
export const instantParam = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/** A uuid[] parameter (drizzle would expand a JS array into a list of parameters). */
export const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

export function scopeCondition(scope: IssueScope): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'unit': {
      const units = uuidArray(scope.unitIds);
      const waiting = [
        scope.areaDistrict ? eq(issues.districtCode, scope.areaDistrict) : undefined,
        scope.areaUnitIds.length ? sql`${issues.reporterUnitId} = any(${uuidArray(scope.areaUnitIds)})` : undefined,
      ].filter(Boolean) as SQL[];
      return or(
        sql`${issues.responsibleUnitId} = any(${units})`,
        sql`${issues.reporterUnitId} = any(${units})`,
        sql`${issues.intakeUnitId} = any(${units})`,
        sql`${issues.coHandlerUnitIds} && ${units}`,
        waiting.length ? and(eq(issues.status, 'SUBMITTED'), or(...waiting)) : undefined,
      );
    }
    case 'enterprise':
      return eq(issues.reporterEnterprise, scope.creditCode);
    case 'observer':
      return reportedBy(scope.person);
    default:
      return sql`false`;
  }
}

/** Issues reported by this person: as platform/auth.ts isPerson (a report kept before issuers were matches any issuer). */
function reportedBy(person: { issuer: string; role: string; subject: string }): SQL {
  return allOf(
    eq(issues.reporterSubject, person.subject),
    eq(issues.reporterRole, person.role),
    or(eq(issues.reporterIssuer, person.issuer), isNull(issues.reporterIssuer)),
  );
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
  if (filter.overdue === false) conditions.push(anyOf(isNull(issues.nextDueAt), gte(issues.nextDueAt, now)));
  // Under listed supervision now: escalated and not yet taken off (摘牌), closed or merged.
  if (filter.escalated === true) conditions.push(allOf(isNotNull(issues.escalatedAt), isNull(issues.supervisionEndedAt)));
  if (filter.escalated === false) conditions.push(anyOf(isNull(issues.escalatedAt), isNotNull(issues.supervisionEndedAt)));
  if (filter.enterpriseCreditCode) conditions.push(eq(issues.enterpriseCreditCode, filter.enterpriseCreditCode));
  if (filter.monitoringPointId) {
    conditions.push(
      sql`exists (select 1 from ${issueMonitoringTags} where ${issueMonitoringTags.issueId} = ${issues.id} and ${issueMonitoringTags.pointId} = ${filter.monitoringPointId})`,
    );
  }
  if (filter.receivedFrom) conditions.push(gte(issues.receivedAt, filter.receivedFrom));
  if (filter.receivedTo) conditions.push(lt(issues.receivedAt, filter.receivedTo));
  return conditions;
}

type UnitScope = Extract<IssueScope, { kind: 'unit' }>;

/**
 * A unit's scope as separate branches, each served by an index of its own: the units it leads,
 * reported, took in or co-handles, and the items waiting for its area's intake. A branch either
 * holds the rows whose `column` is one of `units` (and `extra`), or those of a `predicate`.
 */
type ScopeBranch = { column: SQL; units: string[]; extra?: SQL } | { predicate: SQL; ordered: boolean };

function scopeBranches(scope: UnitScope): ScopeBranch[] {
  const branches: ScopeBranch[] = [
    { column: sql`${issues.responsibleUnitId}`, units: scope.unitIds },
    { column: sql`${issues.reporterUnitId}`, units: scope.unitIds },
    { column: sql`${issues.intakeUnitId}`, units: scope.unitIds },
    // Co-handling is rare and its GIN index has no order: every match, ordered once with the rest
    // (an ordered scan of all issues, hoping to meet a co-handled one soon, would read them all).
    { predicate: sql`${issues.coHandlerUnitIds} && ${uuidArray(scope.unitIds)}`, ordered: false },
    ...(scope.areaDistrict
      ? [{ predicate: allOf(eq(issues.status, 'SUBMITTED'), eq(issues.districtCode, scope.areaDistrict)), ordered: true }]
      : []),
    { column: sql`${issues.reporterUnitId}`, units: scope.areaUnitIds, extra: eq(issues.status, 'SUBMITTED') },
  ];
  return branches.filter((branch) => !('units' in branch) || branch.units.length > 0);
}

/** The rows a branch holds, as one condition. */
const branchCondition = (branch: ScopeBranch): SQL =>
  'units' in branch ? allOf(sql`${branch.column} = any(${uuidArray(branch.units)})`, branch.extra) : branch.predicate;

/**
 * The newest `limit` ids of a unit's scope. An OR over the branches would visit every row of the
 * unit to find the newest twenty; a branch reads its newest `limit` rows (per unit of the scope)
 * from its index, and the union is ordered once.
 */
function unitScopeIds(scope: UnitScope, conditions: SQL[], limit: number): SQL {
  const select = (predicate: SQL | undefined, ordered: boolean) =>
    sql`(select ${issues.id} as id from ${issues} where ${and(predicate, ...conditions)} ${ordered ? sql`order by ${issues.receivedAt} desc, ${issues.id} desc limit ${limit}` : sql``})`;
  const reads = scopeBranches(scope).map((branch) =>
    'units' in branch
      ? sql`(select x.id from unnest(${uuidArray(branch.units)}) as u(unit_id) cross join lateral ${select(and(sql`${branch.column} = u.unit_id`, branch.extra), true)} x)`
      : select(branch.predicate, branch.ordered),
  );
  return sql.join(reads, sql` union all `);
}

/**
 * The newest `limit` ids led by any of `units` (a domain's): each unit's newest `limit` from its
 * index, ordered once — not every matching row of the units gathered and sorted. With "overdue",
 * the open items' index serves it.
 */
function responsibleUnitsIds(units: string[], conditions: SQL[], limit: number): SQL {
  return sql`select x.id from unnest(${uuidArray(units)}) as u(unit_id) cross join lateral (
    select ${issues.id} as id from ${issues} where ${and(sql`${issues.responsibleUnitId} = u.unit_id`, ...conditions)}
    order by ${issues.receivedAt} desc, ${issues.id} desc limit ${limit}) x`;
}

/**
 * The rows of a unit's scope, as disjoint parts: the branches of `unitScopeIds`, each holding the
 * rows none of the branches before it holds — so each is a plain index read (the first, a unit's
 * own, an index-only scan) and their counts add up without a set of ids to drop duplicates from
 * (at 1M issues a bureau's 14,000: 1.9 ms instead of 5–9 ms for the union).
 */
function unitScopeParts(scope: UnitScope, conditions: SQL[]): SQL[] {
  const predicates = scopeBranches(scope).map(branchCondition);
  return predicates.map((predicate, index) => {
    // `is not true`: a row an earlier branch does not hold, also where its column is null.
    const notBefore = predicates.slice(0, index).map((earlier) => sql`(${earlier}) is not true`);
    return sql`select 1 from ${issues} where ${and(predicate, ...notBefore, ...conditions)}`;
  });
}

/** A page of the list under extra conditions (a search tier's), newest first after `after`. */
function pageOf(
  db: Queryable,
  query: { scope: IssueScope; filter: IssueListFilter; now: Date },
  extra: SQL[],
  limit: number,
  after: IssueListCursor | null,
): Promise<IssueRow[]> {
  const conditions = [...filterConditions(query.filter, query.now), ...extra];
  if (after) conditions.push(sql`(${issues.receivedAt}, ${issues.id}) < (${instantParam(after.receivedAt)}, ${after.id}::uuid)`);
  const units = query.filter.unitIds ?? (query.filter.unitId ? [query.filter.unitId] : null);
  const scoped =
    query.scope.kind === 'unit'
      ? sql`${issues.id} in (${unitScopeIds(query.scope, conditions, limit)})`
      : // With a search the GIN index finds the few matches; walking each unit's newest rows would
        // read all of a unit's issues to find twenty that match a rare word.
        query.scope.kind === 'all' && units?.length && !query.filter.search
        ? sql`${issues.id} in (${responsibleUnitsIds(units, conditions, limit)})`
        : scopeCondition(query.scope);
  // A search outside a unit's scope is read from the GIN index, never by walking the received-at
  // index newest first and testing each row: the planner cannot tell a rare word from a common one
  // (at 1M issues it walked all of them for "第 4242 号": 9.6 s instead of 0.3 ms). NULLS LAST (the
  // columns are never null, so the order is the same) is an order that index cannot give. A unit's
  // branches stay ordered walks, bounded by the unit's own issues.
  const order =
    extra.length && query.scope.kind !== 'unit'
      ? [sql`${issues.receivedAt} desc nulls last`, sql`${issues.id} desc nulls last`]
      : [desc(issues.receivedAt), desc(issues.id)];
  return db
    .select()
    .from(issues)
    .where(and(scoped, ...conditions))
    .orderBy(...order)
    .limit(limit);
}

/**
 * How many of the newest issues a search outside a unit's scope tries, in turn, before its index
 * (`searchPage`): 200 fill a page for a word in a tenth of the issues or more, 2,000 for one in a
 * hundredth (a few milliseconds). A word in about a tenth could miss the first try by chance — at
 * 1M issues "涉及招标" is in 98,621, the newest 200 held fewer than 20 — and the index then gathered
 * and sorted all 100,001 of its matches: 190–360 ms. Below a hundredth the index's matches are few
 * enough to sort (10,000 at most: a few milliseconds).
 */
const NEWEST_TRIED = [200, 2_000];

/**
 * A search tier's page outside a unit's scope. A word in a hundredth or more of the issues fills its
 * page from the newest few hundred or thousand (0.07 ms at 1M issues, where the index would gather and sort all
 * of its matches: seconds): those are tried first, in order; only when they hold fewer than a page,
 * the GIN index finds the rest (a rare word: the newest 200 cost a couple of milliseconds, the
 * index a fraction of one). Both give the same rows: the first `limit` matches newest first.
 */
async function searchPage(
  db: Queryable,
  query: { scope: IssueScope; filter: IssueListFilter; now: Date },
  tier: TierConditions,
  limit: number,
  after: IssueListCursor | null,
): Promise<IssueRow[]> {
  const extra = tier({ title: titleTerms, text: searchTerms });
  if (query.scope.kind === 'unit') return pageOf(db, query, extra, limit, after);
  const conditions = filterConditions(query.filter, query.now);
  if (after) conditions.push(sql`(${issues.receivedAt}, ${issues.id}) < (${instantParam(after.receivedAt)}, ${after.id}::uuid)`);
  const where = and(scopeCondition(query.scope), ...conditions);
  // A domain's or a unit's issues: each unit's newest from its own index (responsibleUnitsIds), not
  // the city's newest walked until enough of the units' turn up (80 ms for 200 of a unit's at 1M).
  const units = query.filter.unitIds ?? (query.filter.unitId ? [query.filter.unitId] : null);
  const newestOf = (newest: number) =>
    query.scope.kind === 'all' && units?.length
      ? sql`where ${issues.id} in (${responsibleUnitsIds(units, conditions, newest)})`
      : where
        ? sql`where ${where}`
        : sql``;
  let tried: { id: string }[] = [];
  // Whether the rows tried were all the filters hold: then the matches among them are the answer.
  let whole = false;
  for (const newest of NEWEST_TRIED) {
    const found = rowsOf<{ seen: number; id: string | null }>(
      await db.execute(sql`
        with n as materialized (
          select ${issues.id} as id, ${issues.receivedAt} as received_at, ${titleTerms} as title_terms, ${searchTerms} as search_terms
          from ${issues} ${newestOf(newest)}
          order by ${issues.receivedAt} desc, ${issues.id} desc limit ${newest})
        select s.seen, p.id from (select count(*)::int as seen from n) s
        left join lateral (
          select n.id, n.received_at from n where ${and(...tier({ title: sql`n.title_terms`, text: sql`n.search_terms` }))}
          order by n.received_at desc, n.id desc limit ${limit}) p on true
        order by p.received_at desc, p.id desc`),
    );
    tried = found.filter((row): row is { seen: number; id: string } => row.id !== null);
    whole = Number(found[0]?.seen ?? 0) < newest;
    if (tried.length >= limit || whole) break;
  }
  // A filter that holds fewer rows than were tried needs no index: its matches were all seen (a
  // district, a domain, a status and a common word: 219 ms by the index, which gathered the word's
  // million matches to AND them with the filters).
  if (tried.length < limit && !whole) return pageOf(db, query, extra, limit, after);
  const rows = await issueStore.byIds(
    db,
    tried.map((row) => row.id),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return tried.map((row) => present(byId.get(row.id), 'a row of the page just read'));
}

/** A search tier's conditions on the search terms, wherever they are read from (the table or a subquery). */
type TierConditions = (terms: { title: SQL; text: SQL }) => SQL[];

export const issueStore = {
  byIds(db: Queryable, ids: readonly string[]): Promise<IssueRow[]> {
    return db
      .select()
      .from(issues)
      .where(inArray(issues.id, [...ids]));
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
      .onConflictDoNothing({ target: [issues.reporterIssuer, issues.reporterRole, issues.reporterSubject, issues.clientRequestId] })
      .returning();
    return row;
  },
  /** Taken before looking for a record another system sent: two batches with one record wait for each other. */
  lockExternal(db: Queryable, sourceSystem: string, externalRef: string): Promise<void> {
    return lockKey(db, 'issues.issues', 'external', sourceSystem, externalRef);
  },
  async byExternal(db: Queryable, sourceSystem: string, externalRef: string): Promise<IssueRow | undefined> {
    const [row] = await db
      .select()
      .from(issues)
      .where(and(eq(issues.sourceSystem, sourceSystem), eq(issues.externalRef, externalRef)));
    return row;
  },
  async byClientRequest(
    db: Queryable,
    reporter: { issuer: string; role: string; subject: string },
    clientRequestId: string,
  ): Promise<IssueRow | undefined> {
    const [row] = await db
      .select()
      .from(issues)
      .where(and(reportedBy(reporter), eq(issues.clientRequestId, clientRequestId)));
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
  /**
   * One page of a list, newest first. With a search: the issues whose title holds every word first,
   * then those that hold them only across title and description, each newest first — two reads of
   * the search terms' GIN index, the second only when the first does not fill the page.
   */
  async page(
    db: Queryable,
    query: { scope: IssueScope; filter: IssueListFilter; now: Date },
    limit: number,
    after: IssueListCursor | null,
  ): Promise<IssueListRow[]> {
    const search = query.filter.search;
    if (!search) return pageOf(db, query, [], limit, after);
    const found: IssueListRow[] = [];
    if (!after || after.tier === 'TITLE') {
      for (const row of await searchPage(db, query, (terms) => [matches(terms.title, search)], limit, after))
        found.push({ ...row, searchTier: 'TITLE' });
    }
    if (found.length < limit) {
      const rest = await searchPage(
        db,
        query,
        (terms) => [matches(terms.text, search), sql`not ts_match_vq(${terms.title}, ${search.tsquery}::tsquery)`],
        limit - found.length,
        after?.tier === 'TEXT' ? after : null,
      );
      for (const row of rest) found.push({ ...row, searchTier: 'TEXT' });
    }
    return found;
  },
  /** How many issues the list holds: exact up to the limit, an estimate (marked) above it (pagination.ts countUpTo). */
  count(db: Queryable, query: { scope: IssueScope; filter: IssueListFilter; now: Date }, limit: CountLimit): Promise<ListCount> {
    const conditions = filterConditions(query.filter, query.now);
    if (query.filter.search) conditions.push(matches(searchTerms, query.filter.search));
    if (query.scope.kind === 'unit') return countUpTo(db, unitScopeParts(query.scope, conditions), limit);
    const where = and(scopeCondition(query.scope), ...conditions);
    return countUpTo(db, sql`select 1 from ${issues} ${where ? sql`where ${where}` : sql``}`, limit);
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
  publishedCount(db: Queryable, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(issues)
        .where(isNotNull(issues.publishedAt)),
      limit,
    );
  },
};

export const deadlineStore = {
  /** Open deadlines past their due time now (the `deadlines_overdue` gauge), from issue_deadlines_open_due_idx alone. */
  async overdueCount(db: Queryable, now: Date): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from ${issueDeadlines}
        where met_at is null and cancelled_at is null and due_at <= ${instantParam(now)}`),
    );
    return row?.n ?? 0;
  },
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
        and(
          eq(issueDeadlines.issueId, issueId),
          eq(issueDeadlines.stage, stage),
          isNull(issueDeadlines.metAt),
          isNull(issueDeadlines.cancelledAt),
        ),
      )
      .returning({ id: issueDeadlines.id });
    return rows.length;
  },
  async meetOne(db: Queryable, id: number, at: Date): Promise<void> {
    await db.update(issueDeadlines).set({ metAt: at }).where(eq(issueDeadlines.id, id));
  },
  /**
   * Stops open deadlines unmet (all of the issue's, or those given): each keeps its due time and is
   * judged at `judgedAt` (the stop itself unless a granted request was asked for earlier).
   */
  async stop(
    db: Queryable,
    issueId: string,
    at: Date,
    reason: NonNullable<DeadlineRow['closeReason']>,
    options: { ids?: number[]; judgedAt?: Date } = {},
  ): Promise<void> {
    if (options.ids && !options.ids.length) return;
    await db
      .update(issueDeadlines)
      .set({ cancelledAt: at, closeReason: reason, judgedAt: options.judgedAt ?? at })
      .where(
        and(
          eq(issueDeadlines.issueId, issueId),
          isNull(issueDeadlines.metAt),
          isNull(issueDeadlines.cancelledAt),
          options.ids ? inArray(issueDeadlines.id, options.ids) : undefined,
        ),
      );
  },
  async update(db: Queryable, id: number, values: Partial<NewDeadline>): Promise<void> {
    await db.update(issueDeadlines).set(values).where(eq(issueDeadlines.id, id));
  },
  /**
   * Deadlines a change to `year` moves: open calendar-counted ones that run through it, and every
   * one — open, met or stopped — whose due time was provisional for want of it (or never computed).
   */
  affectedByCalendarYear(db: Queryable, year: number, yearStart: Date, yearEnd: Date): Promise<DeadlineRow[]> {
    return db
      .select()
      .from(issueDeadlines)
      .where(
        or(
          eq(issueDeadlines.pendingCalendarYear, year),
          isNull(issueDeadlines.dueAt),
          and(
            or(isNotNull(issueDeadlines.workingDays), isNotNull(issueDeadlines.hours)),
            isNull(issueDeadlines.metAt),
            isNull(issueDeadlines.cancelledAt),
            lt(issueDeadlines.startsAt, yearEnd),
            gte(issueDeadlines.dueAt, yearStart),
          ),
        ),
      );
  },
  /**
   * Deadlines still waiting for a year of the calendar, or never computed (older data), or open
   * without a warning (those that warned by the clock before migration 0013).
   */
  provisional(db: Queryable): Promise<DeadlineRow[]> {
    return db
      .select()
      .from(issueDeadlines)
      .where(
        or(
          isNotNull(issueDeadlines.pendingCalendarYear),
          isNull(issueDeadlines.dueAt),
          and(isNull(issueDeadlines.warnAt), isNull(issueDeadlines.metAt), isNull(issueDeadlines.cancelledAt)),
        ),
      );
  },
  /** The years open deadlines wait for, provisional until the command office enters them. */
  async pendingYears(db: Queryable): Promise<number[]> {
    const rows = await db
      .selectDistinct({ year: issueDeadlines.pendingCalendarYear })
      .from(issueDeadlines)
      .where(and(isNotNull(issueDeadlines.pendingCalendarYear), isNull(issueDeadlines.metAt), isNull(issueDeadlines.cancelledAt)));
    return rows.map((row) => present(row.year, 'the year a provisional deadline waits for')).sort();
  },
  async updateDueTimes(db: Queryable, rows: { id: number; dueAt: Date | null; warnAt: Date | null; pendingCalendarYear: number | null }[]) {
    if (!rows.length) return;
    const json = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        due: r.dueAt?.toISOString() ?? null,
        warn: r.warnAt?.toISOString() ?? null,
        year: r.pendingCalendarYear,
      })),
    );
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
  alertsCount(db: Queryable, query: { scope: IssueScope; unitId: string | null; now: Date }, limit: CountLimit): Promise<ListCount> {
    // Every deadline has its issue (a foreign key): when neither scope nor unit narrows by issue,
    // the count needs the open deadlines' index alone, not a visit to each issue.
    const narrowed = query.scope.kind !== 'all' || query.unitId !== null;
    const rows = db.select({ one: sql`1` }).from(issueDeadlines);
    return countUpTo(
      db,
      narrowed
        ? rows.innerJoin(issues, eq(issues.id, issueDeadlines.issueId)).where(and(...alertConditions(query)))
        : rows.where(and(...alertConditions(query))),
      limit,
    );
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

/** The notice tables of the slice (db/outbox.ts), as the kit's outbox and this slice's sweep use them. */
export const issueOutbox: OutboxTables = { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts };

/** A deadline that reached its warning (80% of its time) or passed unmet, as the sweep finds it. */
export interface PassedDeadline {
  id: number;
  issueId: string;
  number: number;
  title: string;
  unitId: string;
  stage: string;
  dueAt: Date;
  kind: 'WARNING' | 'OVERDUE';
}

export const noticeStore = {
  /**
   * Deadlines of a unit that reached their warning time (80%) or their due time unmet in the last
   * `days` days and have no such event yet: what the sweep emits (once each, by its once key).
   */
  deadlinesPassed(db: Queryable, now: Date, days = 7): Promise<PassedDeadline[]> {
    const at = now.toISOString();
    return db
      .execute(
        sql`select d.id as "id", d.issue_id as "issueId", i.number as "number", i.title as "title", d.unit_id as "unitId",
            d.stage as "stage", d.due_at as "dueAt", k.kind as "kind"
          from ${issueDeadlines} d join ${issues} i on i.id = d.issue_id
          cross join lateral (select case when d.due_at <= ${at}::timestamptz then 'OVERDUE' else 'WARNING' end as kind) k
          where d.met_at is null and d.cancelled_at is null and d.unit_id is not null and d.due_at is not null
            and (case k.kind when 'OVERDUE' then d.due_at else d.warn_at end) <= ${at}::timestamptz
            and (case k.kind when 'OVERDUE' then d.due_at else d.warn_at end) > ${at}::timestamptz - make_interval(days => ${days})
            and not exists (select 1 from ${outboxEvents} e where e.once_key = 'deadline:' || d.id || ':' || k.kind)
          order by d.id limit 500`,
      )
      .then((result) =>
        rowsOf<PassedDeadline>(result).map((row) => ({
          ...row,
          id: Number(row.id),
          number: Number(row.number),
          dueAt: new Date(row.dueAt),
        })),
      );
  },
};

export const eventStore = {
  async append(db: Queryable, event: NewEvent): Promise<void> {
    await db.insert(issueEvents).values(event);
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<EventRow[]> {
    return db
      .select()
      .from(issueEvents)
      .where(inArray(issueEvents.issueId, [...issueIds]))
      .orderBy(asc(issueEvents.id));
  },
};

export const ratingStore = {
  /** One rating per issue and round: undefined when the round was rated meanwhile. */
  async insertOnce(db: Queryable, row: typeof issueRatings.$inferInsert): Promise<RatingRow | undefined> {
    const [saved] = await db.insert(issueRatings).values(row).onConflictDoNothing().returning();
    return saved;
  },
  forRound(db: Queryable, issueId: string, round: number): Promise<RatingRow[]> {
    return db
      .select()
      .from(issueRatings)
      .where(and(eq(issueRatings.issueId, issueId), eq(issueRatings.round, round)));
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<RatingRow[]> {
    return db
      .select()
      .from(issueRatings)
      .where(inArray(issueRatings.issueId, [...issueIds]))
      .orderBy(asc(issueRatings.round));
  },
};

export const followUpStore = {
  async insert(db: Queryable, row: typeof issueFollowUps.$inferInsert): Promise<void> {
    await db.insert(issueFollowUps).values(row);
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<FollowUpRow[]> {
    return db
      .select()
      .from(issueFollowUps)
      .where(inArray(issueFollowUps.issueId, [...issueIds]))
      .orderBy(asc(issueFollowUps.id));
  },
};

/** Which supervision outcomes a caller may read: all, or those about these units. */
export type OutcomeScope = { kind: 'all' } | { kind: 'units'; unitIds: string[] };

function outcomeConditions(scope: OutcomeScope, unitId: string | null): (SQL | undefined)[] {
  return [
    scope.kind === 'units' ? sql`${supervisionOutcomes.unitId} = any(${uuidArray(scope.unitIds)})` : undefined,
    unitId ? eq(supervisionOutcomes.unitId, unitId) : undefined,
  ];
}

export const outcomeStore = {
  async insert(db: Queryable, row: typeof supervisionOutcomes.$inferInsert): Promise<SupervisionOutcomeRow> {
    const [saved] = await db.insert(supervisionOutcomes).values(row).returning();
    return present(saved, 'the row just written');
  },
  byIssueIds(db: Queryable, issueIds: readonly string[]): Promise<SupervisionOutcomeRow[]> {
    return db
      .select()
      .from(supervisionOutcomes)
      .where(inArray(supervisionOutcomes.issueId, [...issueIds]))
      .orderBy(desc(supervisionOutcomes.decidedOn), desc(supervisionOutcomes.id));
  },
  page(db: Queryable, scope: OutcomeScope, unitId: string | null, limit: number, after: { decidedOn: string; id: number } | null) {
    const conditions = outcomeConditions(scope, unitId);
    if (after)
      conditions.push(sql`(${supervisionOutcomes.decidedOn}, ${supervisionOutcomes.id}) < (${after.decidedOn}::date, ${after.id})`);
    return db
      .select()
      .from(supervisionOutcomes)
      .where(and(...conditions))
      .orderBy(desc(supervisionOutcomes.decidedOn), desc(supervisionOutcomes.id))
      .limit(limit);
  },
  count(db: Queryable, scope: OutcomeScope, unitId: string | null, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(supervisionOutcomes)
        .where(and(...outcomeConditions(scope, unitId))),
      limit,
    );
  },
};

/** Sample issues: recorded through the use cases by sample reporters, then flagged. */
export const sampleStore = {
  async count(db: Queryable): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(issues)
      .where(eq(issues.sample, true));
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
  /** The working-day calendar, with every year entered. */
  async working(db: Queryable): Promise<WorkingCalendar> {
    const years = await calendarStore.all(db);
    return new WorkingCalendar(years.map((y) => ({ year: y.year, off: y.off, workdays: y.workdays })));
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
    return present(saved, 'the row just written');
  },
  /** Shipped years are only inserted: the command office's corrections survive restarts. */
  async insertMissing(db: Queryable, rows: (typeof calendarYears.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(calendarYears).values(rows).onConflictDoNothing();
  },
};

// ───────────── statistics ─────────────
// The parts of the command office's figures (figures.ts defines each figure from them). What does
// not move with the clock is kept per day of receipt in issue_figures, in the transaction of every
// change (migration 0006's triggers); what does — items overdue now, open deadlines past their due
// time — is counted live from the open items' indexes. Three statements' worth of work in one, for
// any number of groups, whatever the number of issues.

export interface Period {
  /** 00:00 Beijing time of the first day. */
  from: Date;
  /** 24:00 Beijing time of the last day (exclusive). */
  to: Date;
}

/**
 * How issues are grouped. `units`: each unit id counts under its key (a unit id, or a domain code)
 * — issues under their lead handler, deadlines under the unit whose clock it was, ratings and
 * follow-ups under the unit that handled that round. `all`: one group, 'ALL'. `dimension`: by the
 * issue's own environment, source or district ('NONE' when it names no district).
 */
export type Grouping =
  | { kind: 'units'; pairs: { unitId: string; key: string }[] }
  | { kind: 'all' }
  | { kind: 'dimension'; dimension: 'ENVIRONMENT' | 'SOURCE' | 'DISTRICT' };

/** The kept parts: FigureParts field → issue_figures column. */
const KEPT_PARTS = {
  received: 'received',
  accepted: 'accepted',
  closed: 'closed',
  reopened: 'reopened',
  dispatched: 'dispatched',
  resolvedSolved: 'resolved_solved',
  resolvedServiceConfirmed: 'resolved_service_confirmed',
  contactDue: 'contact_due',
  contactOnTime: 'contact_on_time',
  feedbackDue: 'feedback_due',
  feedbackOnTime: 'feedback_on_time',
  resolutionDue: 'resolution_due',
  resolutionOnTime: 'resolution_on_time',
  milestoneDue: 'milestone_due',
  milestoneOnTime: 'milestone_on_time',
  rated: 'rated',
  ratedSolved: 'rated_solved',
  ratedSatisfied: 'rated_satisfied',
  firstRated: 'first_rated',
  firstRatedSolved: 'first_rated_solved',
  firstRatedSatisfied: 'first_rated_satisfied',
  followedUp: 'followed_up',
  followUpSatisfied: 'follow_up_satisfied',
} as const satisfies Partial<Record<keyof FigureParts, string>>;

const STAGES = ['CONTACT', 'FEEDBACK', 'RESOLUTION', 'MILESTONE'] as const;
type PartsRow = { key: string } & Record<string, unknown>;

/** The open items kept per group (figures.ts parts are derived from them and the live counts). */
const OPEN_PARTS = ['open_contact', 'open_feedback', 'open_resolution', 'open_milestone', 'running'] as const;

export async function statsParts(db: Queryable, grouping: Grouping, period: Period | null, now: Date): Promise<Map<string, FigureParts>> {
  if (grouping.kind === 'units' && grouping.pairs.length === 0) return new Map();
  const at = instantParam(now);
  const receivedIn = (column: SQL) =>
    period ? sql`and ${column} >= ${instantParam(period.from)} and ${column} < ${instantParam(period.to)}` : sql``;
  const groups =
    grouping.kind === 'units'
      ? sql`with g(unit_id, key) as (select * from unnest(${uuidArray(grouping.pairs.map((p) => p.unitId))}, ${`{${grouping.pairs.map((p) => `"${p.key}"`).join(',')}}`}::text[]))`
      : sql``;
  const dimension = grouping.kind === 'dimension' ? grouping.dimension : null;
  const axis =
    grouping.kind === 'units'
      ? 'UNIT'
      : grouping.kind === 'all'
        ? 'ENVIRONMENT'
        : present(dimension, 'the dimension of a grouping by dimension');
  const issueKey =
    dimension &&
    { ENVIRONMENT: sql`i.environment::text`, SOURCE: sql`i.source::text`, DISTRICT: sql`coalesce(i.district_code, 'NONE')` }[dimension];

  // The kept rows of the period, of this axis: whole months, and the days at either edge.
  const columns = [...Object.values(KEPT_PARTS), 'dispatch_ms', ...OPEN_PARTS];
  const list = sql.raw(columns.join(', '));
  const ranges = period ? keptRanges({ from: beijingDate(period.from), to: beijingDate(new Date(period.to.getTime() - 1)) }) : null;
  const keptRows = [
    !ranges
      ? sql`select key, ${list} from ${issueFiguresMonthly} where axis = ${axis}`
      : ranges.months
        ? sql`select key, ${list} from ${issueFiguresMonthly} where axis = ${axis} and month >= ${ranges.months.from}::date and month < ${ranges.months.until}::date`
        : null,
    ...(ranges?.days ?? []).map(
      (range) =>
        sql`select key, ${list} from ${issueFigures} where axis = ${axis} and day >= ${range.from}::date and day < ${range.until}::date`,
    ),
  ].filter((part): part is SQL => part !== null);
  const sums = sql.raw(columns.map((column) => `sum(f.${column})::bigint as ${column}`).join(', '));
  const source = sql`(${sql.join(keptRows, sql` union all `)}) f`;
  const kept =
    grouping.kind === 'units'
      ? sql`select g.key, ${sums} from g join ${source} on f.key = g.unit_id::text group by g.key`
      : grouping.kind === 'all'
        ? sql`select 'ALL' as key, ${sums} from ${source}`
        : sql`select f.key, ${sums} from ${source} group by f.key`;
  // Live: only the open items not yet due. The kept open items less these are the overdue ones.
  const notYetOverdue =
    grouping.kind === 'units'
      ? sql`select g.key, sum(c.n)::int as running_not_overdue
            from (select i.responsible_unit_id as unit_id, count(*) as n from ${issues} i
                  where i.next_due_at >= ${at} ${receivedIn(sql`i.received_at`)} group by 1) c
            join g on g.unit_id = c.unit_id group by g.key`
      : sql`select ${issueKey ?? sql`'ALL'`} as key, count(*)::int as running_not_overdue from ${issues} i
            where i.next_due_at >= ${at} ${receivedIn(sql`i.received_at`)} group by 1`;
  const stageCounts = sql.raw(
    STAGES.map((stage) => `count(*) filter (where d.stage = '${stage}')::int as open_${stage.toLowerCase()}_not_due`).join(', '),
  );
  const stageSums = sql.raw(
    STAGES.map((stage) => `coalesce(sum(c.n) filter (where c.stage = '${stage}'), 0)::int as open_${stage.toLowerCase()}_not_due`).join(
      ', ',
    ),
  );
  const notDue = sql`d.met_at is null and d.cancelled_at is null and d.due_at > ${at} ${receivedIn(sql`d.received_at`)}`;
  const notDueDeadlines =
    grouping.kind === 'units'
      ? // Counted per unit and stage first (thousands of open deadlines, a few hundred groups), then keyed.
        sql`select g.key, ${stageSums}
            from (select d.unit_id, d.stage, count(*) as n from ${issueDeadlines} d where ${notDue} group by 1, 2) c
            join g on g.unit_id = c.unit_id group by g.key`
      : issueKey
        ? sql`select ${issueKey} as key, ${stageCounts} from ${issueDeadlines} d join ${issues} i on i.id = d.issue_id where ${notDue} group by 1`
        : sql`select 'ALL' as key, ${stageCounts} from ${issueDeadlines} d where ${notDue}`;
  const result = await db.execute(sql`
    ${groups}${grouping.kind === 'units' ? sql`,` : sql`with`}
    kept as (${kept}),
    not_overdue as (${notYetOverdue}),
    not_due as (${notDueDeadlines})
    select * from kept left join not_overdue using (key) left join not_due using (key)
     where kept.received is not null`);
  return new Map(rowsOf<PartsRow>(result).map((row) => [row.key, toParts(row)]));
}

function toParts(row: PartsRow): FigureParts {
  const n = (value: unknown) => Number(value ?? 0);
  const parts: FigureParts = { ...emptyParts };
  for (const [field, column] of Object.entries(KEPT_PARTS)) parts[field as keyof typeof KEPT_PARTS] = n(row[column]);
  parts.dispatchSeconds = n(row.dispatch_ms) / 1000;
  // Open items with a running clock, less those not yet overdue: overdue now.
  parts.overdueNow = n(row.running) - n(row.running_not_overdue);
  // An open deadline past its due time is due and, being unmet, not on time.
  parts.contactDue += n(row.open_contact) - n(row.open_contact_not_due);
  parts.feedbackDue += n(row.open_feedback) - n(row.open_feedback_not_due);
  parts.resolutionDue += n(row.open_resolution) - n(row.open_resolution_not_due);
  parts.milestoneDue += n(row.open_milestone) - n(row.open_milestone_not_due);
  return parts;
}

/** The change feed back to the systems that sent records (migration 0016 writes it as transactions commit). */
export const feedStore = {
  /**
   * Entries of `sourceSystem` after `afterSeq`, in commit order; only those `sender` sent when given.
   * One statement, so one snapshot: what it sees is a prefix of the feed in `seq` order.
   */
  page(
    db: Queryable,
    query: { sourceSystem: string; afterSeq: number; limit: number; sender: { issuer: string; role: string; subject: string } | null },
  ): Promise<FeedRow[]> {
    const { sender } = query;
    return db
      .select()
      .from(issueFeed)
      .where(
        allOf(
          eq(issueFeed.sourceSystem, query.sourceSystem),
          sql`${issueFeed.seq} > ${query.afterSeq}`,
          sender ? eq(issueFeed.senderSubject, sender.subject) : undefined,
          sender ? eq(issueFeed.senderRole, sender.role) : undefined,
          sender ? or(eq(issueFeed.senderIssuer, sender.issuer), isNull(issueFeed.senderIssuer)) : undefined,
        ),
      )
      .orderBy(asc(issueFeed.seq))
      .limit(query.limit);
  },
};

/** The plan's dated duties, the units' filings of them, and the issues a self-check list brought in. */
export const planDutyStore = {
  all(db: Queryable): Promise<PlanDutyRow[]> {
    return db.select().from(planDuties).orderBy(asc(planDuties.dueOn), asc(planDuties.code));
  },
  async get(db: Queryable, code: string): Promise<PlanDutyRow | undefined> {
    const [row] = await db.select().from(planDuties).where(eq(planDuties.code, code));
    return row;
  },
  /** Duties due on a day of [from, to]. */
  dueBetween(db: Queryable, from: string, to: string): Promise<PlanDutyRow[]> {
    return db
      .select()
      .from(planDuties)
      .where(and(gte(planDuties.dueOn, from), lte(planDuties.dueOn, to)))
      .orderBy(asc(planDuties.dueOn), asc(planDuties.code));
  },
  /** The plan's own duties: inserted once each, never rewritten. */
  async insertMissing(db: Queryable, rows: (typeof planDuties.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(planDuties).values(rows).onConflictDoNothing();
  },
  /** A declared duty, numbered after those of its kind and day (under a lock on them). */
  async declare(db: Queryable, row: Omit<typeof planDuties.$inferInsert, 'code'>): Promise<PlanDutyRow> {
    const stem = `${row.kind}:${row.dueOn}`;
    await lockKey(db, 'issues.plan_duties', stem);
    const [counted] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(planDuties)
      .where(like(planDuties.code, `${escapeLike(stem)}:%`));
    const [saved] = await db
      .insert(planDuties)
      .values({ ...row, code: `${stem}:${(counted?.n ?? 0) + 1}` })
      .returning();
    return present(saved, 'the duty just declared');
  },
  /** Filings of these duties by these units (every unit: null), oldest version first. */
  filings(db: Queryable, dutyCodes: readonly string[], unitIds: readonly string[] | null): Promise<PlanDutyFilingRow[]> {
    if (!dutyCodes.length || (unitIds && !unitIds.length)) return Promise.resolve([]);
    return db
      .select()
      .from(planDutyFilings)
      .where(allOf(inArray(planDutyFilings.dutyCode, [...dutyCodes]), unitIds ? inArray(planDutyFilings.unitId, [...unitIds]) : undefined))
      .orderBy(asc(planDutyFilings.dutyCode), asc(planDutyFilings.unitId), asc(planDutyFilings.version));
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<PlanDutyFilingRow[]> {
    return ids.length
      ? db
          .select()
          .from(planDutyFilings)
          .where(inArray(planDutyFilings.id, [...ids]))
      : Promise.resolve([]);
  },
  /** Concurrent filings of one unit's part wait for each other: versions are numbered in order. */
  lockUnitDuty(db: Queryable, dutyCode: string, unitId: string): Promise<void> {
    return lockKey(db, 'issues.plan_duty_filings', dutyCode, unitId);
  },
  /** A retry of the same person's request: they wait for each other on the key, then find the first. */
  lockRequest(db: Queryable, filer: { issuer: string; role: string; subject: string }, clientRequestId: string): Promise<void> {
    return lockKey(db, 'issues.plan_duty_filings', 'request', filer.issuer, filer.role, filer.subject, clientRequestId);
  },
  async byClientRequest(
    db: Queryable,
    filer: { issuer: string; role: string; subject: string },
    clientRequestId: string,
  ): Promise<PlanDutyFilingRow | undefined> {
    const [row] = await db
      .select()
      .from(planDutyFilings)
      .where(
        and(
          eq(planDutyFilings.filerIssuer, filer.issuer),
          eq(planDutyFilings.filerRole, filer.role),
          eq(planDutyFilings.filerSubject, filer.subject),
          eq(planDutyFilings.clientRequestId, clientRequestId),
        ),
      );
    return row;
  },
  async versions(db: Queryable, dutyCode: string, unitId: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(planDutyFilings)
      .where(and(eq(planDutyFilings.dutyCode, dutyCode), eq(planDutyFilings.unitId, unitId)));
    return row?.n ?? 0;
  },
  async insertFiling(db: Queryable, row: typeof planDutyFilings.$inferInsert): Promise<PlanDutyFilingRow> {
    const [saved] = await db.insert(planDutyFilings).values(row).returning();
    return present(saved, 'the filing just written');
  },
  async linkIssues(db: Queryable, filingId: string, issueIds: readonly string[]): Promise<void> {
    if (issueIds.length) await db.insert(issueOrigins).values(issueIds.map((issueId) => ({ issueId, planDutyFilingId: filingId })));
  },
  /** issue id → the filing that brought it in. */
  originsOfIssues(db: Queryable, issueIds: readonly string[]): Promise<{ issueId: string; filingId: string | null }[]> {
    if (!issueIds.length) return Promise.resolve([]);
    return db
      .select({ issueId: issueOrigins.issueId, filingId: issueOrigins.planDutyFilingId })
      .from(issueOrigins)
      .where(inArray(issueOrigins.issueId, [...issueIds]));
  },
  /** The issues each filing brought in, in the order they were listed. */
  issuesOfFilings(db: Queryable, filingIds: readonly string[]): Promise<{ filingId: string | null; issue: IssueRow }[]> {
    if (!filingIds.length) return Promise.resolve([]);
    return db
      .select({ filingId: issueOrigins.planDutyFilingId, issue: issues })
      .from(issueOrigins)
      .innerJoin(issues, eq(issues.id, issueOrigins.issueId))
      .where(inArray(issueOrigins.planDutyFilingId, [...filingIds]))
      .orderBy(asc(issues.number));
  },
};

// ───────────── the three observer teams (三支队伍) ─────────────

/** A membership with its end, if recorded (the end record's day wins over a term given at the start). */
export type ObserverMembershipRow = typeof observerMemberships.$inferSelect;
export type ObserverReportRow = typeof observerReports.$inferSelect;
export type ObserverTeamCode = ObserverMembershipRow['team'];
export interface ObserverTeamCounts {
  team: ObserverTeamCode;
  reportsFiled: number;
  issuesAccepted: number;
  issuesRectified: number;
}

const membershipColumns = {
  id: observerMemberships.id,
  team: observerMemberships.team,
  memberIssuer: observerMemberships.memberIssuer,
  memberSubject: observerMemberships.memberSubject,
  name: observerMemberships.name,
  since: observerMemberships.since,
  until: sql<string | null>`coalesce(${observerMembershipEnds.until}, ${observerMemberships.until})::text`,
  recordedBy: observerMemberships.recordedBy,
  recordedAt: observerMemberships.recordedAt,
  sample: observerMemberships.sample,
};
const membershipsWithEnds = (db: Queryable) =>
  db
    .select(membershipColumns)
    .from(observerMemberships)
    .leftJoin(observerMembershipEnds, eq(observerMembershipEnds.membershipId, observerMemberships.id));

export const observerStore = {
  /** One person's memberships are written one at a time: their terms are checked against each other. */
  lockMember(db: Queryable, member: { issuer: string; subject: string }): Promise<void> {
    return lockKey(db, 'issues.observer_memberships', member.issuer, member.subject);
  },
  async insertMembership(db: Queryable, row: typeof observerMemberships.$inferInsert): Promise<string> {
    const [saved] = await db.insert(observerMemberships).values(row).returning({ id: observerMemberships.id });
    return present(saved, 'the membership just recorded').id;
  },
  async hasEnd(db: Queryable, membershipId: string): Promise<boolean> {
    const [row] = await db
      .select({ id: observerMembershipEnds.membershipId })
      .from(observerMembershipEnds)
      .where(eq(observerMembershipEnds.membershipId, membershipId));
    return row !== undefined;
  },
  async insertEnd(db: Queryable, row: typeof observerMembershipEnds.$inferInsert): Promise<void> {
    await db.insert(observerMembershipEnds).values(row);
  },
  async membership(db: Queryable, id: string): Promise<ObserverMembershipRow | undefined> {
    const [row] = await membershipsWithEnds(db).where(eq(observerMemberships.id, id));
    return row;
  },
  membershipsByIds(db: Queryable, ids: readonly string[]): Promise<ObserverMembershipRow[]> {
    return ids.length ? membershipsWithEnds(db).where(inArray(observerMemberships.id, [...ids])) : Promise.resolve([]);
  },
  /** A person's memberships, every term. */
  ofMember(db: Queryable, member: { issuer: string; subject: string }): Promise<ObserverMembershipRow[]> {
    return membershipsWithEnds(db)
      .where(and(eq(observerMemberships.memberIssuer, member.issuer), eq(observerMemberships.memberSubject, member.subject)))
      .orderBy(asc(observerMemberships.since));
  },
  /** A page of memberships, by team and start (keyset on team, since, id). */
  async page(db: Queryable, team: ObserverTeamCode | null, after: { team: string; since: string; id: string } | null, size: number) {
    const where = team ? eq(observerMemberships.team, team) : undefined;
    const keyset = after
      ? sql`(${observerMemberships.team}::text, ${observerMemberships.since}, ${observerMemberships.id}) > (${after.team}, ${after.since}::date, ${after.id}::uuid)`
      : undefined;
    const rows = await membershipsWithEnds(db)
      .where(and(where, keyset))
      .orderBy(sql`${observerMemberships.team}::text`, asc(observerMemberships.since), asc(observerMemberships.id))
      .limit(size + 1);
    return {
      rows,
      count: async () =>
        (
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(observerMemberships)
            .where(where)
        )[0]?.n ?? 0,
    };
  },
  /** Members serving on `day`, per team. */
  async activeCounts(db: Queryable, day: string): Promise<Map<string, number>> {
    const rows = await db
      .select({ team: observerMemberships.team, n: sql<number>`count(*)::int` })
      .from(observerMemberships)
      .leftJoin(observerMembershipEnds, eq(observerMembershipEnds.membershipId, observerMemberships.id))
      .where(
        sql`${observerMemberships.since} <= ${day}::date and coalesce(${observerMembershipEnds.until}, ${observerMemberships.until}, 'infinity'::date) >= ${day}::date`,
      )
      .groupBy(observerMemberships.team);
    return new Map(rows.map((r) => [r.team, r.n]));
  },
  async insertReport(db: Queryable, row: typeof observerReports.$inferInsert): Promise<void> {
    await db.insert(observerReports).values(row);
  },
  reportsOfIssues(db: Queryable, issueIds: readonly string[]): Promise<ObserverReportRow[]> {
    return issueIds.length
      ? db
          .select()
          .from(observerReports)
          .where(inArray(observerReports.issueId, [...issueIds]))
      : Promise.resolve([]);
  },
  /** A page of reports, newest first: of a team, of one person's memberships, or all. */
  async reports(
    db: Queryable,
    filter: { team: ObserverTeamCode | null; member: { issuer: string; subject: string } | null },
    after: { at: Date; id: string } | null,
    size: number,
  ) {
    const where = and(
      filter.team ? eq(observerReports.team, filter.team) : undefined,
      filter.member
        ? sql`${observerReports.membershipId} in (select id from ${observerMemberships} where member_issuer = ${filter.member.issuer} and member_subject = ${filter.member.subject})`
        : undefined,
    );
    const keyset = after
      ? sql`(${observerReports.reportedAt}, ${observerReports.issueId}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
      : undefined;
    const rows = await db
      .select()
      .from(observerReports)
      .where(and(where, keyset))
      .orderBy(desc(observerReports.reportedAt), desc(observerReports.issueId))
      .limit(size + 1);
    return {
      rows,
      count: async () =>
        (
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(observerReports)
            .where(where)
        )[0]?.n ?? 0,
    };
  },
  /** Per team: reports filed in [from, to), the issues among them accepted into the loop, and of those closed (销号). One statement. */
  async teamCounts(db: Queryable, from: Date, to: Date): Promise<ObserverTeamCounts[]> {
    return db
      .select({
        team: observerReports.team,
        reportsFiled: sql<number>`count(*)::int`,
        issuesAccepted: sql<number>`count(*) filter (where ${issues.acceptedAt} is not null)::int`,
        issuesRectified: sql<number>`count(*) filter (where ${issues.acceptedAt} is not null and ${issues.status} = 'CLOSED')::int`,
      })
      .from(observerReports)
      .innerJoin(issues, eq(issues.id, observerReports.issueId))
      .where(and(gte(observerReports.reportedAt, from), lt(observerReports.reportedAt, to)))
      .groupBy(observerReports.team);
  },
};

/** An issue with its search terms (title and description), as duplicate scoring reads it. */
export type IssueWithTerms = { row: IssueRow; terms: string[] };
/** What a candidate lookup asks: the subject, the window, its enterprise and its anchors (a tsquery of alternatives). */
export interface CandidateQuery {
  id: string;
  at: Date;
  from: Date;
  to: Date;
  enterprise: string | null;
  anchors: string | null;
  limit: number;
}

/**
 * Duplicate appeals at intake (多头反映, duplicates.ts): the terms' statistics, the candidates of an
 * issue — read through indexes only: the credit code's, the search terms' GIN index with the
 * received-at index for the 30-day window — and the items waiting for intake.
 */
export const duplicateStore = {
  /**
   * How often each common search term occurs, from PostgreSQL's statistics of the column (kept by
   * ANALYZE and autovacuum; readable by the serving role, which may read the column) — none before
   * the table was first analysed — and how many issues the table holds (estimated).
   */
  async termStatistics(db: Queryable): Promise<{ terms: string[]; frequencies: number[]; rows: number } | null> {
    const [row] = rowsOf<{ terms: string[] | null; frequencies: number[] | null; rows: number }>(
      await db.execute(sql`
        select s.most_common_elems::text::text[] as terms, s.most_common_elem_freqs::float8[] as frequencies,
          greatest(c.reltuples, 0)::float8 as rows
        from pg_catalog.pg_class c
        left join pg_catalog.pg_stats s on s.schemaname = 'issues' and s.tablename = 'issues' and s.attname = 'search_terms'
        where c.oid = 'issues.issues'::regclass`),
    );
    return row ? { terms: row.terms ?? [], frequencies: (row.frequencies ?? []).map(Number), rows: Number(row.rows) } : null;
  },

  /**
   * The issues received in [from, to], other than `id`, neither rejected nor merged, with the same
   * enterprise or one of the anchors (a tsquery of alternatives) among their terms; the nearest in
   * time first, at most `limit`.
   */
  async candidates(db: Queryable, query: CandidateQuery): Promise<IssueWithTerms[]> {
    const statement = duplicateStore.candidatesStatement(db, query);
    return statement ? await statement : [];
  },

  /** The statement `candidates` runs (its plan is tested: indexes only), undefined when there is nothing to look up by. */
  candidatesStatement(db: Queryable, query: CandidateQuery) {
    const found = [
      ...(query.enterprise ? [eq(issues.enterpriseCreditCode, query.enterprise)] : []),
      ...(query.anchors ? [sql`${searchTerms} @@ ${query.anchors}::tsquery`] : []),
    ];
    if (!found.length) return undefined;
    return db
      .select({ row: issues, terms: sql<string[]>`tsvector_to_array(${searchTerms})` })
      .from(issues)
      .where(
        allOf(
          gte(issues.receivedAt, query.from),
          lte(issues.receivedAt, query.to),
          sql`${issues.id} <> ${query.id}::uuid`,
          sql`${issues.status} not in ('REJECTED', 'MERGED')`,
          anyOf(...found),
        ),
      )
      .orderBy(sql`abs(extract(epoch from ${issues.receivedAt} - ${instantParam(query.at)}))`, asc(issues.id))
      .limit(query.limit);
  },

  /** Items waiting for intake received since `since`, newest first after the cursor (the status index). */
  waiting(db: Queryable, since: Date, limit: number, after: { receivedAt: Date; id: string } | null): Promise<IssueRow[]> {
    return db
      .select()
      .from(issues)
      .where(
        allOf(
          eq(issues.status, 'SUBMITTED'),
          gte(issues.receivedAt, since),
          after ? sql`(${issues.receivedAt}, ${issues.id}) < (${instantParam(after.receivedAt)}, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(issues.receivedAt), desc(issues.id))
      .limit(limit);
  },
};
/** A leader record, with the first day no longer in the post once a departure is recorded. */
export type UnitLeaderRow = typeof unitLeaders.$inferSelect & { leftOn: string | null };
/** A departure, with how many projects and points it handed to the successor. */
export type LeaderDepartureRow = typeof unitLeaderDepartures.$inferSelect & { projectsHandedOver: number; pointsHandedOver: number };
export type HallVisitRow = typeof hallVisits.$inferSelect;
export type SignedProjectRow = typeof signedProjects.$inferSelect;
export type SignedProjectEventRow = typeof signedProjectEvents.$inferSelect;
export type MonitoringPointRow = typeof monitoringPoints.$inferSelect;
export type MonitoringVisitRow = typeof monitoringVisits.$inferSelect;
/** A quarter of 局长进大厅 as the caller sees it. */
export interface HallDutyView {
  quarter: string;
  from: string;
  to: string;
  expected: string[];
  served: string[];
}
/** Signed projects counted by district and status. */
export interface SignedProjectCountRow {
  districtCode: string;
  status: SignedProjectRow['status'];
  count: number;
  maxDaysSinceSigning: number;
}

/** Who recorded a record, and the request that did: a retry by the same person finds it. */
export interface RecordRequest {
  issuer: string;
  role: string;
  subject: string;
  clientRequestId: string;
}

type RecorderColumns = Record<'recorderIssuer' | 'recorderRole' | 'recorderSubject' | 'clientRequestId', PgColumn>;
const recordedBy = (t: RecorderColumns, r: RecordRequest) =>
  and(
    eq(t.recorderIssuer, r.issuer),
    eq(t.recorderRole, r.role),
    eq(t.recorderSubject, r.subject),
    eq(t.clientRequestId, r.clientRequestId),
  );

/** The plan records of one kind that a unit scope reads: those of its units (and, for projects, its district). */
function planScopeCondition(scope: PlanScope, unitColumn: SQL, districtColumn?: SQL): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  const own = sql`${unitColumn} = any(${uuidArray(scope.unitIds)})`;
  return districtColumn && scope.districtCode ? anyOf(own, sql`${districtColumn} = ${scope.districtCode}`) : own;
}
export type PlanScope = { kind: 'all' } | { kind: 'units'; unitIds: string[]; districtCode: string | null };

const leadersWithDepartures = (db: Queryable) =>
  db
    .select({ ...getTableColumns(unitLeaders), leftOn: unitLeaderDepartures.leftOn })
    .from(unitLeaders)
    .leftJoin(unitLeaderDepartures, eq(unitLeaderDepartures.leaderId, unitLeaders.id));

/**
 * The plan's machinery beyond the loop (issue #26): leaders of units, 局长进大厅, signed projects,
 * monitoring points and their visits, and the issues they brought in or tagged.
 */
export const planRecordStore = {
  /** Requests by one person with one client request id wait for each other, then find the first. */
  lockRequest(db: Queryable, kind: string, r: RecordRequest): Promise<void> {
    return lockKey(db, 'issues.plan_records', kind, r.issuer, r.role, r.subject, r.clientRequestId);
  },

  async leaderByRequest(db: Queryable, r: RecordRequest): Promise<UnitLeaderRow | undefined> {
    const [row] = await leadersWithDepartures(db).where(recordedBy(unitLeaders, r));
    return row;
  },
  async insertLeader(db: Queryable, row: typeof unitLeaders.$inferInsert): Promise<UnitLeaderRow> {
    const [saved] = await db.insert(unitLeaders).values(row).returning();
    return { ...present(saved, 'the leader just recorded'), leftOn: null };
  },
  leadersByIds(db: Queryable, ids: readonly string[]): Promise<UnitLeaderRow[]> {
    return ids.length ? leadersWithDepartures(db).where(inArray(unitLeaders.id, [...ids])) : Promise.resolve([]);
  },
  /** A unit's leaders, newest first; `inPost`: only those in post (true) or only those who left (false). */
  leadersOfUnit(db: Queryable, unitId: string, inPost: boolean | null = null): Promise<UnitLeaderRow[]> {
    return leadersWithDepartures(db)
      .where(
        and(
          eq(unitLeaders.unitId, unitId),
          inPost === null ? undefined : inPost ? isNull(unitLeaderDepartures.leaderId) : isNotNull(unitLeaderDepartures.leaderId),
        ),
      )
      .orderBy(desc(unitLeaders.recordedAt), asc(unitLeaders.id));
  },
  /**
   * Records naming a leader and that leader's departure are written one at a time (a transaction
   * lock per leader): a project, point, hall day or visit written meanwhile is either seen by the
   * departure (and handed over) or sees it (and is refused). Returns the first day no longer in post.
   */
  async lockLeader(db: Queryable, leaderId: string): Promise<string | null> {
    await lockKey(db, 'issues.unit_leaders', leaderId);
    const [row] = await db
      .select({ leftOn: unitLeaderDepartures.leftOn })
      .from(unitLeaderDepartures)
      .where(eq(unitLeaderDepartures.leaderId, leaderId));
    return row?.leftOn ?? null;
  },
  departuresByLeaders(db: Queryable, leaderIds: readonly string[]): Promise<LeaderDepartureRow[]> {
    const handedOver = (column: PgColumn) =>
      sql<number>`(select count(*)::int from ${leaderHandovers} where ${leaderHandovers.fromLeaderId} = ${unitLeaderDepartures.leaderId} and ${column} is not null)`;
    return leaderIds.length
      ? db
          .select({
            ...getTableColumns(unitLeaderDepartures),
            projectsHandedOver: handedOver(leaderHandovers.signedProjectId),
            pointsHandedOver: handedOver(leaderHandovers.monitoringPointId),
          })
          .from(unitLeaderDepartures)
          .where(inArray(unitLeaderDepartures.leaderId, [...leaderIds]))
      : Promise.resolve([]);
  },
  /** The 包保 duties a departing leader hands over, locked: projects not yet started or started, and every point. */
  async dutiesOfLeader(db: Queryable, leaderId: string): Promise<{ projects: SignedProjectRow[]; points: MonitoringPointRow[] }> {
    const projects = await db
      .select()
      .from(signedProjects)
      .where(and(eq(signedProjects.leaderId, leaderId), notInArray(signedProjects.status, ['IN_PRODUCTION', 'TERMINATED'])))
      .orderBy(asc(signedProjects.id))
      .for('update');
    const points = await db
      .select()
      .from(monitoringPoints)
      .where(eq(monitoringPoints.leaderId, leaderId))
      .orderBy(asc(monitoringPoints.id))
      .for('update');
    return { projects, points };
  },
  /** The last day a leader served in a hall or visited a point, as recorded (null: none). */
  async lastDayOnDuty(db: Queryable, leaderId: string): Promise<string | null> {
    const [row] = rowsOf<{ last: string | null }>(
      await db.execute(sql`select greatest(
        (select max(${hallVisits.servedOn}) from ${hallVisits} where ${hallVisits.leaderId} = ${leaderId}),
        (select max(${monitoringVisits.visitedOn}) from ${monitoringVisits} where ${monitoringVisits.leaderId} = ${leaderId}))::text as last`),
    );
    return row?.last ?? null;
  },
  async insertDeparture(db: Queryable, row: typeof unitLeaderDepartures.$inferInsert): Promise<void> {
    await db.insert(unitLeaderDepartures).values(row);
  },
  /**
   * A departing leader's duties (locked by `dutiesOfLeader`) handed to the successor, a statement
   * per table whatever their number: the projects and points each a new version, a
   * `LEADER_HANDOVER` history entry per project, a handover row per project and point.
   */
  async handOverDuties(
    db: Queryable,
    h: {
      fromLeaderId: string;
      toLeaderId: string;
      projects: SignedProjectRow[];
      points: MonitoringPointRow[];
      note: string;
      actor: string;
      at: Date;
    },
  ): Promise<void> {
    const projectIds = h.projects.map((p) => p.id);
    const pointIds = h.points.map((p) => p.id);
    if (projectIds.length) {
      await db
        .update(signedProjects)
        .set({ leaderId: h.toLeaderId, version: sql`${signedProjects.version} + 1`, updatedAt: h.at })
        .where(inArray(signedProjects.id, projectIds));
      await db.insert(signedProjectEvents).values(
        h.projects.map((p) => ({
          projectId: p.id,
          action: 'LEADER_HANDOVER',
          fromStatus: p.status,
          toStatus: p.status,
          note: h.note,
          actor: h.actor,
          at: h.at,
        })),
      );
    }
    if (pointIds.length) {
      await db
        .update(monitoringPoints)
        .set({ leaderId: h.toLeaderId, version: sql`${monitoringPoints.version} + 1` })
        .where(inArray(monitoringPoints.id, pointIds));
    }
    const handed = { fromLeaderId: h.fromLeaderId, toLeaderId: h.toLeaderId, at: h.at };
    const rows = [
      ...projectIds.map((signedProjectId) => ({ ...handed, signedProjectId })),
      ...pointIds.map((monitoringPointId) => ({ ...handed, monitoringPointId })),
    ];
    if (rows.length) await db.insert(leaderHandovers).values(rows);
  },

  async hallVisitByRequest(db: Queryable, r: RecordRequest): Promise<HallVisitRow | undefined> {
    const [row] = await db.select().from(hallVisits).where(recordedBy(hallVisits, r));
    return row;
  },
  async insertHallVisit(db: Queryable, row: typeof hallVisits.$inferInsert): Promise<HallVisitRow> {
    const [saved] = await db.insert(hallVisits).values(row).returning();
    return present(saved, 'the hall day just recorded');
  },
  hallVisitsByIds(db: Queryable, ids: readonly string[]): Promise<HallVisitRow[]> {
    return ids.length
      ? db
          .select()
          .from(hallVisits)
          .where(inArray(hallVisits.id, [...ids]))
      : Promise.resolve([]);
  },
  /** Hall days, newest first (served on, then id), from after a cursor. */
  hallVisitPage(
    db: Queryable,
    q: { scope: PlanScope; quarter: string | null; unitId: string | null; limit: number; after: { servedOn: string; id: string } | null },
  ): Promise<HallVisitRow[]> {
    const conditions = hallConditions(q);
    if (q.after) conditions.push(sql`(${hallVisits.servedOn}, ${hallVisits.id}) < (${q.after.servedOn}::date, ${q.after.id}::uuid)`);
    return db
      .select()
      .from(hallVisits)
      .where(and(...conditions))
      .orderBy(desc(hallVisits.servedOn), desc(hallVisits.id))
      .limit(q.limit);
  },
  hallVisitCount(
    db: Queryable,
    q: { scope: PlanScope; quarter: string | null; unitId: string | null },
    limit: CountLimit,
  ): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(hallVisits)
        .where(and(...hallConditions(q))),
      limit,
    );
  },
  /** The units whose principal served in a quarter (of these units). */
  /** Of these units, those with a principal in post on record (a principal leader without a departure). */
  async unitsWithPrincipal(db: Queryable, unitIds: readonly string[]): Promise<string[]> {
    if (!unitIds.length) return [];
    const rows = await db
      .selectDistinct({ unitId: unitLeaders.unitId })
      .from(unitLeaders)
      .leftJoin(unitLeaderDepartures, eq(unitLeaderDepartures.leaderId, unitLeaders.id))
      .where(
        and(
          eq(unitLeaders.principal, true),
          isNull(unitLeaderDepartures.leaderId),
          sql`${unitLeaders.unitId} = any(${uuidArray(unitIds)})`,
        ),
      );
    return rows.map((r) => r.unitId);
  },
  async unitsServed(db: Queryable, quarter: string, unitIds: readonly string[]): Promise<string[]> {
    if (!unitIds.length) return [];
    const rows = await db
      .selectDistinct({ unitId: hallVisits.unitId })
      .from(hallVisits)
      .where(and(eq(hallVisits.quarter, quarter), sql`${hallVisits.unitId} = any(${uuidArray(unitIds)})`));
    return rows.map((r) => r.unitId);
  },

  async projectByRequest(db: Queryable, r: RecordRequest): Promise<SignedProjectRow | undefined> {
    const [row] = await db.select().from(signedProjects).where(recordedBy(signedProjects, r));
    return row;
  },
  async insertProject(db: Queryable, row: typeof signedProjects.$inferInsert): Promise<SignedProjectRow> {
    const [saved] = await db.insert(signedProjects).values(row).returning();
    return present(saved, 'the project just listed');
  },
  async project(db: Queryable, id: string): Promise<SignedProjectRow | undefined> {
    const [row] = await db.select().from(signedProjects).where(eq(signedProjects.id, id));
    return row;
  },
  projectsByIds(db: Queryable, ids: readonly string[]): Promise<SignedProjectRow[]> {
    return ids.length
      ? db
          .select()
          .from(signedProjects)
          .where(inArray(signedProjects.id, [...ids]))
      : Promise.resolve([]);
  },
  /** A version-guarded change of a project; undefined when someone changed it meanwhile. */
  async updateProject(db: Queryable, id: string, version: number, values: Partial<typeof signedProjects.$inferInsert>) {
    const [saved] = await db
      .update(signedProjects)
      .set({ ...values, version: version + 1 })
      .where(and(eq(signedProjects.id, id), eq(signedProjects.version, version)))
      .returning();
    return saved;
  },
  async appendProjectEvent(db: Queryable, row: typeof signedProjectEvents.$inferInsert): Promise<void> {
    await db.insert(signedProjectEvents).values(row);
  },
  projectEvents(db: Queryable, ids: readonly string[]): Promise<SignedProjectEventRow[]> {
    return ids.length
      ? db
          .select()
          .from(signedProjectEvents)
          .where(inArray(signedProjectEvents.projectId, [...ids]))
          .orderBy(asc(signedProjectEvents.id))
      : Promise.resolve([]);
  },
  /** Signed projects, earliest signed first (signed on, then id), from after a cursor. */
  projectPage(
    db: Queryable,
    q: ProjectQuery & { limit: number; after: { signedOn: string; id: string } | null },
  ): Promise<SignedProjectRow[]> {
    const conditions = projectConditions(q);
    if (q.after)
      conditions.push(sql`(${signedProjects.signedOn}, ${signedProjects.id}) > (${q.after.signedOn}::date, ${q.after.id}::uuid)`);
    return db
      .select()
      .from(signedProjects)
      .where(and(...conditions))
      .orderBy(asc(signedProjects.signedOn), asc(signedProjects.id))
      .limit(q.limit);
  },
  projectCount(db: Queryable, q: ProjectQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(signedProjects)
        .where(and(...projectConditions(q))),
      limit,
    );
  },
  /** Counts by district and status, with the longest time since signing (days, to `today`). */
  projectCounts(db: Queryable, scope: PlanScope, today: string): Promise<SignedProjectCountRow[]> {
    return db
      .select({
        districtCode: signedProjects.districtCode,
        status: signedProjects.status,
        count: sql<number>`count(*)::int`,
        maxDaysSinceSigning: sql<number>`max(${today}::date - ${signedProjects.signedOn})::int`,
      })
      .from(signedProjects)
      .where(and(...projectConditions({ scope })))
      .groupBy(signedProjects.districtCode, signedProjects.status)
      .orderBy(asc(signedProjects.districtCode), asc(signedProjects.status));
  },

  async pointByRequest(db: Queryable, r: RecordRequest): Promise<MonitoringPointRow | undefined> {
    const [row] = await db.select().from(monitoringPoints).where(recordedBy(monitoringPoints, r));
    return row;
  },
  /** A new point; undefined when the enterprise or the project is a point already. */
  async insertPoint(db: Queryable, row: typeof monitoringPoints.$inferInsert): Promise<MonitoringPointRow | undefined> {
    const [saved] = await db.insert(monitoringPoints).values(row).onConflictDoNothing().returning();
    return saved;
  },
  async point(db: Queryable, id: string): Promise<MonitoringPointRow | undefined> {
    const [row] = await db.select().from(monitoringPoints).where(eq(monitoringPoints.id, id));
    return row;
  },
  pointsByIds(db: Queryable, ids: readonly string[]): Promise<MonitoringPointRow[]> {
    return ids.length
      ? db
          .select()
          .from(monitoringPoints)
          .where(inArray(monitoringPoints.id, [...ids]))
      : Promise.resolve([]);
  },
  async updatePoint(db: Queryable, id: string, version: number, values: Partial<typeof monitoringPoints.$inferInsert>) {
    const [saved] = await db
      .update(monitoringPoints)
      .set({ ...values, version: version + 1 })
      .where(and(eq(monitoringPoints.id, id), eq(monitoringPoints.version, version)))
      .returning();
    return saved;
  },
  /** Points, in order of designation, from after a cursor; `unvisitedAsOf`: only those not visited in their current period. */
  pointPage(db: Queryable, q: PointQuery & { limit: number; after: { at: Date; id: string } | null }): Promise<MonitoringPointRow[]> {
    const conditions = pointConditions(q);
    if (q.after)
      conditions.push(
        sql`(${monitoringPoints.recordedAt}, ${monitoringPoints.id}) > (${q.after.at.toISOString()}::timestamptz, ${q.after.id}::uuid)`,
      );
    return db
      .select()
      .from(monitoringPoints)
      .where(and(...conditions))
      .orderBy(asc(monitoringPoints.recordedAt), asc(monitoringPoints.id))
      .limit(q.limit);
  },
  pointCount(db: Queryable, q: PointQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(monitoringPoints)
        .where(and(...pointConditions(q))),
      limit,
    );
  },
  async visitByRequest(db: Queryable, r: RecordRequest): Promise<MonitoringVisitRow | undefined> {
    const [row] = await db.select().from(monitoringVisits).where(recordedBy(monitoringVisits, r));
    return row;
  },
  async insertVisit(db: Queryable, row: typeof monitoringVisits.$inferInsert): Promise<void> {
    await db.insert(monitoringVisits).values(row);
  },
  visitsOfPoints(db: Queryable, ids: readonly string[]): Promise<MonitoringVisitRow[]> {
    return ids.length
      ? db
          .select()
          .from(monitoringVisits)
          .where(inArray(monitoringVisits.pointId, [...ids]))
          .orderBy(desc(monitoringVisits.visitedOn), desc(monitoringVisits.recordedAt))
      : Promise.resolve([]);
  },
  /** At intake, in the issue's own transaction: the points whose enterprise raised it tag it. One statement. */
  async tagIssue(db: Queryable, issueId: string, creditCode: string): Promise<void> {
    await db.execute(sql`insert into ${issueMonitoringTags} (issue_id, point_id)
      select ${issueId}::uuid, ${monitoringPoints.id} from ${monitoringPoints} where ${monitoringPoints.enterpriseCreditCode} = ${creditCode}
      on conflict do nothing`);
  },
  tagsOfIssues(db: Queryable, ids: readonly string[]): Promise<{ issueId: string; pointId: string }[]> {
    return ids.length
      ? db
          .select()
          .from(issueMonitoringTags)
          .where(inArray(issueMonitoringTags.issueId, [...ids]))
      : Promise.resolve([]);
  },

  /** The issues a hall day or a project brought in (`issue_origins`), oldest first. */
  async linkIssues(db: Queryable, link: { hallVisitId?: string; signedProjectId?: string }, issueIds: readonly string[]): Promise<void> {
    if (issueIds.length) await db.insert(issueOrigins).values(issueIds.map((issueId) => ({ issueId, ...link })));
  },
  issuesOfHallVisits(db: Queryable, ids: readonly string[]): Promise<{ key: string | null; issue: IssueRow }[]> {
    if (!ids.length) return Promise.resolve([]);
    return db
      .select({ key: issueOrigins.hallVisitId, issue: issues })
      .from(issueOrigins)
      .innerJoin(issues, eq(issues.id, issueOrigins.issueId))
      .where(inArray(issueOrigins.hallVisitId, [...ids]))
      .orderBy(asc(issues.number));
  },
  issuesOfProjects(db: Queryable, ids: readonly string[]): Promise<{ key: string | null; issue: IssueRow }[]> {
    if (!ids.length) return Promise.resolve([]);
    return db
      .select({ key: issueOrigins.signedProjectId, issue: issues })
      .from(issueOrigins)
      .innerJoin(issues, eq(issues.id, issueOrigins.issueId))
      .where(inArray(issueOrigins.signedProjectId, [...ids]))
      .orderBy(asc(issues.number));
  },
  /** issue id → the hall day and project that brought it in. */
  recordOriginsOfIssues(db: Queryable, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db
      .select({ issueId: issueOrigins.issueId, hallVisitId: issueOrigins.hallVisitId, signedProjectId: issueOrigins.signedProjectId })
      .from(issueOrigins)
      .where(inArray(issueOrigins.issueId, [...ids]));
  },
};

function hallConditions(q: { scope: PlanScope; quarter: string | null; unitId: string | null }): SQL[] {
  const conditions: SQL[] = [];
  const scoped = planScopeCondition(q.scope, sql`${hallVisits.unitId}`);
  if (scoped) conditions.push(scoped);
  if (q.quarter) conditions.push(eq(hallVisits.quarter, q.quarter));
  if (q.unitId) conditions.push(eq(hallVisits.unitId, q.unitId));
  return conditions;
}

export interface ProjectQuery {
  scope: PlanScope;
  districtCode?: string | null;
  status?: SignedProjectRow['status'][] | null;
  responsibleUnitId?: string | null;
}

function projectConditions(q: ProjectQuery): SQL[] {
  const conditions: SQL[] = [];
  const scoped = planScopeCondition(q.scope, sql`${signedProjects.responsibleUnitId}`, sql`${signedProjects.districtCode}`);
  if (scoped) conditions.push(scoped);
  if (q.districtCode) conditions.push(eq(signedProjects.districtCode, q.districtCode));
  if (q.status?.length) conditions.push(inArray(signedProjects.status, q.status));
  if (q.responsibleUnitId) conditions.push(eq(signedProjects.responsibleUnitId, q.responsibleUnitId));
  return conditions;
}

export interface PointQuery {
  scope: PlanScope;
  responsibleUnitId?: string | null;
  /** Only the points not visited in their current period, as of this day (Beijing). */
  unvisitedAsOf?: string | null;
}

function pointConditions(q: PointQuery): SQL[] {
  const conditions: SQL[] = [];
  const scoped = planScopeCondition(q.scope, sql`${monitoringPoints.responsibleUnitId}`);
  if (scoped) conditions.push(scoped);
  if (q.responsibleUnitId) conditions.push(eq(monitoringPoints.responsibleUnitId, q.responsibleUnitId));
  if (q.unvisitedAsOf) {
    const start = sql`date_trunc(case ${monitoringPoints.frequency} when 'MONTHLY' then 'month' else 'quarter' end, ${q.unvisitedAsOf}::date)::date`;
    conditions.push(anyOf(isNull(monitoringPoints.lastVisitedOn), sql`${monitoringPoints.lastVisitedOn} < ${start}`));
  }
  return conditions;
}
