/**
 * Data access of the financing slice: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the use cases can run them inside a transaction.
 */
import { and, arrayContains, asc, desc, eq, getTableColumns, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SearchQuery } from '../../platform/search-text.ts';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { rowsOf, type Db, type Queryable } from '../../db/client.ts';
import {
  branches,
  changeLog,
  creditRecords,
  creditReportReads,
  creditReports,
  demandEvents,
  demandLimits,
  demandRoutes,
  demands,
  figures,
  figuresMonthly,
  figureTotals,
  institutions,
  limitLateness,
  limitSettings,
  loans,
  noticeSettings,
  notices,
  outboxDeliveries,
  outboxEvents,
  outboxWebhooks,
  products,
  reportBases,
  smsDailyCounts,
} from '../../db/financing.ts';
import type { OutboxTables } from '../../db/outbox.ts';
import { keptRanges } from '../../platform/calendar.ts';
import { countUpTo, type CountLimit, type ListCount } from '../../platform/pagination.ts';
import {
  CLAIM_BANDS,
  DECISION_DAYS,
  PART_NAMES,
  monthOf,
  mergeChanges,
  type Dimension,
  type FigureChange,
  type FigureParts,
  type ValueChange,
} from './figures.ts';

export type InstitutionRow = typeof institutions.$inferSelect;
export type BranchRow = typeof branches.$inferSelect;
export type ChangeRow = typeof changeLog.$inferSelect;
/** A product as the API reads it: everything but its search terms. */
export type ProductRow = Omit<typeof products.$inferSelect, 'terms'>;
export type ProductValues = typeof products.$inferInsert;
export type DemandRow = typeof demands.$inferSelect;
export type DemandValues = typeof demands.$inferInsert;
export type RouteRow = typeof demandRoutes.$inferSelect;
export type DemandEventRow = typeof demandEvents.$inferSelect;
export type LimitRow = typeof demandLimits.$inferSelect;
export type LoanRow = typeof loans.$inferSelect;
export type LimitSettingsRow = typeof limitSettings.$inferSelect;
export type CreditRecordRow = typeof creditRecords.$inferSelect;
export type CreditRecordValues = typeof creditRecords.$inferInsert;
export type ReportBasisRow = typeof reportBases.$inferSelect;
export type CreditReportRow = typeof creditReports.$inferSelect;
/** A read of a credit report, with the hash of the snapshot read. */
export type CreditReportReadRow = typeof creditReportReads.$inferSelect & { reportHash: string };
/** An enterprise as this slice resolves it (the units slice owns it). */
export interface EnterpriseReference {
  creditCode: string;
}

export interface InstitutionQuery {
  kind?: InstitutionRow['kind'] | null;
  districtCode?: string | null;
  includeSuspended: boolean;
}

function institutionConditions(filter: InstitutionQuery): SQL[] {
  const conditions: SQL[] = [];
  if (!filter.includeSuspended) conditions.push(isNull(institutions.suspendedAt));
  if (filter.kind) conditions.push(eq(institutions.kind, filter.kind));
  if (filter.districtCode) conditions.push(arrayContains(institutions.districtCodes, [filter.districtCode]));
  return conditions;
}

/**
 * An added-at instant as a cursor carries it (milliseconds, as JavaScript's Date): a row stamped by
 * the database's now() has microseconds, and compared with its own cursor it came after itself —
 * the same page again, for ever. The order and the cursor's comparison both use this.
 */
const toMilliseconds = (column: PgColumn) => sql`date_trunc('milliseconds', ${column})`;

export const institutionStore = {
  /** A page in the order they were added (created_at, id), after the cursor's row. */
  page(db: Queryable, filter: InstitutionQuery, limit: number, after: { at: Date; id: string } | null): Promise<InstitutionRow[]> {
    const conditions = institutionConditions(filter);
    if (after) {
      conditions.push(
        sql`(${toMilliseconds(institutions.createdAt)}, ${institutions.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(institutions)
      .where(and(...conditions))
      .orderBy(asc(toMilliseconds(institutions.createdAt)), asc(institutions.id))
      .limit(limit);
  },
  count(db: Queryable, filter: InstitutionQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(institutions)
        .where(and(...institutionConditions(filter))),
      limit,
    );
  },
  byIds: (db: Queryable, ids: readonly string[]): Promise<InstitutionRow[]> =>
    ids.length
      ? db
          .select()
          .from(institutions)
          .where(inArray(institutions.id, [...ids]))
      : Promise.resolve([]),
  async lock(db: Queryable, id: string): Promise<InstitutionRow | undefined> {
    const [row] = await db.select().from(institutions).where(eq(institutions.id, id)).for('update');
    return row;
  },
  async insert(db: Queryable, values: typeof institutions.$inferInsert): Promise<InstitutionRow | undefined> {
    const [row] = await db.insert(institutions).values(values).onConflictDoNothing().returning();
    return row;
  },
  async update(
    db: Queryable,
    id: string,
    version: number,
    values: Partial<Pick<InstitutionRow, 'name' | 'kind' | 'districtCodes' | 'contact' | 'suspendedAt'>>,
  ): Promise<InstitutionRow | undefined> {
    const [row] = await db
      .update(institutions)
      .set({ ...values, version: version + 1, updatedAt: sql`now()` })
      .where(and(eq(institutions.id, id), eq(institutions.version, version)))
      .returning();
    return row;
  },
};

export const branchStore = {
  byIds: (db: Queryable, ids: readonly string[]): Promise<BranchRow[]> =>
    ids.length
      ? db
          .select()
          .from(branches)
          .where(inArray(branches.id, [...ids]))
      : Promise.resolve([]),
  /** The branches of these institutions, by name. */
  ofInstitutions: (db: Queryable, ids: readonly string[]): Promise<BranchRow[]> =>
    ids.length
      ? db
          .select()
          .from(branches)
          .where(inArray(branches.institutionId, [...ids]))
          .orderBy(asc(branches.districtCode), asc(branches.name))
      : Promise.resolve([]),
  async lock(db: Queryable, id: string): Promise<BranchRow | undefined> {
    const [row] = await db.select().from(branches).where(eq(branches.id, id)).for('update');
    return row;
  },
  async insert(db: Queryable, values: typeof branches.$inferInsert): Promise<BranchRow | undefined> {
    const [row] = await db.insert(branches).values(values).onConflictDoNothing().returning();
    return row;
  },
  async update(
    db: Queryable,
    id: string,
    version: number,
    values: Partial<Pick<BranchRow, 'name' | 'districtCode' | 'contact' | 'suspendedAt'>>,
  ): Promise<BranchRow | undefined> {
    const [row] = await db
      .update(branches)
      .set({ ...values, version: version + 1, updatedAt: sql`now()` })
      .where(and(eq(branches.id, id), eq(branches.version, version)))
      .returning();
    return row;
  },
};

export interface ProductQuery {
  category?: ProductRow['category'] | null;
  institutionId?: string | null;
  /** Products whose amount range holds this amount (yuan). */
  amount?: number | null;
  /** Products whose term range holds this term (months). */
  termMonths?: number | null;
  districtCode?: string | null;
  text?: SearchQuery | null;
  /** Suspended products (and those of suspended institutions) too. */
  includeSuspended: boolean;
}

/** Every column but the search terms. */
const { terms: _terms, ...productColumns } = getTableColumns(products);

function productConditions(filter: ProductQuery): SQL[] {
  const conditions: SQL[] = [];
  if (!filter.includeSuspended) {
    conditions.push(eq(products.status, 'ACTIVE'));
    conditions.push(
      sql`exists (select 1 from ${institutions} where ${institutions.id} = ${products.institutionId} and ${institutions.suspendedAt} is null)`,
    );
  }
  if (filter.category) conditions.push(eq(products.category, filter.category));
  if (filter.institutionId) conditions.push(eq(products.institutionId, filter.institutionId));
  if (filter.amount != null) conditions.push(lte(products.amountMin, filter.amount), gte(products.amountMax, filter.amount));
  if (filter.termMonths != null) conditions.push(lte(products.termMin, filter.termMonths), gte(products.termMax, filter.termMonths));
  if (filter.districtCode) conditions.push(arrayContains(products.districtCodes, [filter.districtCode]));
  const query = filter.text;
  if (query) {
    // The anchors from the GIN index, the rest of the words checked on those rows (platform/search-text.ts).
    conditions.push(
      query.anchors === query.tsquery
        ? sql`${products.terms} @@ ${query.tsquery}::tsquery`
        : sql`(${products.terms} @@ ${query.anchors}::tsquery and ts_match_vq(${products.terms}, ${query.tsquery}::tsquery))`,
    );
  }
  return conditions;
}

export const productStore = {
  /** A page in the order they were added (created_at, id), after the cursor's row. */
  page(db: Queryable, filter: ProductQuery, limit: number, after: { at: Date; id: string } | null): Promise<ProductRow[]> {
    const conditions = productConditions(filter);
    if (after) {
      conditions.push(
        sql`(${toMilliseconds(products.createdAt)}, ${products.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return db
      .select(productColumns)
      .from(products)
      .where(and(...conditions))
      .orderBy(asc(toMilliseconds(products.createdAt)), asc(products.id))
      .limit(limit);
  },
  count(db: Queryable, filter: ProductQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(products)
        .where(and(...productConditions(filter))),
      limit,
    );
  },
  /** Every active product of an active institution offered in a district (what eligibility is judged on). */
  /** The active products of active institutions offered in a district (`productMatches`: one statement, built once). */
  offeredIn: (db: Db, districtCode: string): Promise<ProductRow[]> => offeredInQuery(db).execute({ districtCode }),
  byIds: (db: Queryable, ids: readonly string[]): Promise<ProductRow[]> =>
    ids.length
      ? db
          .select(productColumns)
          .from(products)
          .where(inArray(products.id, [...ids]))
      : Promise.resolve([]),
  async lock(db: Queryable, id: string): Promise<ProductRow | undefined> {
    const [row] = await db.select(productColumns).from(products).where(eq(products.id, id)).for('update');
    return row;
  },
  async insert(db: Queryable, values: ProductValues): Promise<ProductRow | undefined> {
    const [row] = await db.insert(products).values(values).onConflictDoNothing().returning(productColumns);
    return row;
  },
  async update(
    db: Queryable,
    id: string,
    version: number,
    values: Partial<Omit<ProductValues, 'id' | 'institutionId' | 'version' | 'createdAt' | 'updatedAt' | 'sample'>>,
  ): Promise<ProductRow | undefined> {
    const [row] = await db
      .update(products)
      .set({ ...values, version: version + 1, updatedAt: sql`now()` })
      .where(and(eq(products.id, id), eq(products.version, version)))
      .returning(productColumns);
    return row;
  },
};

/** Sample products (flagged `sample`): one already there is left as it is. */
export async function insertSampleProducts(db: Queryable, rows: ProductValues[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += 100) {
    const done = await db
      .insert(products)
      .values(rows.slice(i, i + 100))
      .onConflictDoNothing()
      .returning({ id: products.id });
    added += done.length;
  }
  return added;
}

export const changeStore = {
  async append(db: Queryable, values: typeof changeLog.$inferInsert): Promise<void> {
    await db.insert(changeLog).values(values);
  },
};

/** Sample institutions and branches (flagged `sample`): an institution or branch already there is left as it is. */
export async function insertSamplePartners(
  db: Queryable,
  institutionRows: (typeof institutions.$inferInsert)[],
  branchRows: (typeof branches.$inferInsert)[],
): Promise<number> {
  const added = await db.insert(institutions).values(institutionRows).onConflictDoNothing().returning({ id: institutions.id });
  const addedBranches = branchRows.length
    ? await db.insert(branches).values(branchRows).onConflictDoNothing().returning({ id: branches.id })
    : [];
  return added.length + addedBranches.length;
}

/** Which demands a list may show: all (regulator, command office), an enterprise's, or those routed to or held by an institution or branch. */
export type DemandScope =
  | { kind: 'ALL' }
  | { kind: 'ENTERPRISE'; creditCode: string }
  | { kind: 'INSTITUTION'; institutionId: string }
  | { kind: 'BRANCH'; institutionId: string; branchId: string };

export interface DemandQuery {
  scope: DemandScope;
  status?: DemandRow['status'][] | null;
  source?: DemandRow['source'] | null;
  districtCode?: string | null;
  institutionId?: string | null;
  creditCode?: string | null;
  /** OPEN demands whose claim limit has passed by this instant (waiting for the regulator's dispatch). */
  awaitingDispatchAt?: Date | null;
}

function demandConditions(query: DemandQuery): SQL[] {
  const conditions: SQL[] = [];
  const scope = query.scope;
  if (scope.kind === 'ENTERPRISE') conditions.push(eq(demands.creditCode, scope.creditCode));
  if (scope.kind === 'INSTITUTION') {
    const routed = sql`exists (select 1 from ${demandRoutes} r where r.demand_id = ${demands.id} and r.institution_id = ${scope.institutionId} and ${demands.status} = 'OPEN')`;
    conditions.push(or(eq(demands.institutionId, scope.institutionId), routed) as SQL);
  }
  if (scope.kind === 'BRANCH') {
    const routed = sql`exists (select 1 from ${demandRoutes} r where r.demand_id = ${demands.id} and r.institution_id = ${scope.institutionId} and r.branch_id = ${scope.branchId} and ${demands.status} = 'OPEN')`;
    conditions.push(or(eq(demands.branchId, scope.branchId), routed) as SQL);
  }
  if (query.status?.length) conditions.push(inArray(demands.status, query.status));
  if (query.source) conditions.push(eq(demands.source, query.source));
  if (query.districtCode) conditions.push(eq(demands.districtCode, query.districtCode));
  if (query.institutionId) conditions.push(eq(demands.institutionId, query.institutionId));
  if (query.creditCode) conditions.push(eq(demands.creditCode, query.creditCode));
  if (query.awaitingDispatchAt) {
    conditions.push(eq(demands.status, 'OPEN'));
    conditions.push(
      sql`exists (select 1 from ${demandLimits} l where l.demand_id = ${demands.id} and l.kind = 'CLAIM' and l.met_at is null and l.ended_at is null and l.due_at <= ${query.awaitingDispatchAt.toISOString()}::timestamptz)`,
    );
  }
  return conditions;
}

export const demandStore = {
  /** A page, newest first (posted_at desc, id desc), after the cursor's row. */
  page(db: Queryable, query: DemandQuery, limit: number, after: { at: Date; id: string } | null): Promise<DemandRow[]> {
    const conditions = demandConditions(query);
    if (after) {
      const earlier = or(lt(demands.postedAt, after.at), and(eq(demands.postedAt, after.at), lt(demands.id, after.id)));
      if (earlier) conditions.push(earlier);
    }
    return db
      .select()
      .from(demands)
      .where(and(...conditions))
      .orderBy(desc(demands.postedAt), desc(demands.id))
      .limit(limit);
  },
  count(db: Queryable, query: DemandQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(demands)
        .where(and(...demandConditions(query))),
      limit,
    );
  },
  byIds: (db: Queryable, ids: readonly string[]): Promise<DemandRow[]> =>
    ids.length
      ? db
          .select()
          .from(demands)
          .where(inArray(demands.id, [...ids]))
      : Promise.resolve([]),
  async lock(db: Queryable, id: string): Promise<DemandRow | undefined> {
    const [row] = await db.select().from(demands).where(eq(demands.id, id)).for('update');
    return row;
  },
  /**
   * What a claim reads before its transaction, as committed, in ONE statement (57 claimers at one
   * instant each ask it): the claiming institution, the demand, the institution's route to it and the
   * token's branch — undefined when there is no such institution. The loaders are primed with it.
   */
  async claimBasis(
    db: Db,
    demandId: string,
    institutionId: string,
    branchId: string | null,
  ): Promise<{ institution: InstitutionRow; demand: DemandRow | null; route: RouteRow | null; branch: BranchRow | null } | undefined> {
    const [row] = await claimBasisQuery(db).execute({ demandId, institutionId, branchId });
    return row;
  },
  /**
   * The demand as committed once no transaction is changing it: waits for one that holds it locked
   * (FOR SHARE: such waits do not wait on each other) and reads what it left. Outside a transaction
   * the share lock ends with the statement, so whoever calls this holds nothing afterwards.
   */
  async settled(db: Queryable, id: string): Promise<DemandRow | undefined> {
    const [row] = await db.select().from(demands).where(eq(demands.id, id)).for('share');
    return row;
  },
  /** The demand a source's reference or a client's request id names already, if any. */
  async existing(
    db: Queryable,
    key: { source: DemandRow['source']; externalRef: string } | { creditCode: string; clientRequestId: string },
  ) {
    const [row] = await db
      .select()
      .from(demands)
      .where(
        'externalRef' in key
          ? and(eq(demands.source, key.source), eq(demands.externalRef, key.externalRef))
          : and(eq(demands.creditCode, key.creditCode), eq(demands.clientRequestId, key.clientRequestId)),
      );
    return row;
  },
  /** Inserts a new demand; undefined when its source reference or client request id is taken (a retry). */
  async insert(db: Queryable, values: DemandValues): Promise<DemandRow | undefined> {
    const [row] = await db.insert(demands).values(values).onConflictDoNothing().returning();
    return row;
  },
  async update(
    db: Queryable,
    id: string,
    version: number,
    values: Partial<Omit<DemandValues, 'id' | 'version' | 'createdAt' | 'updatedAt'>>,
  ): Promise<DemandRow | undefined> {
    const [row] = await db
      .update(demands)
      .set({ ...values, version: version + 1, updatedAt: sql`now()` })
      .where(and(eq(demands.id, id), eq(demands.version, version)))
      .returning();
    return row;
  },
};

export const routeStore = {
  async insertMany(db: Queryable, rows: (typeof demandRoutes.$inferInsert)[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insert(demandRoutes)
        .values(rows.slice(i, i + 500))
        .onConflictDoNothing();
  },
  /** Routes by (demand, institution) pairs. */
  byPairs: (db: Queryable, pairs: readonly { demandId: string; institutionId: string }[]): Promise<RouteRow[]> =>
    pairs.length
      ? db
          .select()
          .from(demandRoutes)
          .where(
            or(...pairs.map((pair) => and(eq(demandRoutes.demandId, pair.demandId), eq(demandRoutes.institutionId, pair.institutionId)))),
          )
      : Promise.resolve([]),
  ofDemands: (db: Queryable, ids: readonly string[]): Promise<RouteRow[]> =>
    ids.length
      ? db
          .select()
          .from(demandRoutes)
          .where(inArray(demandRoutes.demandId, [...ids]))
      : Promise.resolve([]),
};

export const eventStore = {
  async append(db: Queryable, values: typeof demandEvents.$inferInsert): Promise<DemandEventRow> {
    const [row] = await db.insert(demandEvents).values(values).returning();
    if (!row) throw new Error('an insert returned no row');
    return row;
  },
  ofDemands: (db: Queryable, ids: readonly string[]): Promise<DemandEventRow[]> =>
    ids.length
      ? db
          .select()
          .from(demandEvents)
          .where(inArray(demandEvents.demandId, [...ids]))
          .orderBy(asc(demandEvents.id))
      : Promise.resolve([]),
};

export const limitStore = {
  /** Running limits (neither met nor ended) past their due time now, sample demands aside: the `deadlines_overdue` gauge (demand_limits_running_idx). */
  async overdueCount(db: Queryable, now: Date): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from ${demandLimits} l join ${demands} d on d.id = l.demand_id
        where l.met_at is null and l.ended_at is null and l.due_at <= ${now.toISOString()}::timestamptz and not d.sample`),
    );
    return row?.n ?? 0;
  },
  async insert(db: Queryable, values: typeof demandLimits.$inferInsert): Promise<LimitRow> {
    const [row] = await db.insert(demandLimits).values(values).returning();
    if (!row) throw new Error('an insert returned no row');
    return row;
  },
  /** Several limits in one statement, answered in the order given (by their ids, which follow it). */
  async insertMany(db: Queryable, values: (typeof demandLimits.$inferInsert)[]): Promise<LimitRow[]> {
    if (!values.length) return [];
    const rows = await db.insert(demandLimits).values(values).returning();
    if (rows.length !== values.length) throw new Error('an insert returned fewer rows than it was given');
    return rows.sort((a, b) => a.id - b.id);
  },
  ofDemands: (db: Queryable, ids: readonly string[]): Promise<LimitRow[]> =>
    ids.length
      ? db
          .select()
          .from(demandLimits)
          .where(inArray(demandLimits.demandId, [...ids]))
          .orderBy(asc(demandLimits.id))
      : Promise.resolve([]),
  /** The running limits of a demand (neither met nor ended). */
  running: (db: Queryable, demandId: string): Promise<LimitRow[]> =>
    db
      .select()
      .from(demandLimits)
      .where(and(eq(demandLimits.demandId, demandId), isNull(demandLimits.metAt), isNull(demandLimits.endedAt)))
      .orderBy(asc(demandLimits.id)),
  /** The running limits whose due time is provisional for one of `years`. */
  provisional: (db: Queryable, years: number[]): Promise<LimitRow[]> =>
    db
      .select()
      .from(demandLimits)
      .where(and(inArray(demandLimits.pendingCalendarYear, years), isNull(demandLimits.metAt), isNull(demandLimits.endedAt))),
  /** A running limit's due time, recomputed on a calendar that gained its year. */
  async redue(db: Queryable, id: number, due: Pick<LimitRow, 'dueAt' | 'warnAt' | 'pendingCalendarYear'>): Promise<void> {
    await db
      .update(demandLimits)
      .set(due)
      .where(and(eq(demandLimits.id, id), isNull(demandLimits.metAt), isNull(demandLimits.endedAt)));
  },
  /** Marks running limits of these kinds met at `at`. */
  async meet(db: Queryable, demandId: string, kinds: LimitRow['kind'][], at: Date): Promise<void> {
    await db
      .update(demandLimits)
      .set({ metAt: at })
      .where(
        and(
          eq(demandLimits.demandId, demandId),
          inArray(demandLimits.kind, kinds),
          isNull(demandLimits.metAt),
          isNull(demandLimits.endedAt),
        ),
      );
  },
  /** Stops every running limit of a demand unmet at `at` (lapsed if at or after its due time, else cancelled). */
  async end(db: Queryable, demandId: string, at: Date): Promise<void> {
    await db
      .update(demandLimits)
      .set({ endedAt: at })
      .where(and(eq(demandLimits.demandId, demandId), isNull(demandLimits.metAt), isNull(demandLimits.endedAt)));
  },
};

export const loanStore = {
  async insert(db: Queryable, values: typeof loans.$inferInsert): Promise<LoanRow | undefined> {
    const [row] = await db.insert(loans).values(values).onConflictDoNothing().returning();
    return row;
  },
  ofDemands: (db: Queryable, ids: readonly string[]): Promise<LoanRow[]> =>
    ids.length
      ? db
          .select()
          .from(loans)
          .where(inArray(loans.demandId, [...ids]))
      : Promise.resolve([]),
  ofEnterprises: (db: Queryable, codes: readonly string[]): Promise<LoanRow[]> =>
    codes.length
      ? db
          .select()
          .from(loans)
          .where(inArray(loans.creditCode, [...codes]))
          .orderBy(desc(loans.disbursedOn), desc(loans.id))
      : Promise.resolve([]),
  async markReceived(db: Queryable, demandId: string, at: Date): Promise<LoanRow | undefined> {
    const [row] = await db
      .update(loans)
      .set({ receivedAt: at })
      .where(and(eq(loans.demandId, demandId), isNull(loans.receivedAt)))
      .returning();
    return row;
  },
};

export const limitSettingsStore = {
  /** The limits in force at `at`: the latest set at or before it. */
  async inForce(db: Queryable, at: Date): Promise<LimitSettingsRow> {
    const [row] = await db
      .select()
      .from(limitSettings)
      .where(lte(limitSettings.since, at))
      .orderBy(desc(limitSettings.since), desc(limitSettings.id))
      .limit(1);
    if (!row) throw new Error('financing.limit_settings has no row in force (migration 0003 seeds one)');
    return row;
  },
  async insert(db: Queryable, values: typeof limitSettings.$inferInsert): Promise<LimitSettingsRow> {
    const [row] = await db.insert(limitSettings).values(values).returning();
    if (!row) throw new Error('an insert returned no row');
    return row;
  },
};

/** Which limits an alert list shows: all (the regulator, the command office), an institution's clocks, or a branch's. */
export type LimitAlertScope = { kind: 'ALL' } | { kind: 'INSTITUTION'; institutionId: string } | { kind: 'BRANCH'; branchId: string };

function alertConditions(scope: LimitAlertScope, now: Date): SQL[] {
  const conditions: SQL[] = [isNull(demandLimits.metAt), isNull(demandLimits.endedAt), lte(demandLimits.warnAt, now)];
  if (scope.kind === 'INSTITUTION') conditions.push(eq(demandLimits.institutionId, scope.institutionId));
  if (scope.kind === 'BRANCH') conditions.push(eq(demandLimits.branchId, scope.branchId));
  return conditions;
}

/** The running limits near or past due (now ≥ warnAt), earliest due first, with their demands. */
export const limitAlertStore = {
  page(db: Queryable, scope: LimitAlertScope, now: Date, limit: number, after: { at: Date; id: number } | null) {
    const conditions = alertConditions(scope, now);
    if (after) {
      const later = or(gt(demandLimits.dueAt, after.at), and(eq(demandLimits.dueAt, after.at), gt(demandLimits.id, after.id)));
      if (later) conditions.push(later);
    }
    return db
      .select({ limit: demandLimits, demand: demands })
      .from(demandLimits)
      .innerJoin(demands, eq(demands.id, demandLimits.demandId))
      .where(and(...conditions))
      .orderBy(asc(demandLimits.dueAt), asc(demandLimits.id))
      .limit(limit);
  },
  count(db: Queryable, scope: LimitAlertScope, now: Date, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(demandLimits)
        .where(and(...alertConditions(scope, now))),
      limit,
    );
  },
};

/** What the return of lapsed holds reads and locks. */
export const lapseStore = {
  /** Demands whose holder let a contact or decision limit pass unmet by `now` (at most `limit`, earliest due first). */
  async lapsedHolds(db: Queryable, now: Date, limit: number, demandId?: string): Promise<string[]> {
    const rows = await db
      .select({ demandId: demandLimits.demandId })
      .from(demandLimits)
      .where(
        and(
          isNull(demandLimits.metAt),
          isNull(demandLimits.endedAt),
          inArray(demandLimits.kind, ['CONTACT', 'DECISION']),
          lte(demandLimits.dueAt, now),
          demandId ? eq(demandLimits.demandId, demandId) : undefined,
        ),
      )
      .orderBy(asc(demandLimits.dueAt), asc(demandLimits.demandId))
      .limit(limit);
    return [...new Set(rows.map((row) => row.demandId))];
  },
  /** The demand, locked — or undefined when another transaction holds it (it is being changed or returned there). */
  async lockUnlessBusy(db: Queryable, id: string): Promise<DemandRow | undefined> {
    const [row] = await db.select().from(demands).where(eq(demands.id, id)).for('update', { skipLocked: true });
    return row;
  },
};

/**
 * A statement drizzle builds once per database handle (a prepared query, its values given as
 * placeholders) instead of on every call: building a select of whole tables costs drizzle about a
 * millisecond of CPU at each call (`claimBasis`: four tables, 70 columns) — as much as the rest of a
 * claim's work — and a race asks it 57 times at one instant.
 */
function builtOnce<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = build(db)));
    return query;
  };
}

const claimBasisQuery = builtOnce((db) =>
  db
    .select({ institution: institutions, demand: demands, route: demandRoutes, branch: branches })
    .from(institutions)
    .leftJoin(demands, eq(demands.id, sql.placeholder('demandId')))
    .leftJoin(
      demandRoutes,
      and(eq(demandRoutes.demandId, sql.placeholder('demandId')), eq(demandRoutes.institutionId, sql.placeholder('institutionId'))),
    )
    // No branch named: null, which equals nothing.
    .leftJoin(branches, eq(branches.id, sql.placeholder('branchId')))
    .where(eq(institutions.id, sql.placeholder('institutionId')))
    .prepare('financing_claim_basis'),
);

const offeredInQuery = builtOnce((db) =>
  db
    .select(productColumns)
    .from(products)
    .where(
      and(
        ...productConditions({ includeSuspended: false }),
        sql`${products.districtCodes} @> array[${sql.placeholder('districtCode')}]::text[]`,
      ),
    )
    .orderBy(asc(products.createdAt), asc(products.id))
    .prepare('financing_offered_in'),
);

/** Credit records, the bases gathered under consent, frozen reports and their reads (the credit report). */
export const creditStore = {
  /** Inserts the records not there yet (by source and reference); returns those inserted. */
  async insertRecords(db: Queryable, rows: CreditRecordValues[]): Promise<{ source: string; externalRef: string }[]> {
    const added: { source: string; externalRef: string }[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const done = await db
        .insert(creditRecords)
        .values(rows.slice(i, i + 500))
        .onConflictDoNothing()
        .returning({ source: creditRecords.source, externalRef: creditRecords.externalRef });
      added.push(...done);
    }
    return added;
  },
  /** The records these (source, reference) pairs name. */
  recordsByKeys: (db: Queryable, keys: readonly { source: string; externalRef: string }[]): Promise<CreditRecordRow[]> =>
    keys.length
      ? db
          .select()
          .from(creditRecords)
          .where(or(...keys.map((key) => and(eq(creditRecords.source, key.source), eq(creditRecords.externalRef, key.externalRef)))))
      : Promise.resolve([]),
  /** An enterprise's records, newest first (the report orders them by category itself). */
  recordsOf: (db: Queryable, creditCode: string): Promise<CreditRecordRow[]> =>
    db
      .select()
      .from(creditRecords)
      .where(eq(creditRecords.creditCode, creditCode))
      .orderBy(desc(creditRecords.recordedOn), asc(creditRecords.source), asc(creditRecords.externalRef)),
  async insertBasis(db: Queryable, values: typeof reportBases.$inferInsert): Promise<void> {
    await db.insert(reportBases).values(values).onConflictDoNothing();
  },
  async basisOf(db: Queryable, demandId: string): Promise<ReportBasisRow | undefined> {
    const [row] = await db.select().from(reportBases).where(eq(reportBases.demandId, demandId));
    return row;
  },
  /** The demand, locked against a change of holder or state until the transaction ends (reads of it go on). */
  async shareDemand(db: Queryable, id: string): Promise<DemandRow | undefined> {
    const [row] = await db.select().from(demands).where(eq(demands.id, id)).for('share');
    return row;
  },
  async report(db: Queryable, demandId: string, institutionId: string): Promise<CreditReportRow | undefined> {
    const [row] = await db
      .select()
      .from(creditReports)
      .where(and(eq(creditReports.demandId, demandId), eq(creditReports.institutionId, institutionId)));
    return row;
  },
  /** Freezes a report; undefined when another first read froze one for the same demand and institution meanwhile. */
  async insertReport(db: Queryable, values: typeof creditReports.$inferInsert): Promise<CreditReportRow | undefined> {
    const [row] = await db.insert(creditReports).values(values).onConflictDoNothing().returning();
    return row;
  },
  async insertRead(db: Queryable, values: typeof creditReportReads.$inferInsert): Promise<void> {
    await db.insert(creditReportReads).values(values);
  },
  /** An enterprise's report reads, newest first (at desc, id desc), after the cursor's row. */
  readsPage(db: Queryable, creditCode: string, limit: number, after: { at: Date; id: number } | null): Promise<CreditReportReadRow[]> {
    const conditions: SQL[] = [eq(creditReportReads.creditCode, creditCode)];
    if (after) {
      const earlier = or(lt(creditReportReads.at, after.at), and(eq(creditReportReads.at, after.at), lt(creditReportReads.id, after.id)));
      if (earlier) conditions.push(earlier);
    }
    return db
      .select({ ...getTableColumns(creditReportReads), reportHash: creditReports.hash })
      .from(creditReportReads)
      .innerJoin(creditReports, eq(creditReports.id, creditReportReads.reportId))
      .where(and(...conditions))
      .orderBy(desc(creditReportReads.at), desc(creditReportReads.id))
      .limit(limit);
  },
  readsCount(db: Queryable, creditCode: string, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(creditReportReads)
        .where(eq(creditReportReads.creditCode, creditCode)),
      limit,
    );
  },
};
/** The column of each kept part. */
const partColumn = (name: keyof FigureParts) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** An array literal as ONE parameter (drizzle would expand a JS array into a list of parameters): strings quoted, numbers as they are. */
const literalArray = (values: readonly (string | number | null)[]) =>
  `{${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
/** A text[] parameter. */
const textArray = (values: readonly string[]) => sql`${literalArray(values)}::text[]`;

export const figureStore = {
  /**
   * The limits of a demand stopped at or after their due time (met late, or lapsed) not recorded
   * yet: recorded now (limit_lateness, append-only), and answered so the figures count each once.
   */
  async recordLateness(
    db: Queryable,
    demandId: string,
  ): Promise<{ institutionId: string | null; branchId: string | null; stoppedAt: Date }[]> {
    const result = await db.execute(sql`
      insert into ${limitLateness} (limit_id, demand_id, kind, institution_id, branch_id, due_at, stopped_at)
      select id, demand_id, kind, institution_id, branch_id, due_at, coalesce(met_at, ended_at)
        from ${demandLimits}
       where demand_id = ${demandId} and coalesce(met_at, ended_at) >= due_at
       order by id
      on conflict (limit_id) do nothing
      returning institution_id as "institutionId", branch_id as "branchId", stopped_at as "stoppedAt"`);
    return rowsOf<{ institutionId: string | null; branchId: string | null; stoppedAt: Date | string }>(result).map((row) => ({
      ...row,
      stoppedAt: new Date(row.stoppedAt),
    }));
  },
  /** The institutions (and branches) a demand was routed to. */
  routesOf: (db: Queryable, demandId: string) =>
    db
      .select({ institutionId: demandRoutes.institutionId, branchId: demandRoutes.branchId })
      .from(demandRoutes)
      .where(eq(demandRoutes.demandId, demandId))
      .orderBy(asc(demandRoutes.institutionId)),
  /**
   * Adds the changes to the kept rows of their day, of their month and of all time (figure_totals,
   * whose version each change moves), the city's rows first (figures.ts `mergeChanges`) — in one
   * statement: the daily and all-time upserts are data-modifying WITHs that the monthly upsert does
   * not read, so PostgreSQL runs them to completion after the monthly one — every step's statement
   * locks the month's rows first, each city's row first.
   *
   * The rows go as one array per column (`unnest`), so the statement's text is the same whatever the
   * number of rows (PostgreSQL keeps it prepared) and drizzle builds it from 25 values, not 22 a row
   * (a demand routed to 57 institutions and their branches changes some 120 rows of each table).
   */
  async apply(db: Queryable, changes: FigureChange[], values: ValueChange[]): Promise<void> {
    const columns = PART_NAMES.map(partColumn);
    const counts = (list: number[], length: number) => `{${Array.from({ length }, (_, i) => list[i] ?? 0).join(',')}}`;
    const upserts: SQL[] = [];
    for (const [table, name, periodColumn, period] of [
      [figuresMonthly, 'figures_monthly', 'month', monthOf],
      [figures, 'figures', 'day', (day: string) => day],
      [figureTotals, 'figure_totals', null, () => ''],
    ] as const) {
      const rows = mergeChanges(changes, values, period);
      if (!rows.length) continue;
      const given = [
        sql`${literalArray(rows.map((row) => row.dimension))}::text[]`,
        sql`${literalArray(rows.map((row) => row.key))}::text[]`,
        ...(periodColumn ? [sql`${literalArray(rows.map((row) => row.day))}::date[]`] : []),
        ...PART_NAMES.map((part) => sql`${literalArray(rows.map((row) => row.parts[part] ?? 0))}::bigint[]`),
        sql`${literalArray(rows.map((row) => counts(row.claimBands, CLAIM_BANDS.length)))}::text[]`,
        sql`${literalArray(rows.map((row) => counts(row.decisionDays, DECISION_DAYS)))}::text[]`,
      ];
      const periodColumns = periodColumn ? [periodColumn] : [];
      const into = ['dimension', 'key', ...periodColumns, ...columns, 'claim_bands', 'decision_days'];
      const selected = ['d::financing.figure_dimension', 'k', ...periodColumns, ...columns, 'cb::int[]', 'dd::int[]'];
      const named = ['d', 'k', ...periodColumns, ...columns, 'cb', 'dd'];
      // Counts per band added element by element (a row kept before a band existed is padded with zeros).
      const addCounts = (column: string) =>
        `${column} = array(select coalesce(a, 0) + coalesce(b, 0) from unnest(${name}.${column}, excluded.${column}) as t(a, b))`;
      const sets = [
        ...columns.map((column) => `${column} = ${name}.${column} + excluded.${column}`),
        addCounts('claim_bands'),
        addCounts('decision_days'),
      ];
      if (!periodColumn) sets.push(`version = ${name}.version + 1`);
      upserts.push(sql`
        insert into ${table} (${sql.raw(into.join(', '))})
        select ${sql.raw(selected.join(', '))} from unnest(${sql.join(given, sql`, `)}) as t(${sql.raw(named.join(', '))})
        on conflict (${sql.raw([...periodColumns, 'dimension', 'key'].join(', '))}) do update set ${sql.raw(sets.join(', '))}`);
    }
    const [monthly, daily, totals] = upserts;
    if (!monthly || !daily || !totals) return;
    await db.execute(sql`with daily as (${daily}), totals as (${totals}) ${monthly}`);
  },
  /**
   * The figures of every group asked for, in ONE statement, whatever the number of institutions and
   * branches: the groups (the city; the institutions and branches from this slice's tables — one
   * institution's own, for its staff; the districts and categories given), the kept rows of the
   * period summed per group (whole months from the monthly tables, the days at either edge from the
   * daily ones; all time: the all-time rows), with the counts per band the medians are read from,
   * and each group's version (figure_totals: every change of its figures moves it).
   *
   * Given an answer the caller keeps (`known`: the groups' mark and the versions it was computed
   * at), the same statement computes only the groups whose version moved — after a step, the few it
   * counted under — and answers only those; nothing when none moved. Whenever the groups themselves
   * changed (`GROUPS_MARK`: an institution or branch added or edited), every group comes back.
   * Versions and figures are read in one snapshot, so an unchanged version is unchanged figures.
   */
  async stats(
    db: Queryable,
    scope: StatsScope,
    days: { from: string; to: string } | null,
    known: KnownStats | null = null,
  ): Promise<StatsRow[]> {
    const own = scope.kind === 'INSTITUTION' ? scope.institutionId : null;
    const groups: SQL[] = [];
    if (!own) groups.push(sql`select 'CITY'::text as dimension, '' as key, '全市' as name`);
    groups.push(
      sql`select 'INSTITUTION', i.id::text, i.name from ${institutions} i ${own ? sql`where i.id = ${own}` : sql``}`,
      sql`select 'BRANCH', b.id::text, b.name from ${branches} b ${own ? sql`where b.institution_id = ${own}` : sql``}`,
    );
    if (scope.kind === 'ALL') {
      groups.push(
        sql`select 'DISTRICT', d.key, d.name from unnest(${textArray(scope.districts.map((d) => d.key))}, ${textArray(scope.districts.map((d) => d.name))}) as d(key, name)`,
        sql`select 'CATEGORY', c.key, c.name from unnest(${textArray(scope.categories.map((c) => c.key))}, ${textArray(scope.categories.map((c) => c.name))}) as c(key, name)`,
      );
    }
    const ranges = days ? keptRanges(days) : null;
    const columns = PART_NAMES.map(partColumn);
    const keptColumns = `${columns.join(', ')}, claim_bands, decision_days`;
    // The group's kept rows of the period, read by its index (dimension, key, …): after a step only
    // the few groups it moved are read, not every row of the period.
    const ofGroup = sql`dimension = g.dimension::financing.figure_dimension and key = g.key`;
    const kept = [
      !ranges
        ? sql`select ${sql.raw(keptColumns)} from ${figureTotals} where ${ofGroup}`
        : ranges.months
          ? sql`select ${sql.raw(keptColumns)} from ${figuresMonthly} where ${ofGroup} and month >= ${ranges.months.from}::date and month < ${ranges.months.until}::date`
          : null,
      ...(ranges?.days ?? []).map(
        (range) =>
          sql`select ${sql.raw(keptColumns)} from ${figures} where ${ofGroup} and day >= ${range.from}::date and day < ${range.until}::date`,
      ),
    ].filter((part): part is SQL => part !== null);
    const versions = known?.versions ?? [];
    const result = await db.execute(sql`
      with mark as (select ${GROUPS_MARK} as mark),
      grp(dimension, key, name) as (${sql.join(groups, sql` union all `)}),
      known(dimension, key, version) as (
        select * from unnest(${textArray(versions.map((v) => v.dimension))}, ${textArray(versions.map((v) => v.key))},
          ${literalArray(versions.map((v) => v.version))}::bigint[])
      ),
      todo as (
        select g.dimension, g.key, g.name, v.version
        from grp g
        left join ${figureTotals} v on v.dimension::text = g.dimension and v.key = g.key
        left join known k on k.dimension = g.dimension and k.key = g.key
        where (select mark from mark) is distinct from ${known?.mark ?? null}::text or k.version is distinct from v.version
      )
      select (select mark from mark) as mark, g.dimension, g.key, g.name, g.version, k.*
      from todo g
      cross join lateral (
        select ${sql.raw(columns.map((c) => `coalesce(sum(f.${c}::float8), 0) as ${c}`).join(', '))},
          array[${sql.raw(CLAIM_BANDS.map((_, i) => `coalesce(sum(f.claim_bands[${i + 1}]), 0)`).join(', '))}]::float8[] as claim_bands,
          array[${sql.raw(Array.from({ length: DECISION_DAYS }, (_, i) => `coalesce(sum(f.decision_days[${i + 1}]), 0)`).join(', '))}]::float8[] as decision_days
        from (${sql.join(kept, sql` union all `)}) f
      ) k
      order by g.dimension, g.name, g.key`);
    return rowsOf<Record<string, unknown>>(result).map((row) => ({
      mark: String(row.mark),
      dimension: row.dimension as Dimension,
      key: String(row.key),
      name: String(row.name),
      version: row.version === null || row.version === undefined ? null : Number(row.version),
      parts: Object.fromEntries(PART_NAMES.map((name) => [name, Number(row[partColumn(name)])])) as unknown as FigureParts,
      claimBands: numbers(row.claim_bands),
      decisionDays: numbers(row.decision_days),
    }));
  },
};

/**
 * What the groups are at, in one short read: it changes with every commit that adds or edits an
 * institution or branch (its table's count or its versions move) — a new group, or a name changed.
 * The figures themselves are followed by the groups' versions (figure_totals).
 */
const GROUPS_MARK = sql`(
  (select count(*) || '.' || coalesce(sum(version), 0) from ${institutions})
  || ':' || (select count(*) || '.' || coalesce(sum(version), 0) from ${branches}))`;

/** A float8[] as the driver answers it: an array, or its text form. */
function numbers(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(Number);
  const text = String(value).replace(/^\{|\}$/g, '');
  return text ? text.split(',').map(Number) : [];
}

/** Whose figures: every group (with the districts and categories to list, and their names), or one institution's own. */
export type StatsScope =
  | { kind: 'ALL'; districts: { key: string; name: string }[]; categories: { key: string; name: string }[] }
  | { kind: 'INSTITUTION'; institutionId: string };

/** An answer kept: the groups' mark and the version of each group's figures it was computed at. */
export interface KnownStats {
  mark: string;
  versions: { dimension: Dimension; key: string; version: number | null }[];
}

export interface StatsRow {
  /** The groups' mark the row was read at (GROUPS_MARK). */
  mark: string;
  dimension: Dimension;
  /** The version of the group's figures (figure_totals); null while nothing was ever counted under it. */
  version: number | null;
  key: string;
  name: string;
  parts: FigureParts;
  /** Holds per band of minutes to claim, decisions per number of working days (figures.ts), summed. */
  claimBands: number[];
  decisionDays: number[];
}

// ───────────── notices (issue #25 §3) ─────────────

/** The notice tables of the slice (db/outbox.ts), as the kit's outbox and this slice's sweep use them. */
export const financingOutbox: OutboxTables = { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts };

/** A running limit that reached its warning time (80%) or its due time, as the sweep finds it. */
export interface PassedLimit {
  id: number;
  demandId: string;
  kind: LimitRow['kind'];
  institutionId: string | null;
  branchId: string | null;
  dueAt: Date;
  enterpriseName: string;
  amount: number;
  passed: 'WARNING' | 'OVERDUE';
}

export const noticeStore = {
  /**
   * Running limits (neither met nor ended) of demands not sampled that reached their warning time
   * or their due time in the last `days` days and have no such event yet: what the sweep emits,
   * once each (by its once key).
   */
  async limitsPassed(db: Queryable, now: Date, days = 7): Promise<PassedLimit[]> {
    const at = now.toISOString();
    const rows = rowsOf<PassedLimit>(
      await db.execute(sql`select l.id as "id", l.demand_id as "demandId", l.kind as "kind", l.institution_id as "institutionId",
          l.branch_id as "branchId", l.due_at as "dueAt", d.enterprise_name as "enterpriseName", d.amount as "amount", k.passed as "passed"
        from ${demandLimits} l join ${demands} d on d.id = l.demand_id
        cross join lateral (select case when l.due_at <= ${at}::timestamptz then 'OVERDUE' else 'WARNING' end as passed) k
        where l.met_at is null and l.ended_at is null and not d.sample
          and (case k.passed when 'OVERDUE' then l.due_at else l.warn_at end) <= ${at}::timestamptz
          and (case k.passed when 'OVERDUE' then l.due_at else l.warn_at end) > ${at}::timestamptz - make_interval(days => ${days})
          and not exists (select 1 from ${outboxEvents} e where e.once_key = 'limit:' || l.id || ':' || k.passed)
        order by l.id limit 500`),
    );
    return rows.map((row) => ({ ...row, id: Number(row.id), amount: Number(row.amount), dueAt: new Date(row.dueAt) }));
  },
};
