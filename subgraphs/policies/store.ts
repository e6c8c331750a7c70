/**
 * Data access of the policies subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so a use case can compose them in one transaction.
 */
import { and, asc, desc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { lockKey, rowsOf, type Queryable } from '../../db/client.ts';
import { beijingDate, keptRanges } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import { countUpTo, type CountLimit, type ListCount } from '../../platform/pagination.ts';
import {
  applicationFeed,
  applicationEvents,
  applications,
  cycleFigures,
  cycleFiguresMonthly,
  objectionMarks,
  limitOutcomes,
  objections,
  policies,
  policyComments,
  policyFigures,
  policyFiguresMonthly,
  policyEvents,
  policyInterpretations,
  policyItems,
  policyNews,
  policyNotices,
  policyRevisions,
  serviceReviews,
  noticeSettings,
  notices,
  outboxDeliveries,
  outboxEvents,
  outboxWebhooks,
  smsDailyCounts,
} from '../../db/policies.ts';
import type { OutboxTables } from '../../db/outbox.ts';
import type { CriterionResult } from './eligibility.ts';
import { documentNumberKeySql, type SearchQuery } from '../../platform/search-text.ts';

/**
 * Rows as the slice reads them: without the term vectors, which only the database reads (they are
 * the largest columns, and reading a row should not decompress them), nor the search rank's lengths.
 */
const { headTerms: _policyHead, bodyTerms: _policyBody, titleLength: _policyRank, ...policyColumns } = getTableColumns(policies);
const { headTerms: _itemHead, bodyTerms: _itemBody, nameLength: _itemRank, ...itemColumns } = getTableColumns(policyItems);
const { headTerms: _newsHead, bodyTerms: _newsBody, titleLength: _newsRank, ...newsColumns } = getTableColumns(policyNews);
type WithoutTerms<T> = Omit<T, 'headTerms' | 'bodyTerms' | 'titleLength' | 'nameLength'>;

export type PolicyRow = WithoutTerms<typeof policies.$inferSelect>;
export type NewPolicy = typeof policies.$inferInsert;
export type RevisionRow = typeof policyRevisions.$inferSelect;
export type InterpretationRow = typeof policyInterpretations.$inferSelect;
export type CommentRow = typeof policyComments.$inferSelect;
export type PolicyEventRow = typeof policyEvents.$inferSelect;
export type ItemRow = WithoutTerms<typeof policyItems.$inferSelect>;
export type NewItem = typeof policyItems.$inferInsert;
export type NewsRow = WithoutTerms<typeof policyNews.$inferSelect>;
export type NoticeRow = typeof policyNotices.$inferSelect;
export type ApplicationRow = typeof applications.$inferSelect;
export type NewApplication = typeof applications.$inferInsert;
export type ApplicationEventRow = typeof applicationEvents.$inferSelect;
export type ObjectionMarkRow = typeof objectionMarks.$inferSelect;
/** An objection with its mark, if the reviewing unit set it aside as a duplicate or as abuse. */
export type ObjectionRow = typeof objections.$inferSelect & { mark: ObjectionMarkRow | null };
/** Still to be answered: neither answered nor marked. Such an objection holds up the payment. */
export const isOpenObjection = (objection: ObjectionRow) => objection.answer === null && objection.mark === null;
export type LimitOutcomeRow = typeof limitOutcomes.$inferSelect;
export type NewLimitOutcome = typeof limitOutcomes.$inferInsert;
export type ReviewRow = typeof serviceReviews.$inferSelect;

/** Where a text search matched a row; the resolvers highlight from it. */
export interface SearchHit {
  tier: 'HEADING' | 'BODY';
  /** The place within the tier (the cursor carries it): a heading's length, shorter first; 0 in the body tier. */
  rank: number;
  query: SearchQuery;
}
export type PolicyNode = PolicyRow & { search?: SearchHit };
export type ItemNode = ItemRow & { search?: SearchHit };
export type NewsNode = NewsRow & { search?: SearchHit };
export type MatchNode = { item: ItemRow; results: CriterionResult[]; missing: number };
export type StepNode = ApplicationEventRow & { workingDays: number | null; limits: LimitOutcomeRow[] };
export type GrantRunNode = {
  item: ItemRow;
  eligible: number;
  created: number;
  alreadyGranted: number;
  noticeEndsOn: string;
  provisional: boolean;
};

/** Entities owned by other slices, as this slice refers to them. */
export type UnitReference = { id: string };
export type DomainReference = { code: string };
export type EnterpriseReference = { creditCode: string };
export type DistrictReference = { code: string };

/** A timestamptz parameter for raw SQL. */
const instantParam = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;
/** A uuid[] / text[] parameter (drizzle would expand a JS array into a list of parameters). */
const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;
const textArray = (values: readonly string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

// ───────────── lists: keyset pages, optionally ranked by a text search ─────────────

/** Where a page continues: the tier ('H' heading, 'B' body, '-' no search), the rank within it, the sort key and the id. */
export interface ListCursor {
  tier: 'H' | 'B' | '-';
  rank: number;
  key: string;
  id: string;
}

interface ListShape {
  table: PgTable;
  columns: Record<string, PgColumn>;
  head: PgColumn;
  body: PgColumn;
  /**
   * The title's (or name's) length, kept in the row: of two headings that match, the shorter is
   * more about the query. Indexed with the sort key and the id, in the heading tier's order.
   */
  rank: PgColumn;
  /** The document number, where a query can name one (platform/search-text.ts, `documentNumber`). */
  documentNumber?: PgColumn;
  /** Sorted newest first, then by id. */
  key: PgColumn;
  keyType: 'date' | 'timestamptz';
  id: PgColumn;
}

const shapes = {
  policies: {
    table: policies,
    columns: policyColumns,
    head: policies.headTerms,
    body: policies.bodyTerms,
    rank: policies.titleLength,
    documentNumber: policies.documentNumber,
    key: policies.issuedOn,
    keyType: 'date' as const,
    id: policies.id,
  },
  items: {
    table: policyItems,
    columns: itemColumns,
    head: policyItems.headTerms,
    body: policyItems.bodyTerms,
    rank: policyItems.nameLength,
    key: policyItems.sortAt,
    keyType: 'timestamptz' as const,
    id: policyItems.id,
  },
  news: {
    table: policyNews,
    columns: newsColumns,
    head: policyNews.headTerms,
    body: policyNews.bodyTerms,
    rank: policyNews.titleLength,
    key: policyNews.publishedAt,
    keyType: 'timestamptz' as const,
    id: policyNews.id,
  },
} satisfies Record<string, ListShape>;

/** A search's rows: its anchors from the GIN index, the rest of its words checked on those rows (platform/search-text.ts). */
const matches = (column: PgColumn, query: SearchQuery) =>
  query.anchors === query.tsquery
    ? sql`${column} @@ ${query.tsquery}::tsquery`
    : sql`(${column} @@ ${query.anchors}::tsquery and ts_match_vq(${column}, ${query.tsquery}::tsquery))`;
const before = (shape: ListShape, cursor: ListCursor) =>
  sql`(${shape.key}, ${shape.id}) < (${cursor.key}::${sql.raw(shape.keyType)}, ${cursor.id}::uuid)`;
/**
 * A heading match: the heading's terms; for a query that is a document number, the number itself
 * too, exactly (青政发〔2024〕5号 is not 青政发〔2024〕15号 with a 5 elsewhere in its heading), ignoring
 * how its year's brackets were written and what follows 号 (“（样例）”). The other rows the terms
 * find follow in the body tier.
 */
const headingMatch = (shape: ListShape, query: SearchQuery) =>
  query.documentNumber && shape.documentNumber
    ? sql`(${matches(shape.head, query)} and coalesce(starts_with(${sql.raw(documentNumberKeySql(`"${shape.documentNumber.name}"`))}, ${query.documentNumber}), false))`
    : matches(shape.head, query);

/**
 * One page of a list. Without a search: newest first. With one: rows whose heading matches first,
 * the shorter title first, then rows matching only in the body, each newest first — two
 * index-served queries, the second only when the first does not fill the page, so a common word
 * costs no more than a rare one. The rank is the title's length, kept in the row (the title itself
 * is out of line) and indexed with the sort key: a common word's first page is read in rank order,
 * checking the heading's terms row by row, a rarer one's matches are found in the GIN index and
 * ranked; the planner picks by the word's frequency.
 *
 * The planner does not see that evaluating `@@` on a row reads its term vector (compressed, the
 * body's out of line) while the GIN index answers without it; for a common word it would rather
 * read every row. A search's statements therefore run with sequential scans off, for their own
 * transaction only.
 */
async function listPage<Row>(
  db: Queryable,
  shape: ListShape,
  conditions: SQL[],
  tsquery: SearchQuery | null,
  limit: number,
  after: ListCursor | null,
): Promise<{ row: Row; tier: ListCursor['tier']; rank: number }[]> {
  type Select = { where(c: SQL | undefined): { orderBy(...o: SQL[]): { limit(n: number): Promise<(Row & { _rank?: number })[]> } } };
  const select = (q: Queryable, where: SQL[], n: number, rank?: SQL<number>) =>
    (
      (rank ? q.select({ ...shape.columns, _rank: rank }) : q.select(shape.columns)).from(
        shape.table as typeof policies,
      ) as unknown as Select
    )
      .where(and(...where))
      .orderBy(...(rank ? [asc(rank)] : []), desc(shape.key), desc(shape.id))
      .limit(n);
  if (!tsquery) {
    const rows = await select(db, [...conditions, ...(after ? [before(shape, after)] : [])], limit);
    return rows.map((row) => ({ row, tier: '-', rank: 0 }));
  }
  return withIndexScans(db, async (tx) => {
    const found: { row: Row; tier: ListCursor['tier']; rank: number }[] = [];
    if (!after || after.tier === 'H') {
      const rank = sql<number>`${shape.rank}`;
      const further = after ? [sql`(${rank} > ${after.rank} or (${rank} = ${after.rank} and ${before(shape, after)}))`] : [];
      const heading = await select(tx, [...conditions, headingMatch(shape, tsquery), ...further], limit, rank);
      for (const { _rank, ...row } of heading) found.push({ row: row as Row, tier: 'H', rank: Number(_rank) });
    }
    if (found.length < limit) {
      const body = await select(
        tx,
        [
          ...conditions,
          matches(shape.body, tsquery),
          sql`not ${headingMatch(shape, tsquery)}`,
          ...(after?.tier === 'B' ? [before(shape, after)] : []),
        ],
        limit - found.length,
      );
      for (const row of body) found.push({ row, tier: 'B', rank: 0 });
    }
    return found;
  });
}

/** Runs a search's statements with sequential scans off, for this transaction only (see listPage). */
function withIndexScans<T>(db: Queryable, run: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    return run(tx);
  });
}

/**
 * How many rows a list has (a search's count, like its page, served by the index): exact up to
 * the limit, an estimate (marked) above it (pagination.ts countUpTo).
 */
function listCount(db: Queryable, shape: ListShape, conditions: SQL[], tsquery: SearchQuery | null, limit: CountLimit): Promise<ListCount> {
  const where = and(...conditions, ...(tsquery ? [matches(shape.body, tsquery)] : []));
  const count = (q: Queryable) =>
    countUpTo(
      q,
      q
        .select({ one: sql`1` })
        .from(shape.table as typeof policies)
        .where(where),
      limit,
    );
  return tsquery ? withIndexScans(db, count) : count(db);
}

// ───────────── policies ─────────────

export interface PolicyListQuery {
  /** Drafts of this unit are visible too; 'all' for the command office; null for nobody's drafts. */
  draftsOf: string | 'all' | null;
  text: SearchQuery | null;
  statuses: ('DRAFT' | 'CONSULTATION' | 'PUBLISHED' | 'REPEALED' | 'EXPIRED')[] | null;
  level?: PolicyRow['level'] | null;
  issuingUnitId?: string | null;
  environment?: PolicyRow['environment'] | null;
  districtCode?: string | null;
  validOn?: string | null;
  issuedFrom?: string | null;
  issuedTo?: string | null;
  today: string;
}

function policyConditions(q: PolicyListQuery): SQL[] {
  const c: SQL[] = [];
  if (q.draftsOf === null) c.push(sql`${policies.status} <> 'DRAFT'`);
  else if (q.draftsOf !== 'all') c.push(sql`(${policies.status} <> 'DRAFT' or ${policies.issuingUnitId} = ${q.draftsOf}::uuid)`);
  if (q.statuses?.length) {
    const inForce = sql`(${policies.validUntil} is null or ${policies.validUntil} >= ${q.today}::date)`;
    const parts = q.statuses.map((status) => {
      if (status === 'PUBLISHED') return sql`(${policies.status} = 'PUBLISHED' and ${inForce})`;
      if (status === 'EXPIRED') return sql`(${policies.status} = 'PUBLISHED' and not ${inForce})`;
      return sql`${policies.status} = ${status}`;
    });
    c.push(present(or(...parts), 'the conditions of a non-empty list'));
  }
  if (q.level) c.push(eq(policies.level, q.level));
  if (q.issuingUnitId) c.push(eq(policies.issuingUnitId, q.issuingUnitId));
  if (q.environment) c.push(eq(policies.environment, q.environment));
  if (q.districtCode) c.push(eq(policies.districtCode, q.districtCode));
  if (q.validOn)
    c.push(
      sql`${policies.validFrom} <= ${q.validOn}::date and (${policies.validUntil} is null or ${policies.validUntil} >= ${q.validOn}::date)`,
    );
  if (q.issuedFrom) c.push(gte(policies.issuedOn, q.issuedFrom));
  if (q.issuedTo) c.push(lte(policies.issuedOn, q.issuedTo));
  return c;
}

export const policyStore = {
  async get(db: Queryable, id: string): Promise<PolicyRow | undefined> {
    const [row] = await db.select(policyColumns).from(policies).where(eq(policies.id, id));
    return row;
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<PolicyRow[]> {
    return db
      .select(policyColumns)
      .from(policies)
      .where(inArray(policies.id, [...ids]));
  },
  async insert(db: Queryable, values: NewPolicy): Promise<PolicyRow> {
    const [row] = await db.insert(policies).values(values).returning(policyColumns);
    return present(row, 'the row just written');
  },
  /** Writes only if nobody changed the policy since `version` was read. */
  async update(db: Queryable, id: string, version: number, values: Partial<NewPolicy>): Promise<PolicyRow | undefined> {
    const [row] = await db
      .update(policies)
      .set({ ...values, version: sql`${policies.version} + 1` })
      .where(and(eq(policies.id, id), eq(policies.version, version)))
      .returning(policyColumns);
    return row;
  },
  page: (db: Queryable, q: PolicyListQuery, limit: number, after: ListCursor | null) =>
    listPage<PolicyRow>(db, shapes.policies, policyConditions(q), q.text, limit, after),
  count: (db: Queryable, q: PolicyListQuery, limit: CountLimit) => listCount(db, shapes.policies, policyConditions(q), q.text, limit),
  /** The issuing unit's policies' items follow the policy's own fields (they are repeated there for search filters). */
  async syncItems(db: Queryable, policy: PolicyRow): Promise<void> {
    await db.update(policyItems).set({ environment: policy.environment }).where(eq(policyItems.policyId, policy.id));
  },
};

export const revisionStore = {
  async insert(db: Queryable, values: typeof policyRevisions.$inferInsert): Promise<void> {
    await db.insert(policyRevisions).values(values);
  },
  async supersede(db: Queryable, policyId: string, revision: number, at: Date): Promise<void> {
    await db
      .update(policyRevisions)
      .set({ supersededAt: at })
      .where(and(eq(policyRevisions.policyId, policyId), eq(policyRevisions.revision, revision)));
  },
  byPolicyIds(db: Queryable, ids: readonly string[]): Promise<RevisionRow[]> {
    return db
      .select()
      .from(policyRevisions)
      .where(inArray(policyRevisions.policyId, [...ids]))
      .orderBy(asc(policyRevisions.revision));
  },
};

export const interpretationStore = {
  async insert(db: Queryable, values: typeof policyInterpretations.$inferInsert): Promise<InterpretationRow> {
    const [row] = await db.insert(policyInterpretations).values(values).returning();
    return present(row, 'the row just written');
  },
  byPolicyIds(db: Queryable, ids: readonly string[]): Promise<InterpretationRow[]> {
    return db
      .select()
      .from(policyInterpretations)
      .where(inArray(policyInterpretations.policyId, [...ids]))
      .orderBy(asc(policyInterpretations.createdAt), asc(policyInterpretations.id));
  },
};

export const commentStore = {
  async insert(db: Queryable, values: typeof policyComments.$inferInsert): Promise<CommentRow> {
    const [row] = await db.insert(policyComments).values(values).returning();
    return present(row, 'the row just written');
  },
  async lock(db: Queryable, id: string): Promise<CommentRow | undefined> {
    const [row] = await db.select().from(policyComments).where(eq(policyComments.id, id)).for('update');
    return row;
  },
  async answer(
    db: Queryable,
    id: string,
    values: { answer: string; adopted: boolean; answeredAt: Date; answeredBy: string },
  ): Promise<CommentRow> {
    const [row] = await db.update(policyComments).set(values).where(eq(policyComments.id, id)).returning();
    return present(row, 'the row just written');
  },
  byPolicyIds(db: Queryable, ids: readonly string[]): Promise<CommentRow[]> {
    return db
      .select()
      .from(policyComments)
      .where(inArray(policyComments.policyId, [...ids]))
      .orderBy(asc(policyComments.createdAt), asc(policyComments.id));
  },
  async unanswered(db: Queryable, policyId: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(policyComments)
      .where(and(eq(policyComments.policyId, policyId), sql`${policyComments.answer} is null`));
    return row?.n ?? 0;
  },
};

export const policyEventStore = {
  /** Appends the event; returns its id. */
  async append(db: Queryable, event: typeof policyEvents.$inferInsert): Promise<number> {
    const [row] = await db.insert(policyEvents).values(event).returning({ id: policyEvents.id });
    return present(row, 'the event just appended').id;
  },
  byPolicyIds(db: Queryable, ids: readonly string[]): Promise<PolicyEventRow[]> {
    return db
      .select()
      .from(policyEvents)
      .where(inArray(policyEvents.policyId, [...ids]))
      .orderBy(asc(policyEvents.id));
  },
};

// ───────────── items ─────────────

export interface ItemListQuery {
  /** Unpublished items of this unit (issuing or reviewing) are visible too; 'all' for the command office. */
  draftsOf: string | 'all' | null;
  text: SearchQuery | null;
  statuses: ItemRow['status'][] | null;
  policyId?: string | null;
  kind?: ItemRow['kind'] | null;
  automatic?: boolean | null;
  openNow?: boolean | null;
  reviewingUnitId?: string | null;
  issuingUnitId?: string | null;
  level?: ItemRow['level'] | null;
  environment?: ItemRow['environment'] | null;
  today: string;
}

const windowOpen = (today: string) =>
  sql`(${policyItems.status} = 'PUBLISHED' and (${policyItems.opensOn} is null or ${policyItems.opensOn} <= ${today}::date) and (${policyItems.closesOn} is null or ${policyItems.closesOn} >= ${today}::date))`;

function itemConditions(q: ItemListQuery): SQL[] {
  const c: SQL[] = [];
  if (q.draftsOf === null) c.push(sql`${policyItems.status} <> 'DRAFT'`);
  else if (q.draftsOf !== 'all') {
    c.push(
      sql`(${policyItems.status} <> 'DRAFT' or ${policyItems.issuingUnitId} = ${q.draftsOf}::uuid or ${policyItems.reviewingUnitId} = ${q.draftsOf}::uuid)`,
    );
  }
  if (q.statuses?.length) c.push(inArray(policyItems.status, q.statuses));
  if (q.policyId) c.push(eq(policyItems.policyId, q.policyId));
  if (q.kind) c.push(eq(policyItems.kind, q.kind));
  if (q.automatic != null) c.push(eq(policyItems.automatic, q.automatic));
  if (q.openNow === true) c.push(windowOpen(q.today));
  if (q.openNow === false) c.push(sql`not ${windowOpen(q.today)}`);
  if (q.reviewingUnitId) c.push(eq(policyItems.reviewingUnitId, q.reviewingUnitId));
  if (q.issuingUnitId) c.push(eq(policyItems.issuingUnitId, q.issuingUnitId));
  if (q.level) c.push(eq(policyItems.level, q.level));
  if (q.environment) c.push(eq(policyItems.environment, q.environment));
  return c;
}

/** The profile values the matching query compares with each item's criteria. */
export interface ProfileParams {
  industryCode: string;
  sizeClass: string;
  districtCode: string;
  /** Full years since registration on the day asked; null when not registered. */
  years: number | null;
  qualifications: string[];
}

/** How many of an item's criteria the profile misses — the SQL form of eligibility.ts (a test holds them together). */
function missingCriteria(p: ProfileParams): SQL {
  const quals = sql`${`{${p.qualifications.join(',')}}`}::policies.qualification[]`;
  // An item's prefix matches when it is one of the code's own prefixes (C3484: C, C3, C34, C348, C3484).
  const prefixes = textArray(Array.from({ length: p.industryCode.length }, (_, i) => p.industryCode.slice(0, i + 1)));
  const years = p.years === null ? sql`null::int` : sql`${p.years}::int`;
  return sql`(
    (case when cardinality(${policyItems.industryPrefixes}) = 0 or ${policyItems.industryPrefixes} && ${prefixes} then 0 else 1 end)
    + (case when cardinality(${policyItems.sizeClasses}) = 0 or ${p.sizeClass}::policies.size_class = any(${policyItems.sizeClasses}) then 0 else 1 end)
    + (case when cardinality(${policyItems.districtCodes}) = 0 or ${p.districtCode}::text = any(${policyItems.districtCodes}) then 0 else 1 end)
    + (case when ${policyItems.minYears} is null and ${policyItems.maxYears} is null then 0
            when ${years} is null then 1
            when (${policyItems.minYears} is null or ${years} >= ${policyItems.minYears}) and (${policyItems.maxYears} is null or ${years} <= ${policyItems.maxYears}) then 0 else 1 end)
    + (case when cardinality(${policyItems.qualifications}) = 0 then 0
            when ${policyItems.qualificationMatch} = 'ALL' and ${policyItems.qualifications} <@ ${quals} then 0
            when ${policyItems.qualificationMatch} = 'ANY' and ${policyItems.qualifications} && ${quals} then 0 else 1 end)
  )`;
}

export interface MatchCursor {
  missing: number;
  sortAt: string;
  id: string;
}

export const itemStore = {
  async get(db: Queryable, id: string): Promise<ItemRow | undefined> {
    const [row] = await db.select(itemColumns).from(policyItems).where(eq(policyItems.id, id));
    return row;
  },
  async lock(db: Queryable, id: string): Promise<ItemRow | undefined> {
    const [row] = await db.select(itemColumns).from(policyItems).where(eq(policyItems.id, id)).for('update');
    return row;
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<ItemRow[]> {
    return db
      .select(itemColumns)
      .from(policyItems)
      .where(inArray(policyItems.id, [...ids]));
  },
  byPolicyIds(db: Queryable, ids: readonly string[]): Promise<ItemRow[]> {
    return db
      .select(itemColumns)
      .from(policyItems)
      .where(inArray(policyItems.policyId, [...ids]))
      .orderBy(asc(policyItems.createdAt), asc(policyItems.id));
  },
  async insert(db: Queryable, values: NewItem): Promise<ItemRow> {
    const [row] = await db.insert(policyItems).values(values).returning(itemColumns);
    return present(row, 'the row just written');
  },
  async update(db: Queryable, id: string, version: number, values: Partial<NewItem>): Promise<ItemRow | undefined> {
    const [row] = await db
      .update(policyItems)
      .set({ ...values, version: sql`${policyItems.version} + 1` })
      .where(and(eq(policyItems.id, id), eq(policyItems.version, version)))
      .returning(itemColumns);
    return row;
  },
  /** Publishes a policy's draft items with it; returns them. */
  publishForPolicy(db: Queryable, policyId: string, at: Date): Promise<ItemRow[]> {
    return db
      .update(policyItems)
      .set({ status: 'PUBLISHED', publishedAt: at, sortAt: at, version: sql`${policyItems.version} + 1` })
      .where(and(eq(policyItems.policyId, policyId), eq(policyItems.status, 'DRAFT')))
      .returning(itemColumns);
  },
  async closeForPolicy(db: Queryable, policyId: string, at: Date): Promise<void> {
    await db
      .update(policyItems)
      .set({ status: 'CLOSED', closedAt: at, version: sql`${policyItems.version} + 1` })
      .where(and(eq(policyItems.policyId, policyId), sql`${policyItems.status} <> 'CLOSED'`));
  },
  page: (db: Queryable, q: ItemListQuery, limit: number, after: ListCursor | null) =>
    listPage<ItemRow>(db, shapes.items, itemConditions(q), q.text, limit, after),
  count: (db: Queryable, q: ItemListQuery, limit: CountLimit) => listCount(db, shapes.items, itemConditions(q), q.text, limit),

  /**
   * Published items open today that the profile meets or misses by one criterion, fewest missing
   * first, then newest: one page and, when asked, their count, in one statement that works each
   * item's missing criteria out once (a materialized CTE) — the sort, the cursor and the count read
   * that figure instead of computing the expression again over all 10,000 items for each (four
   * times, in a page statement and a count statement, before). Ids and figures only; the page's
   * rows are read by id afterwards.
   */
  async matchPage(
    db: Queryable,
    profile: ProfileParams,
    today: string,
    limit: number,
    after: MatchCursor | null,
    counted: boolean,
  ): Promise<{ hits: { id: string; missing: number }[]; total: number | null }> {
    const cursor = after
      ? sql`and (h.missing > ${after.missing} or (h.missing = ${after.missing} and (h.sort_at, h.id) < (${after.sortAt}::timestamptz, ${after.id}::uuid)))`
      : sql``;
    const result = await db.execute(sql`
      with scored as materialized (
        select ${policyItems.id} as id, ${policyItems.sortAt} as sort_at, ${missingCriteria(profile)} as missing
        from ${policyItems} where ${windowOpen(today)}
      ),
      hits as (select id, sort_at, missing from scored where missing <= 1)
      select t.total, p.id, p.missing from
        ${counted ? sql`(select count(*)::int as total from hits)` : sql`(select null::int as total)`} as t
        left join lateral (
          select h.id, h.missing::int as missing, h.sort_at from hits h where true ${cursor}
          order by h.missing, h.sort_at desc, h.id desc limit ${limit}
        ) as p on true
      order by p.missing, p.sort_at desc, p.id desc`);
    const rows = rowsOf<{ total: number | null; id: string | null; missing: number | null }>(result);
    return {
      hits: rows.filter((row) => row.id !== null).map((row) => ({ id: row.id as string, missing: Number(row.missing) })),
      total: counted ? Number(rows[0]?.total ?? 0) : null,
    };
  },
  matchCount(db: Queryable, profile: ProfileParams, today: string, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(policyItems)
        .where(and(windowOpen(today), sql`${missingCriteria(profile)} <= 1`)),
      limit,
    );
  },
  /** The missing count of given items for a profile (the consistency test compares it with eligibility.ts). */
  async missingFor(db: Queryable, profile: ProfileParams, ids: readonly string[]): Promise<Map<string, number>> {
    const rows = await db
      .select({ id: policyItems.id, missing: sql<number>`${missingCriteria(profile)}::int` })
      .from(policyItems)
      .where(inArray(policyItems.id, [...ids]));
    return new Map(rows.map((row) => [row.id, row.missing]));
  },
};

// ───────────── news ─────────────

export interface NewsListQuery {
  text: SearchQuery | null;
  policyId?: string | null;
  unitId?: string | null;
  publishedFrom?: Date | null;
  publishedTo?: Date | null;
}

function newsConditions(q: NewsListQuery): SQL[] {
  const c: SQL[] = [];
  if (q.policyId) c.push(sql`${q.policyId}::uuid = any(${policyNews.policyIds})`);
  if (q.unitId) c.push(eq(policyNews.unitId, q.unitId));
  if (q.publishedFrom) c.push(gte(policyNews.publishedAt, q.publishedFrom));
  if (q.publishedTo) c.push(lt(policyNews.publishedAt, q.publishedTo));
  return c;
}

export const newsStore = {
  async insert(db: Queryable, values: typeof policyNews.$inferInsert): Promise<NewsRow> {
    const [row] = await db.insert(policyNews).values(values).returning(newsColumns);
    return present(row, 'the row just written');
  },
  page: (db: Queryable, q: NewsListQuery, limit: number, after: ListCursor | null) =>
    listPage<NewsRow>(db, shapes.news, newsConditions(q), q.text, limit, after),
  count: (db: Queryable, q: NewsListQuery, limit: CountLimit) => listCount(db, shapes.news, newsConditions(q), q.text, limit),
};

// ───────────── notices ─────────────

/** Whose notices a caller may read, as the store filters them (access.ts decides it). */
export type NoticeScope =
  { kind: 'all' } | { kind: 'unit'; unitId: string } | { kind: 'enterprise'; creditCode: string } | { kind: 'none' };

function noticeScope(scope: NoticeScope): SQL {
  switch (scope.kind) {
    case 'all':
      return sql`true`;
    case 'unit':
      return sql`exists (select 1 from ${policyItems} i where i.id = ${policyNotices.itemId} and (i.issuing_unit_id = ${scope.unitId}::uuid or i.reviewing_unit_id = ${scope.unitId}::uuid))`;
    case 'enterprise':
      return eq(policyNotices.enterpriseCreditCode, scope.creditCode);
    default:
      return sql`false`;
  }
}

export const noticeStore = {
  /** One notice per item and enterprise, ever: returns the enterprises newly noticed. */
  async send(db: Queryable, itemId: string, codes: readonly string[], at: Date): Promise<string[]> {
    if (!codes.length) return [];
    const result = await db.execute(sql`
      insert into ${policyNotices} (item_id, enterprise_credit_code, sent_at)
      select ${itemId}::uuid, code, ${instantParam(at)} from unnest(${textArray(codes)}) as c(code)
      on conflict (item_id, enterprise_credit_code) do nothing
      returning enterprise_credit_code as "code"`);
    return rowsOf<{ code: string }>(result).map((row) => row.code);
  },
  page(db: Queryable, creditCode: string, scope: NoticeScope, limit: number, afterId: number | null): Promise<NoticeRow[]> {
    const conditions = [eq(policyNotices.enterpriseCreditCode, creditCode), noticeScope(scope)];
    if (afterId !== null) conditions.push(lt(policyNotices.id, afterId));
    return db
      .select()
      .from(policyNotices)
      .where(and(...conditions))
      .orderBy(desc(policyNotices.id))
      .limit(limit);
  },
  count(db: Queryable, creditCode: string, scope: NoticeScope, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(policyNotices)
        .where(and(eq(policyNotices.enterpriseCreditCode, creditCode), noticeScope(scope))),
      limit,
    );
  },
};

// ───────────── applications ─────────────

/** Which applications a caller may see (access.ts decides it). */
export type ApplicationScope =
  { kind: 'all' } | { kind: 'unit'; unitId: string } | { kind: 'enterprise'; creditCode: string } | { kind: 'none' };

export interface ApplicationListQuery {
  scope: ApplicationScope;
  itemId?: string | null;
  policyId?: string | null;
  unitId?: string | null;
  statuses?: ApplicationRow['status'][] | null;
  source?: ApplicationRow['source'] | null;
  enterpriseCreditCode?: string | null;
  overdue?: boolean | null;
  now: Date;
}

function applicationScope(scope: ApplicationScope): SQL {
  switch (scope.kind) {
    case 'all':
      return sql`true`;
    case 'unit':
      return present(or(eq(applications.reviewingUnitId, scope.unitId), eq(applications.issuingUnitId, scope.unitId)), 'either unit');
    case 'enterprise':
      return eq(applications.enterpriseCreditCode, scope.creditCode);
    default:
      return sql`false`;
  }
}

function applicationConditions(q: ApplicationListQuery): SQL[] {
  const c: SQL[] = [applicationScope(q.scope)];
  if (q.itemId) c.push(eq(applications.itemId, q.itemId));
  if (q.policyId) c.push(eq(applications.policyId, q.policyId));
  if (q.unitId) c.push(eq(applications.reviewingUnitId, q.unitId));
  if (q.statuses?.length) c.push(inArray(applications.status, q.statuses));
  if (q.source) c.push(eq(applications.source, q.source));
  if (q.enterpriseCreditCode) c.push(eq(applications.enterpriseCreditCode, q.enterpriseCreditCode));
  if (q.overdue === true) c.push(lt(applications.nextDueAt, q.now));
  if (q.overdue === false) c.push(sql`(${applications.nextDueAt} is null or ${applications.nextDueAt} >= ${instantParam(q.now)})`);
  return c;
}

export const applicationStore = {
  /**
   * Applications whose open review or payment limit (policies.open_due_at) has passed now: the
   * `deadlines_overdue` gauge, from applications_open_due_idx alone.
   */
  async overdueCount(db: Queryable, now: Date): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from ${applications} a
        where policies.open_due_at(a.status, a.review_due_at, a.decided_at, a.payment_due_at, a.paid_on) < ${now.toISOString()}::timestamptz`),
    );
    return row?.n ?? 0;
  },
  async get(db: Queryable, id: string): Promise<ApplicationRow | undefined> {
    const [row] = await db.select().from(applications).where(eq(applications.id, id));
    return row;
  },
  byIds(db: Queryable, ids: readonly string[]): Promise<ApplicationRow[]> {
    return db
      .select()
      .from(applications)
      .where(inArray(applications.id, [...ids]));
  },
  /** Inserts unless this submitter already sent this client request id (or the source system this reference); undefined then. */
  async insertOnce(db: Queryable, values: NewApplication): Promise<ApplicationRow | undefined> {
    const [row] = await db.insert(applications).values(values).onConflictDoNothing().returning();
    return row;
  },
  /** First in a submission's transaction: retries of one client request run one after the other. */
  lockClientRequest(db: Queryable, subject: string, clientRequestId: string): Promise<void> {
    return lockKey(db, 'policies.applications', 'client-request', subject, clientRequestId);
  },
  /** First in an import's transaction: imports of one source reference run one after the other. */
  lockExternalReference(db: Queryable, sourceSystem: string, reference: string): Promise<void> {
    return lockKey(db, 'policies.applications', 'external-reference', sourceSystem, reference);
  },
  /** The application this person sent under this client request id (as platform/auth.ts isPerson: one kept before issuers were matches any issuer). */
  async byClientRequest(
    db: Queryable,
    submitter: { issuer: string; role: string; subject: string },
    clientRequestId: string,
  ): Promise<ApplicationRow | undefined> {
    const [row] = await db
      .select()
      .from(applications)
      .where(
        and(
          eq(applications.submitterSubject, submitter.subject),
          eq(applications.submitterRole, submitter.role),
          or(eq(applications.submitterIssuer, submitter.issuer), isNull(applications.submitterIssuer)),
          eq(applications.clientRequestId, clientRequestId),
        ),
      );
    return row;
  },
  async byExternalReference(db: Queryable, sourceSystem: string, reference: string): Promise<ApplicationRow | undefined> {
    const [row] = await db
      .select()
      .from(applications)
      .where(and(eq(applications.sourceSystem, sourceSystem), eq(applications.externalReference, reference)));
    return row;
  },
  /** The live application of an enterprise for an item (refused and stopped ones are over). */
  async live(db: Queryable, itemId: string, creditCode: string): Promise<ApplicationRow | undefined> {
    const [row] = await db
      .select()
      .from(applications)
      .where(
        and(
          eq(applications.itemId, itemId),
          eq(applications.enterpriseCreditCode, creditCode),
          sql`${applications.status} not in ('REJECTED', 'STOPPED')`,
        ),
      );
    return row;
  },
  async update(db: Queryable, id: string, version: number, values: Partial<NewApplication>): Promise<ApplicationRow | undefined> {
    const [row] = await db
      .update(applications)
      .set({ ...values, version: sql`${applications.version} + 1` })
      .where(and(eq(applications.id, id), eq(applications.version, version)))
      .returning();
    return row;
  },
  page(db: Queryable, q: ApplicationListQuery, limit: number, after: { at: Date; id: string } | null): Promise<ApplicationRow[]> {
    const conditions = applicationConditions(q);
    if (after) conditions.push(sql`(${applications.enteredAt}, ${applications.id}) < (${instantParam(after.at)}, ${after.id}::uuid)`);
    return db
      .select()
      .from(applications)
      .where(and(...conditions))
      .orderBy(desc(applications.enteredAt), desc(applications.id))
      .limit(limit);
  },
  count(db: Queryable, q: ApplicationListQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(applications)
        .where(and(...applicationConditions(q))),
      limit,
    );
  },
  /** Grants whose public notice runs now, ending soonest first. */
  publicNoticePage(
    db: Queryable,
    now: Date,
    itemId: string | null,
    limit: number,
    after: { at: Date; id: string } | null,
  ): Promise<ApplicationRow[]> {
    const conditions = [
      eq(applications.status, 'PUBLIC_NOTICE'),
      lte(applications.noticeStartsAt, now),
      sql`${applications.noticeEndsAt} > ${instantParam(now)}`,
    ];
    if (itemId) conditions.push(eq(applications.itemId, itemId));
    if (after) conditions.push(sql`(${applications.noticeEndsAt}, ${applications.id}) > (${instantParam(after.at)}, ${after.id}::uuid)`);
    return db
      .select()
      .from(applications)
      .where(and(...conditions))
      .orderBy(asc(applications.noticeEndsAt), asc(applications.id))
      .limit(limit);
  },
  publicNoticeCount(db: Queryable, now: Date, itemId: string | null, limit: CountLimit): Promise<ListCount> {
    const rows = db
      .select({ one: sql`1` })
      .from(applications)
      .where(
        and(
          eq(applications.status, 'PUBLIC_NOTICE'),
          lte(applications.noticeStartsAt, now),
          sql`${applications.noticeEndsAt} > ${instantParam(now)}`,
          itemId ? eq(applications.itemId, itemId) : undefined,
        ),
      );
    return countUpTo(db, rows, limit);
  },

  /**
   * 免申即享 in one statement: an approved grant in public notice, and its event, for every code
   * that has no application for the item yet (whatever became of an earlier one). Returns how many
   * were created.
   */
  async grantAutomatically(
    db: Queryable,
    grant: {
      item: ItemRow;
      codes: readonly string[];
      /** Each code's enterprise name, as the public notice shows it ('' where unknown). */
      names: readonly string[];
      at: Date;
      actor: { subject: string; role: string; unitId: string | null };
      amount: number | null;
      eligibility: object;
      noticeEndsOn: string | null;
      noticeEndsAt: Date | null;
      paymentDueAt: Date | null;
      paymentWarnAt: Date | null;
      noticePendingCalendarYear: number | null;
      pendingCalendarYear: number | null;
    },
  ): Promise<number> {
    if (!grant.codes.length) return 0;
    const { item, at, actor } = grant;
    const optionalInstant = (value: Date | null) => (value ? instantParam(value) : sql`null::timestamptz`);
    const nextDue =
      [grant.noticeEndsAt, grant.paymentDueAt].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    const result = await db.execute(sql`
      with fresh as (
        select c.code, c.name from unnest(${textArray(grant.codes)}, ${textArray(grant.names)}) as c(code, name)
        where not exists (select 1 from ${applications} a where a.item_id = ${item.id}::uuid and a.enterprise_credit_code = c.code)
      ),
      created as (
        insert into ${applications} (
          item_id, policy_id, reviewing_unit_id, issuing_unit_id, enterprise_credit_code, source, status, submitter_subject,
          approved_amount, eligibility, entered_at, submitted_at, decided_at, approved_at, notice_starts_at, notice_enterprise_name, notice_ends_on, notice_ends_at,
          payment_due_at, payment_warn_at, notice_pending_calendar_year, pending_calendar_year, next_due_at)
        select ${item.id}::uuid, ${item.policyId}::uuid, ${item.reviewingUnitId}::uuid, ${item.issuingUnitId}::uuid, code, 'AUTOMATIC', 'PUBLIC_NOTICE', ${actor.subject},
          ${grant.amount}::numeric, ${JSON.stringify(grant.eligibility)}::jsonb, ${instantParam(at)}, ${instantParam(at)}, ${instantParam(at)}, ${instantParam(at)}, ${instantParam(at)}, nullif(name, ''),
          ${grant.noticeEndsOn}::date, ${optionalInstant(grant.noticeEndsAt)}, ${optionalInstant(grant.paymentDueAt)}, ${optionalInstant(grant.paymentWarnAt)}, ${grant.noticePendingCalendarYear}::smallint, ${grant.pendingCalendarYear}::smallint, ${optionalInstant(nextDue)}
        from fresh
        on conflict (item_id, enterprise_credit_code) where status not in ('REJECTED', 'STOPPED') do nothing
        returning id
      ),
      recorded as (
        insert into ${applicationEvents} (application_id, action, from_status, to_status, actor_subject, actor_role, actor_unit_id, note, details, at)
        select id, 'AUTOMATIC_GRANT', null, 'PUBLIC_NOTICE', ${actor.subject}, ${actor.role}, ${actor.unitId}::uuid, null, ${JSON.stringify({ amount: grant.amount, noticeEndsOn: grant.noticeEndsOn })}::jsonb, ${instantParam(at)}
        from created
        returning 1
      )
      select count(*)::int as n from recorded`);
    return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
  },

  /**
   * Applications whose limits are provisional for a year the calendar now has (`years`): locked, and
   * those another transaction holds skipped, so replicas settling at once share the work. At most `limit`.
   */
  lockWaitingForCalendar(db: Queryable, years: readonly number[], limit: number): Promise<ApplicationRow[]> {
    if (!years.length) return Promise.resolve([]);
    return db
      .select()
      .from(applications)
      .where(inArray(applications.pendingCalendarYear, [...years]))
      .orderBy(asc(applications.id))
      .limit(limit)
      .for('update', { skipLocked: true });
  },
  /** The years applications' limits are provisional for, and how many wait for each. */
  async provisionalYears(db: Queryable): Promise<{ year: number; applications: number }[]> {
    return db
      .select({ year: sql<number>`${applications.pendingCalendarYear}::int`, applications: sql<number>`count(*)::int` })
      .from(applications)
      .where(isNotNull(applications.pendingCalendarYear))
      .groupBy(applications.pendingCalendarYear)
      .orderBy(applications.pendingCalendarYear);
  },
  async setLimits(
    db: Queryable,
    rows: {
      id: string;
      reviewDueAt: Date | null;
      reviewWarnAt: Date | null;
      paymentDueAt: Date | null;
      paymentWarnAt: Date | null;
      noticeEndsOn: string | null;
      noticeEndsAt: Date | null;
      noticePendingCalendarYear: number | null;
      cycleWorkingDays: number | null;
      pendingCalendarYear: number | null;
      nextDueAt: Date | null;
    }[],
  ): Promise<void> {
    if (!rows.length) return;
    const json = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        review: r.reviewDueAt?.toISOString() ?? null,
        review_warn: r.reviewWarnAt?.toISOString() ?? null,
        payment: r.paymentDueAt?.toISOString() ?? null,
        payment_warn: r.paymentWarnAt?.toISOString() ?? null,
        ends_on: r.noticeEndsOn,
        ends_at: r.noticeEndsAt?.toISOString() ?? null,
        notice_pending: r.noticePendingCalendarYear,
        cycle: r.cycleWorkingDays,
        pending: r.pendingCalendarYear,
        next: r.nextDueAt?.toISOString() ?? null,
      })),
    );
    await db.execute(sql`
      update ${applications} a set review_due_at = x.review, review_warn_at = x.review_warn, payment_due_at = x.payment,
        payment_warn_at = x.payment_warn, notice_ends_on = x.ends_on, notice_ends_at = x.ends_at,
        notice_pending_calendar_year = x.notice_pending, cycle_working_days = x.cycle, pending_calendar_year = x.pending, next_due_at = x.next
      from jsonb_to_recordset(${json}::jsonb) as x(id uuid, review timestamptz, review_warn timestamptz, payment timestamptz, payment_warn timestamptz, ends_on date, ends_at timestamptz, notice_pending smallint, cycle smallint, pending smallint, next timestamptz)
      where a.id = x.id`);
  },
};

export const applicationEventStore = {
  /** Appends the event; returns its id. */
  async append(db: Queryable, event: typeof applicationEvents.$inferInsert): Promise<number> {
    const [row] = await db.insert(applicationEvents).values(event).returning({ id: applicationEvents.id });
    return present(row, 'the event just appended').id;
  },
  byApplicationIds(db: Queryable, ids: readonly string[]): Promise<ApplicationEventRow[]> {
    return db
      .select()
      .from(applicationEvents)
      .where(inArray(applicationEvents.applicationId, [...ids]))
      .orderBy(asc(applicationEvents.id));
  },
};

/** Objections with their marks (an objection has at most one). */
const objectionsWithMarks = (db: Queryable) =>
  db
    .select({ objection: objections, mark: objectionMarks })
    .from(objections)
    .leftJoin(objectionMarks, eq(objectionMarks.objectionId, objections.id));
const withMark = (row: { objection: typeof objections.$inferSelect; mark: ObjectionMarkRow | null }): ObjectionRow => ({
  ...row.objection,
  mark: row.mark,
});

/** The limits steps ended, each judged on time or late (evidence: never deleted; migration 0006). */
export const limitOutcomeStore = {
  async insert(db: Queryable, rows: NewLimitOutcome[]): Promise<void> {
    if (rows.length) await db.insert(limitOutcomes).values(rows);
  },
  byApplicationIds(db: Queryable, ids: readonly string[]): Promise<LimitOutcomeRow[]> {
    return db
      .select()
      .from(limitOutcomes)
      .where(inArray(limitOutcomes.applicationId, [...ids]))
      .orderBy(asc(limitOutcomes.id));
  },
  /** A provisional judgment judged again on its final (or later provisional) due time: the one change its trigger allows. */
  async judgeAgain(db: Queryable, rows: { id: number; dueAt: Date; pendingCalendarYear: number | null }[]): Promise<void> {
    if (!rows.length) return;
    const json = JSON.stringify(rows.map((r) => ({ id: r.id, due: r.dueAt.toISOString(), pending: r.pendingCalendarYear })));
    await db.execute(sql`
      update ${limitOutcomes} o set due_at = x.due, pending_calendar_year = x.pending
      from jsonb_to_recordset(${json}::jsonb) as x(id bigint, due timestamptz, pending smallint)
      where o.id = x.id`);
  },
};

export const objectionStore = {
  async get(db: Queryable, id: string): Promise<ObjectionRow | undefined> {
    const [row] = await objectionsWithMarks(db).where(eq(objections.id, id));
    return row && withMark(row);
  },
  async insert(db: Queryable, values: typeof objections.$inferInsert): Promise<ObjectionRow> {
    const [row] = await db.insert(objections).values(values).returning();
    return { ...present(row, 'the row just written'), mark: null };
  },
  /** Locks the objections (in id order, so two callers never wait on each other) and reads them with their marks. */
  async lock(db: Queryable, ids: readonly string[]): Promise<ObjectionRow[]> {
    if (!ids.length) return [];
    await db
      .select({ id: objections.id })
      .from(objections)
      .where(inArray(objections.id, [...ids]))
      .orderBy(asc(objections.id))
      .for('update');
    return (
      await objectionsWithMarks(db)
        .where(inArray(objections.id, [...ids]))
        .orderBy(asc(objections.filedAt), asc(objections.id))
    ).map(withMark);
  },
  async answer(
    db: Queryable,
    id: string,
    values: { answer: string; upheld: boolean; answeredAt: Date; answeredBy: string },
  ): Promise<ObjectionRow> {
    const [row] = await db.update(objections).set(values).where(eq(objections.id, id)).returning();
    return { ...present(row, 'the row just written'), mark: null };
  },
  async forApplication(db: Queryable, applicationId: string): Promise<ObjectionRow[]> {
    return (
      await objectionsWithMarks(db).where(eq(objections.applicationId, applicationId)).orderBy(asc(objections.filedAt), asc(objections.id))
    ).map(withMark);
  },
  async byApplicationIds(db: Queryable, ids: readonly string[]): Promise<ObjectionRow[]> {
    return (
      await objectionsWithMarks(db)
        .where(inArray(objections.applicationId, [...ids]))
        .orderBy(asc(objections.filedAt), asc(objections.id))
    ).map(withMark);
  },
  /** Serialises one writer's objections, on every replica (a transaction-scoped advisory lock). */
  async lockObjector(db: Queryable, objectorKey: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`objector:${objectorKey}`}, 0))`);
  },
  /** How many objections the writer filed since `hourAgo`, and to this application since `dayStart`. */
  async recentCounts(
    db: Queryable,
    objectorKey: string,
    applicationId: string,
    hourAgo: Date,
    dayStart: Date,
  ): Promise<{ lastHour: number; targetToday: number }> {
    const since = hourAgo < dayStart ? hourAgo : dayStart;
    const [row] = await db
      .select({
        lastHour: sql<number>`count(*) filter (where ${objections.filedAt} >= ${instantParam(hourAgo)})::int`,
        targetToday: sql<number>`count(*) filter (where ${objections.applicationId} = ${applicationId}::uuid and ${objections.filedAt} >= ${instantParam(dayStart)})::int`,
      })
      .from(objections)
      .where(and(eq(objections.objectorKey, objectorKey), sql`${objections.filedAt} >= ${instantParam(since)}`));
    return present(row, 'the row just written');
  },
  /** Unanswered objections' answer warnings, recomputed with the notice's end (settling.ts). */
  async setWarnings(db: Queryable, rows: { id: string; answerWarnAt: Date }[]): Promise<void> {
    if (!rows.length) return;
    const json = JSON.stringify(rows.map((r) => ({ id: r.id, warn: r.answerWarnAt.toISOString() })));
    await db.execute(sql`
      update ${objections} o set answer_warn_at = x.warn
      from jsonb_to_recordset(${json}::jsonb) as x(id uuid, warn timestamptz)
      where o.id = x.id and o.answered_at is null`);
  },
  async mark(db: Queryable, values: (typeof objectionMarks.$inferInsert)[]): Promise<ObjectionMarkRow[]> {
    return values.length ? db.insert(objectionMarks).values(values).returning() : [];
  },
};

export const reviewStore = {
  async insert(db: Queryable, values: typeof serviceReviews.$inferInsert): Promise<ReviewRow> {
    const [row] = await db.insert(serviceReviews).values(values).returning();
    return present(row, 'the row just written');
  },
  byApplicationIds(db: Queryable, ids: readonly string[]): Promise<ReviewRow[]> {
    return db
      .select()
      .from(serviceReviews)
      .where(inArray(serviceReviews.applicationId, [...ids]));
  },
  page(db: Queryable, unitId: string, period: Period | null, limit: number, after: { at: Date; id: string } | null): Promise<ReviewRow[]> {
    const conditions = [eq(serviceReviews.reviewingUnitId, unitId), ...periodConditions(serviceReviews.reviewedAt, period)];
    if (after) conditions.push(sql`(${serviceReviews.reviewedAt}, ${serviceReviews.id}) < (${instantParam(after.at)}, ${after.id}::uuid)`);
    return db
      .select()
      .from(serviceReviews)
      .where(and(...conditions))
      .orderBy(desc(serviceReviews.reviewedAt), desc(serviceReviews.id))
      .limit(limit);
  },
  count(db: Queryable, unitId: string, period: Period | null, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(serviceReviews)
        .where(and(eq(serviceReviews.reviewingUnitId, unitId), ...periodConditions(serviceReviews.reviewedAt, period))),
      limit,
    );
  },
};

function periodConditions(column: PgColumn, period: Period | null): SQL[] {
  return period ? [gte(column, period.from), lt(column, period.to)] : [];
}

// ───────────── sample data ─────────────

export const sampleStore = {
  async count(db: Queryable): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(policies)
      .where(eq(policies.sample, true));
    return row?.n ?? 0;
  },
  /** Flags what the sample actors created (their subjects start with `prefix`). */
  async mark(db: Queryable, prefix: string): Promise<void> {
    const like = `${prefix}%`;
    await db
      .update(policies)
      .set({ sample: true })
      .where(sql`${policies.createdBy} like ${like}`);
    await db
      .update(policyItems)
      .set({ sample: true })
      .where(sql`${policyItems.policyId} in (select id from ${policies} where sample)`);
    await db
      .update(policyNews)
      .set({ sample: true })
      .where(sql`${policyNews.authorSubject} like ${like}`);
    await db
      .update(applications)
      .set({ sample: true })
      .where(sql`${applications.itemId} in (select id from ${policyItems} where sample)`);
  },
};

// ───────────── statistics ─────────────
// The command office's figures, aggregated in SQL: one statement answers any number of units (or
// domains, or the city) for one period. Application figures count the applications submitted (an
// automatic grant: created) in the period; the review summary counts the reviews given in it.

export interface Period {
  from: Date;
  to: Date;
}

export interface ReviewSummary {
  count: number;
  verySatisfied: number;
  satisfied: number;
  basicallySatisfied: number;
  unsatisfied: number;
  veryUnsatisfied: number;
  averageScore: number | null;
  satisfactionRate: number | null;
}

export interface PolicyStats {
  itemsPublished: number;
  applicationsReceived: number;
  automaticGrants: number;
  approved: number;
  refused: number;
  stopped: number;
  disbursedCount: number;
  disbursedAmount: number;
  medianDisbursementWorkingDays: number | null;
  p90DisbursementWorkingDays: number | null;
  pastLimits: number;
  lateReviews: number;
  latePayments: number;
  lateObjectionAnswers: number;
  reviews: ReviewSummary;
}

export const emptyStats: PolicyStats = {
  itemsPublished: 0,
  applicationsReceived: 0,
  automaticGrants: 0,
  approved: 0,
  refused: 0,
  stopped: 0,
  disbursedCount: 0,
  disbursedAmount: 0,
  medianDisbursementWorkingDays: null,
  p90DisbursementWorkingDays: null,
  pastLimits: 0,
  lateReviews: 0,
  latePayments: 0,
  lateObjectionAnswers: 0,
  reviews: {
    count: 0,
    verySatisfied: 0,
    satisfied: 0,
    basicallySatisfied: 0,
    unsatisfied: 0,
    veryUnsatisfied: 0,
    averageScore: null,
    satisfactionRate: null,
  },
};

interface StatsRow {
  key: string;
  items_published: number;
  received: number;
  automatic: number;
  approved: number;
  refused: number;
  stopped: number;
  disbursed: number;
  amount: string | number;
  median: number | null;
  p90: number | null;
  past: number;
  late_reviews: number;
  late_payments: number;
  late_objection_answers: number;
  reviews: number;
  very_satisfied: number;
  satisfied: number;
  basically_satisfied: number;
  unsatisfied: number;
  very_unsatisfied: number;
  average: string | number | null;
}

/** The figures that cost a statement part of their own, left out when the operation does not select them. */
export type OptionalStatsPart = 'items' | 'past' | 'cycles';
const OPTIONAL_PARTS: Record<string, OptionalStatsPart> = {
  itemsPublished: 'items',
  pastLimits: 'past',
  medianDisbursementWorkingDays: 'cycles',
  p90DisbursementWorkingDays: 'cycles',
};
export const ALL_STATS_PARTS: ReadonlySet<OptionalStatsPart> = new Set(['items', 'past', 'cycles']);

/** The optional parts a selection of PolicyStats fields needs, as a stable key ('cycles,past'). */
export function statsPartsKey(fields: ReadonlySet<string>): string {
  return [...new Set([...fields].flatMap((field) => (OPTIONAL_PARTS[field] ? [OPTIONAL_PARTS[field]] : [])))].sort().join(',');
}

export function statsPartsOf(key: string | undefined): ReadonlySet<OptionalStatsPart> {
  return key === undefined
    ? ALL_STATS_PARTS
    : new Set(key.split(',').filter((part): part is OptionalStatsPart => part in { items: 1, past: 1, cycles: 1 }));
}

const KEPT_COLUMNS = [
  'received',
  'automatic',
  'approved',
  'refused',
  'stopped',
  'disbursed',
  'amount',
  'past_settled',
  'late_reviews',
  'late_payments',
  'late_objection_answers',
  'reviews',
  'very_satisfied',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'very_unsatisfied',
];

/**
 * Statistics per group key; `groups` maps reviewing unit ids to the key they count under, null: the
 * whole city as 'ALL'. The period is whole Beijing days (as the schema's PeriodInput gives it).
 *
 * Kept: what does not move with the clock, per unit and day and per unit and month (policy_figures,
 * cycle_figures and their monthly rows: kept by triggers in the transaction of every change,
 * migration 0004) — a period reads its whole months and the days at either edge. The median and
 * p90 are interpolated from the counts of each number of working days as percentile_cont would.
 * Live: applications past a limit that still runs, read from the index on their earliest running
 * limit; and the items published. Of `parts`, only those asked are computed (the others answer 0
 * or null): a board that shows neither the items, nor the limits, nor the cycle reads the kept rows alone.
 */
export async function statsByGroup(
  db: Queryable,
  groups: { unitId: string; key: string }[] | null,
  period: Period | null,
  now: Date,
  parts: ReadonlySet<OptionalStatsPart> = ALL_STATS_PARTS,
): Promise<Map<string, PolicyStats>> {
  const from = instantParam(period?.from ?? new Date('1970-01-01T00:00:00Z'));
  const to = instantParam(period?.to ?? new Date('9999-01-01T00:00:00Z'));
  const grouped = groups
    ? sql`select * from unnest(${uuidArray(groups.map((g) => g.unitId))}, ${textArray(groups.map((g) => g.key))}) as g(unit_id, key)`
    : sql`select null::uuid as unit_id, 'ALL'::text as key`;
  const joins = (alias: string, column: string) =>
    groups ? sql.raw(`join grp g on g.unit_id = ${alias}.${column}`) : sql.raw('cross join grp g');
  // The kept rows of the period: whole months from the monthly table, the edge days from the daily one.
  const ranges = period ? keptRanges({ from: beijingDate(period.from), to: beijingDate(new Date(period.to.getTime() - 1)) }) : null;
  const keptRows = (daily: PgTable, monthly: PgTable, columns: string) => {
    const list = sql.raw(columns);
    const rows = [
      !ranges
        ? sql`select unit_id, ${list} from ${monthly}`
        : ranges.months
          ? sql`select unit_id, ${list} from ${monthly} where month >= ${ranges.months.from}::date and month < ${ranges.months.until}::date`
          : null,
      ...(ranges?.days ?? []).map(
        (range) => sql`select unit_id, ${list} from ${daily} where day >= ${range.from}::date and day < ${range.until}::date`,
      ),
    ].filter((part): part is SQL => part !== null);
    return sql`(${sql.join(rows, sql` union all `)}) f`;
  };
  const sums = sql.raw(KEPT_COLUMNS.map((column) => `sum(f.${column}) as ${column}`).join(', '));
  const at = instantParam(now);
  const withParts: SQL[] = [
    sql`kept as (
      select g.key, ${sums}
      from ${keptRows(policyFigures, policyFiguresMonthly, KEPT_COLUMNS.join(', '))} ${joins('f', 'unit_id')}
      group by g.key
    )`,
  ];
  if (parts.has('cycles')) {
    withParts.push(sql`
    cycles as (
      select g.key, f.working_days as value, sum(f.count)::float8 as n
      from ${keptRows(cycleFigures, cycleFiguresMonthly, 'working_days, count')} ${joins('f', 'unit_id')}
      group by g.key, f.working_days
      having sum(f.count) > 0
    ),
    ranked as (
      select key, value, n,
        sum(n) over (partition by key order by value) - n as before,
        sum(n) over (partition by key) as total
      from cycles
    ),
    -- percentile_cont(p): the values at rows floor(p·(N−1)) and ceil(p·(N−1)) (0-based), interpolated.
    positions as (
      select key, value, before, n, total, p.p, p.p * (total - 1) as pos
      from ranked cross join (values (0.5::float8), (0.9::float8)) as p(p)
    ),
    percentiles as (
      select key, p,
        max(value) filter (where floor(pos) >= before and floor(pos) < before + n) as low,
        max(value) filter (where ceil(pos) >= before and ceil(pos) < before + n) as high,
        max(pos - floor(pos)) as fraction
      from positions group by key, p
    ),
    per_percentile as (
      select key,
        max(low + fraction * (high - low)) filter (where p = 0.5) as median,
        max(low + fraction * (high - low)) filter (where p = 0.9) as p90
      from percentiles group by key
    )`);
  }
  if (parts.has('past')) {
    // Not already counted as settled past: no limit of it was judged late at a step.
    const notJudgedLate = sql`not exists (select 1 from ${limitOutcomes} o where o.application_id = a.id and o.late)`;
    withParts.push(sql`
    live as (
      select g.key, count(*)::int as past
      from (
        -- An open limit passed: the review undecided or the payment unpaid past its due time (the
        -- earliest open limit before now says exactly that).
        select a.reviewing_unit_id from ${applications} a
        where policies.open_due_at(a.status, a.review_due_at, a.decided_at, a.payment_due_at, a.paid_on) < ${at}
          and a.submitted_at >= ${from} and a.submitted_at < ${to} and ${notJudgedLate}
        union all
        -- Or, with neither of those passed, an objection still unanswered when the notice has ended.
        select a.reviewing_unit_id from ${applications} a
        where a.status = 'PUBLIC_NOTICE' and a.notice_ends_at < ${at}
          and a.submitted_at >= ${from} and a.submitted_at < ${to} and ${notJudgedLate}
          and exists (select 1 from ${objections} x where x.application_id = a.id and x.answered_at is null)
          and not coalesce(policies.open_due_at(a.status, a.review_due_at, a.decided_at, a.payment_due_at, a.paid_on) < ${at}, false)
      ) a ${joins('a', 'reviewing_unit_id')}
      group by g.key
    )`);
  }
  if (parts.has('items')) {
    withParts.push(sql`
    per_item as (
      select g.key, count(*)::int as items_published
      from ${policyItems} i ${joins('i', 'reviewing_unit_id')}
      where i.published_at >= ${from} and i.published_at < ${to}
      group by g.key
    )`);
  }
  const result = await db.execute(sql`
    with grp as (${grouped}),
    ${sql.join(withParts, sql`,`)}
    select k.key,
      ${parts.has('items') ? sql`coalesce(i.items_published, 0)` : sql`0`} as items_published,
      coalesce(f.received, 0)::int as received, coalesce(f.automatic, 0)::int as automatic, coalesce(f.approved, 0)::int as approved,
      coalesce(f.refused, 0)::int as refused, coalesce(f.stopped, 0)::int as stopped, coalesce(f.disbursed, 0)::int as disbursed,
      coalesce(f.amount, 0) as amount,
      ${parts.has('cycles') ? sql`c.median, c.p90` : sql`null::float8 as median, null::float8 as p90`},
      (coalesce(f.past_settled, 0) + ${parts.has('past') ? sql`coalesce(l.past, 0)` : sql`0`})::int as past,
      coalesce(f.late_reviews, 0)::int as late_reviews, coalesce(f.late_payments, 0)::int as late_payments,
      coalesce(f.late_objection_answers, 0)::int as late_objection_answers,
      coalesce(f.reviews, 0)::int as reviews, coalesce(f.very_satisfied, 0)::int as very_satisfied, coalesce(f.satisfied, 0)::int as satisfied,
      coalesce(f.basically_satisfied, 0)::int as basically_satisfied, coalesce(f.unsatisfied, 0)::int as unsatisfied,
      coalesce(f.very_unsatisfied, 0)::int as very_unsatisfied,
      (5 * f.very_satisfied + 4 * f.satisfied + 3 * f.basically_satisfied + 2 * f.unsatisfied + f.very_unsatisfied)::numeric / nullif(f.reviews, 0) as average
    from (select distinct key from grp) k
    left join kept f using (key)
    ${parts.has('cycles') ? sql`left join per_percentile c using (key)` : sql``}
    ${parts.has('past') ? sql`left join live l using (key)` : sql``}
    ${parts.has('items') ? sql`left join per_item i using (key)` : sql``}`);
  return new Map(rowsOf<StatsRow>(result).map((row) => [row.key, toStats(row)]));
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const numeric = (value: string | number | null): number | null => (value === null ? null : Number(value));

function toStats(row: StatsRow): PolicyStats {
  return {
    itemsPublished: row.items_published,
    applicationsReceived: row.received,
    automaticGrants: row.automatic,
    approved: row.approved,
    refused: row.refused,
    stopped: row.stopped,
    disbursedCount: row.disbursed,
    disbursedAmount: Number(row.amount),
    medianDisbursementWorkingDays: numeric(row.median),
    p90DisbursementWorkingDays: numeric(row.p90),
    pastLimits: row.past,
    lateReviews: row.late_reviews,
    latePayments: row.late_payments,
    lateObjectionAnswers: row.late_objection_answers,
    reviews: {
      count: row.reviews,
      verySatisfied: row.very_satisfied,
      satisfied: row.satisfied,
      basicallySatisfied: row.basically_satisfied,
      unsatisfied: row.unsatisfied,
      veryUnsatisfied: row.very_unsatisfied,
      averageScore: numeric(row.average),
      satisfactionRate: rate(row.very_satisfied + row.satisfied + row.basically_satisfied, row.reviews),
    },
  };
}

export type FeedRow = typeof applicationFeed.$inferSelect;

/** The change feed back to the systems that sent applications (migration 0011 writes it as transactions commit). */
export const feedStore = {
  /** Entries of `sourceSystem` after `afterSeq`, in commit order; only those `sender` sent when given. One statement, one snapshot. */
  page(
    db: Queryable,
    query: { sourceSystem: string; afterSeq: number; limit: number; sender: { issuer: string; role: string; subject: string } | null },
  ): Promise<FeedRow[]> {
    const { sender } = query;
    return db
      .select()
      .from(applicationFeed)
      .where(
        and(
          eq(applicationFeed.sourceSystem, query.sourceSystem),
          sql`${applicationFeed.seq} > ${query.afterSeq}`,
          sender ? eq(applicationFeed.senderSubject, sender.subject) : undefined,
          sender ? eq(applicationFeed.senderRole, sender.role) : undefined,
          sender ? or(eq(applicationFeed.senderIssuer, sender.issuer), isNull(applicationFeed.senderIssuer)) : undefined,
        ),
      )
      .orderBy(asc(applicationFeed.seq))
      .limit(query.limit);
  },
};

/** The notice tables of the slice (db/outbox.ts, issue #25 §3), as the kit's outbox uses them. */
export const policiesOutbox: OutboxTables = { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts };

/** A running limit of an application that reached its warning (80%) or its due time: what the sweep tells the reviewing unit. */
export interface PassedLimit {
  applicationId: string;
  number: number;
  itemId: string;
  itemName: string;
  reviewingUnitId: string;
  kind: 'REVIEW' | 'PAYMENT' | 'OBJECTION_ANSWER';
  passed: 'WARNING' | 'OVERDUE';
  /** Where the limit runs from: the submission (or the last resubmission), the approval, the objection's filing. */
  startsAt: Date;
  dueAt: Date;
  /** The objection to answer, for OBJECTION_ANSWER. */
  objectionId: string | null;
  /** Once per application, limit (a resubmission starts a new review limit; each objection its own answer) and kind. */
  onceKey: string;
}

/**
 * The review limit runs while the reviewing unit has the application; the payment limit once approved, until paid;
 * the answer to an objection while it is neither answered nor marked, during the notice and after it.
 */
const REVIEWING = sql`('SUBMITTED', 'RESUBMITTED', 'UNDER_REVIEW')`;
const PAYING = sql`('APPROVED', 'PUBLIC_NOTICE')`;
const UNMARKED = sql`not exists (select 1 from ${objectionMarks} m where m.objection_id = o.id)`;

export const limitNoticeStore = {
  /**
   * The running review and payment limits of applications not sampled, and the answers to their
   * open objections (neither answered nor marked), that reached their warning time
   * (`review_warn_at`, `payment_warn_at`, an objection's `answer_warn_at`, while still before due)
   * or their due time in the last `days` days and have no such event yet: what the sweep emits,
   * once each (by its once key). Each part reads a partial index by instant (the warnings'
   * applications_review_warn_idx, applications_payment_warn_idx and objections_answer_warn_idx, the
   * lapses' applications_open_due_idx and, for the answers, applications_notice_idx), so a sweep
   * reads the window, not the applications.
   */
  async limitsPassed(db: Queryable, now: Date, days = 7): Promise<PassedLimit[]> {
    const at = instantParam(now);
    const since = sql`${at} - make_interval(days => ${days})`;
    const openDue = sql`policies.open_due_at(a.status, a.review_due_at, a.decided_at, a.payment_due_at, a.paid_on)`;
    const rows = rowsOf<PassedLimit & { startsAt: string | Date; dueAt: string | Date }>(
      await db.execute(sql`select p.id as "applicationId", p.number as "number", p.item_id as "itemId",
          (select i.name from ${policyItems} i where i.id = p.item_id) as "itemName",
          p.reviewing_unit_id as "reviewingUnitId", p.kind as "kind", p.passed as "passed", p.starts_at as "startsAt", p.due_at as "dueAt",
          p.objection_id as "objectionId", k.once_key as "onceKey"
        from (
          select a.id, a.number, a.item_id, a.reviewing_unit_id, a.sample, 'REVIEW' as kind, 'WARNING' as passed,
            coalesce(a.review_clock_at, a.submitted_at) as starts_at, a.review_due_at as due_at, null::uuid as objection_id
          from ${applications} a
          where a.status in ${REVIEWING} and a.review_warn_at <= ${at} and a.review_warn_at > ${since} and a.review_due_at > ${at}
          union all
          select a.id, a.number, a.item_id, a.reviewing_unit_id, a.sample, 'PAYMENT', 'WARNING', a.approved_at, a.payment_due_at, null
          from ${applications} a
          where a.status in ${PAYING} and a.payment_warn_at <= ${at} and a.payment_warn_at > ${since} and a.payment_due_at > ${at}
          union all
          select a.id, a.number, a.item_id, a.reviewing_unit_id, a.sample,
            case when a.decided_at is null then 'REVIEW' else 'PAYMENT' end, 'OVERDUE',
            case when a.decided_at is null then coalesce(a.review_clock_at, a.submitted_at) else a.approved_at end, ${openDue}, null
          from ${applications} a
          where ${openDue} <= ${at} and ${openDue} > ${since}
            and (a.status in ${REVIEWING} or a.status in ${PAYING})
          union all
          select a.id, a.number, a.item_id, a.reviewing_unit_id, a.sample, 'OBJECTION_ANSWER', 'WARNING', o.filed_at, a.notice_ends_at, o.id
          from ${objections} o join ${applications} a on a.id = o.application_id
          where o.answered_at is null and o.answer_warn_at <= ${at} and o.answer_warn_at > ${since}
            and a.status = 'PUBLIC_NOTICE' and a.notice_ends_at > ${at} and ${UNMARKED}
          union all
          select a.id, a.number, a.item_id, a.reviewing_unit_id, a.sample, 'OBJECTION_ANSWER', 'OVERDUE', o.filed_at, a.notice_ends_at, o.id
          from ${applications} a join ${objections} o on o.application_id = a.id
          where a.status = 'PUBLIC_NOTICE' and a.notice_ends_at <= ${at} and a.notice_ends_at > ${since}
            and o.answered_at is null and ${UNMARKED}
        ) p
        cross join lateral (select 'limit:' || p.id || ':' || p.kind || ':'
          || coalesce(p.objection_id::text, floor(extract(epoch from p.starts_at) * 1000)::bigint::text) || ':' || p.passed as once_key) k
        where not p.sample and p.starts_at is not null
          and not exists (select 1 from ${outboxEvents} e where e.once_key = k.once_key)
        order by p.due_at, p.id limit 500`),
    );
    return rows.map((row) => ({ ...row, number: Number(row.number), startsAt: new Date(row.startsAt), dueAt: new Date(row.dueAt) }));
  },
};
