/**
 * Data access of the units subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the service can run them inside a transaction.
 */
import { and, asc, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { escapeLike, rowsOf, type Queryable } from '../../db/client.ts';
import { isUuid } from '../shared/validation.ts';
import {
  campaigns,
  campaignSteps,
  changeLog,
  districts,
  domains,
  enterprises,
  environments,
  industries,
  observerTeams,
  problemSources,
  stepDeadlines,
  units,
} from '../../db/units.ts';

export type UnitRow = typeof units.$inferSelect;
export type DomainRow = typeof domains.$inferSelect;
export type DistrictRow = typeof districts.$inferSelect;
export type EnterpriseRow = typeof enterprises.$inferSelect;
export type ChangeRow = typeof changeLog.$inferSelect;

export interface UnitQuery {
  kind?: UnitRow['kind'] | null;
  level?: UnitRow['level'] | null;
  domainCode?: string | null;
  districtCode?: string | null;
  search?: string | null;
  includeArchived?: boolean | null;
}

function unitConditions(filter: UnitQuery): SQL[] {
  const conditions: SQL[] = [];
  if (!filter.includeArchived) conditions.push(isNull(units.archivedAt));
  if (filter.kind) conditions.push(eq(units.kind, filter.kind));
  if (filter.level) conditions.push(eq(units.level, filter.level));
  if (filter.domainCode) conditions.push(eq(units.domainCode, filter.domainCode));
  if (filter.districtCode) conditions.push(eq(units.districtCode, filter.districtCode));
  if (filter.search?.trim()) {
    const pattern = `%${escapeLike(filter.search.trim())}%`;
    conditions.push(
      or(
        ilike(units.name, pattern),
        ilike(units.code, pattern),
        sql`exists (select 1 from unnest(${units.aliases}) alias where alias ilike ${pattern})`,
      )!,
    );
  }
  return conditions;
}


export const unitStore = {
  async page(db: Queryable, filter: UnitQuery, limit: number, afterPosition: number | null): Promise<UnitRow[]> {
    const conditions = unitConditions(filter);
    if (afterPosition !== null) conditions.push(gt(units.position, afterPosition));
    return db.select().from(units).where(and(...conditions)).orderBy(asc(units.position)).limit(limit);
  },
  async count(db: Queryable, filter: UnitQuery): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(units).where(and(...unitConditions(filter)));
    return row?.n ?? 0;
  },
  async byIds(db: Queryable, ids: readonly string[]): Promise<UnitRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return db.select().from(units).where(inArray(units.id, valid));
  },
  byCodes(db: Queryable, codes: readonly string[]): Promise<UnitRow[]> {
    return db.select().from(units).where(inArray(units.code, [...codes]));
  },
  /** Active units of the given domains, in directory order. */
  activeByDomains(db: Queryable, domainCodes: readonly string[]): Promise<UnitRow[]> {
    return db
      .select()
      .from(units)
      .where(and(inArray(units.domainCode, [...domainCodes]), isNull(units.archivedAt)))
      .orderBy(asc(units.position));
  },
  /** Active units standing for the given districts. */
  districtUnits(db: Queryable, districtCodes: readonly string[]): Promise<UnitRow[]> {
    return db
      .select()
      .from(units)
      .where(and(inArray(units.districtCode, [...districtCodes]), eq(units.kind, 'DISTRICT'), isNull(units.archivedAt)))
      .orderBy(asc(units.position));
  },
  commandOffice(db: Queryable): Promise<UnitRow[]> {
    return db
      .select()
      .from(units)
      .where(and(eq(units.kind, 'COMMAND_OFFICE'), isNull(units.archivedAt)))
      .orderBy(asc(units.position))
      .limit(1);
  },
  async insert(db: Queryable, values: typeof units.$inferInsert): Promise<UnitRow> {
    const [row] = await db.insert(units).values(values).returning();
    return row!;
  },
  /** Updates only if the version still matches: the caller learns about a lost race. */
  async update(db: Queryable, id: string, version: number, values: Partial<typeof units.$inferInsert>): Promise<UnitRow | undefined> {
    const [row] = await db
      .update(units)
      .set({ ...values, version: sql`${units.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(units.id, id), eq(units.version, version)))
      .returning();
    return row;
  },
  /** Locks the row for the rest of the transaction so concurrent edits queue instead of interleaving. */
  async lock(db: Queryable, id: string): Promise<UnitRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await db.select().from(units).where(eq(units.id, id)).for('update');
    return row;
  },
  /** Whether `ancestorId` sits above `id` in the parent chain (a cycle check before re-parenting). */
  async isAncestor(db: Queryable, ancestorId: string, id: string): Promise<boolean> {
    const result = await db.execute(sql`
      with recursive chain(id, parent_id) as (
        select id, parent_id from ${units} where id = ${ancestorId}
        union
        select u.id, u.parent_id from ${units} u join chain c on u.id = c.parent_id
      )
      select exists(select 1 from chain where id = ${id}) as found`);
    return Boolean(rowsOf<{ found: boolean }>(result)[0]?.found);
  },
};

export const referenceStore = {
  campaign: (db: Queryable) => db.select().from(campaigns).limit(1),
  steps: (db: Queryable) => db.select().from(campaignSteps).orderBy(asc(campaignSteps.position)),
  deadlines: (db: Queryable, stepCodes: readonly string[]) =>
    db.select().from(stepDeadlines).where(inArray(stepDeadlines.stepCode, [...stepCodes])).orderBy(asc(stepDeadlines.dueOn)),
  observerTeams: (db: Queryable) => db.select().from(observerTeams).orderBy(asc(observerTeams.position)),
  environments: (db: Queryable) => db.select().from(environments).orderBy(asc(environments.position)),
  problemSources: (db: Queryable) => db.select().from(problemSources).orderBy(asc(problemSources.position)),
  domains: (db: Queryable) => db.select().from(domains).orderBy(asc(domains.position)),
  domainsByCodes: (db: Queryable, codes: readonly string[]) => db.select().from(domains).where(inArray(domains.code, [...codes])),
  districts: (db: Queryable) => db.select().from(districts).orderBy(asc(districts.position)),
  districtsByCodes: (db: Queryable, codes: readonly string[]) =>
    db.select().from(districts).where(inArray(districts.code, [...codes])),
  industries: (db: Queryable) => db.select().from(industries).orderBy(asc(industries.code)),
  industriesByCodes: (db: Queryable, codes: readonly string[]) =>
    db.select().from(industries).where(inArray(industries.code, [...codes])),
};

export interface EnterpriseQuery {
  districtCode?: string | null;
  /** Limits to what a district-level unit serves. */
  onlyDistrict?: string | null;
  sizeClass?: EnterpriseRow['sizeClass'] | null;
  search?: string | null;
}

function enterpriseConditions(filter: EnterpriseQuery): SQL[] {
  const conditions: SQL[] = [];
  if (filter.districtCode) conditions.push(eq(enterprises.districtCode, filter.districtCode));
  if (filter.onlyDistrict) conditions.push(eq(enterprises.districtCode, filter.onlyDistrict));
  if (filter.sizeClass) conditions.push(eq(enterprises.sizeClass, filter.sizeClass));
  if (filter.search?.trim()) conditions.push(ilike(enterprises.name, `%${escapeLike(filter.search.trim())}%`));
  return conditions;
}

export const enterpriseStore = {
  byCodes(db: Queryable, codes: readonly string[]): Promise<EnterpriseRow[]> {
    return db.select().from(enterprises).where(inArray(enterprises.creditCode, [...codes]));
  },
  async lock(db: Queryable, code: string): Promise<EnterpriseRow | undefined> {
    const [row] = await db.select().from(enterprises).where(eq(enterprises.creditCode, code)).for('update');
    return row;
  },
  page(db: Queryable, filter: EnterpriseQuery, limit: number, after: string | null): Promise<EnterpriseRow[]> {
    const conditions = enterpriseConditions(filter);
    if (after) conditions.push(gt(enterprises.creditCode, after));
    return db.select().from(enterprises).where(and(...conditions)).orderBy(asc(enterprises.creditCode)).limit(limit);
  },
  async count(db: Queryable, filter: EnterpriseQuery): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(enterprises)
      .where(and(...enterpriseConditions(filter)));
    return row?.n ?? 0;
  },
  async insert(db: Queryable, values: typeof enterprises.$inferInsert): Promise<EnterpriseRow | undefined> {
    const [row] = await db.insert(enterprises).values(values).onConflictDoNothing().returning();
    return row;
  },
  async update(db: Queryable, code: string, values: Partial<typeof enterprises.$inferInsert>): Promise<EnterpriseRow> {
    const [row] = await db
      .update(enterprises)
      .set({ ...values, version: sql`${enterprises.version} + 1`, updatedAt: sql`now()` })
      .where(eq(enterprises.creditCode, code))
      .returning();
    return row!;
  },
};

export const changeStore = {
  append(db: Queryable, entry: typeof changeLog.$inferInsert) {
    return db.insert(changeLog).values(entry);
  },
  page(db: Queryable, entity: string, key: string, limit: number, afterId: number | null): Promise<ChangeRow[]> {
    const conditions = [eq(changeLog.entity, entity), eq(changeLog.entityKey, key)];
    if (afterId !== null) conditions.push(gt(changeLog.id, afterId));
    return db.select().from(changeLog).where(and(...conditions)).orderBy(asc(changeLog.id)).limit(limit);
  },
  async count(db: Queryable, entity: string, key: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(changeLog)
      .where(and(eq(changeLog.entity, entity), eq(changeLog.entityKey, key)));
    return row?.n ?? 0;
  },
};
