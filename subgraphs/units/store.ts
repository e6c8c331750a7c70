/**
 * Data access of the units subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the use cases can run them inside a transaction.
 */
import { and, arrayContains, arrayOverlaps, asc, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { escapeLike, lockKey, rowsOf, type Queryable } from '../../db/client.ts';
import { isUuid } from '../../platform/input.ts';
import { present } from '../../platform/invariant.ts';
import type { Db } from '../../db/client.ts';
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
/**
 * A well-formed credit code the registry does not have yet (an appeal named it): it resolves with
 * the district its region code names, and nothing the registry would say.
 */
export type UnregisteredEnterprise = {
  [K in keyof EnterpriseRow]: K extends 'creditCode' | 'sample' | 'qualifications' ? EnterpriseRow[K] : EnterpriseRow[K] | null;
} & {
  unregistered: true;
};
export type EnterpriseView = EnterpriseRow | UnregisteredEnterprise;
export type ChangeRow = typeof changeLog.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;
export type StepRow = typeof campaignSteps.$inferSelect;
export type EnvironmentRow = typeof environments.$inferSelect;
export type ProblemSourceRow = typeof problemSources.$inferSelect;
export type ObserverTeamRow = typeof observerTeams.$inferSelect;
export type IndustryRow = typeof industries.$inferSelect;

export interface UnitQuery {
  kind?: UnitRow['kind'] | null;
  level?: UnitRow['level'] | null;
  domainCode?: string | null;
  districtCode?: string | null;
  /** Already checked and trimmed (input.ts). */
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
  if (filter.search) {
    const pattern = `%${escapeLike(filter.search)}%`;
    const matches = or(
      ilike(units.name, pattern),
      ilike(units.code, pattern),
      sql`exists (select 1 from unnest(${units.aliases}) alias where alias ilike ${pattern})`,
    );
    conditions.push(present(matches, 'the OR of three conditions'));
  }
  return conditions;
}

export const unitStore = {
  async page(db: Queryable, filter: UnitQuery, limit: number, afterPosition: number | null): Promise<UnitRow[]> {
    const conditions = unitConditions(filter);
    if (afterPosition !== null) conditions.push(gt(units.position, afterPosition));
    return db
      .select()
      .from(units)
      .where(and(...conditions))
      .orderBy(asc(units.position))
      .limit(limit);
  },
  async count(db: Queryable, filter: UnitQuery): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(units)
      .where(and(...unitConditions(filter)));
    return row?.n ?? 0;
  },
  async byIds(db: Queryable, ids: readonly string[]): Promise<UnitRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return db.select().from(units).where(inArray(units.id, valid));
  },
  byCodes(db: Queryable, codes: readonly string[]): Promise<UnitRow[]> {
    return db
      .select()
      .from(units)
      .where(inArray(units.code, [...codes]));
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
    return present(row, 'the unit an INSERT … RETURNING wrote');
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
    db
      .select()
      .from(stepDeadlines)
      .where(inArray(stepDeadlines.stepCode, [...stepCodes]))
      .orderBy(asc(stepDeadlines.dueOn)),
  observerTeams: (db: Queryable) => db.select().from(observerTeams).orderBy(asc(observerTeams.position)),
  environments: (db: Queryable) => db.select().from(environments).orderBy(asc(environments.position)),
  problemSources: (db: Queryable) => db.select().from(problemSources).orderBy(asc(problemSources.position)),
  domains: (db: Queryable) => db.select().from(domains).orderBy(asc(domains.position)),
  domainsByCodes: (db: Queryable, codes: readonly string[]) =>
    db
      .select()
      .from(domains)
      .where(inArray(domains.code, [...codes])),
  districts: (db: Queryable) => db.select().from(districts).orderBy(asc(districts.position)),
  districtsByCodes: (db: Queryable, codes: readonly string[]) =>
    db
      .select()
      .from(districts)
      .where(inArray(districts.code, [...codes])),
  industries: (db: Queryable) => db.select().from(industries).orderBy(asc(industries.code)),
  industriesByCodes: (db: Queryable, codes: readonly string[]) =>
    db
      .select()
      .from(industries)
      .where(inArray(industries.code, [...codes])),
};

export interface EnterpriseQuery {
  districtCode?: string | null;
  /** Limits to what a district-level unit serves. */
  onlyDistrict?: string | null;
  /** Limits an enterprise to itself. */
  onlyCreditCode?: string | null;
  sizeClass?: EnterpriseRow['sizeClass'] | null;
  qualification?: EnterpriseRow['qualifications'][number] | null;
  search?: string | null;
  districtCodes?: string[] | null;
  industryCodePrefixes?: string[] | null;
  sizeClasses?: EnterpriseRow['sizeClass'][] | null;
  registeredOnOrBefore?: string | null;
  registeredAfter?: string | null;
  qualificationsAll?: EnterpriseRow['qualifications'] | null;
  qualificationsAny?: EnterpriseRow['qualifications'] | null;
}

/** A text[] parameter (drizzle would expand a JS array into a list of parameters). */
const textArray = (values: readonly string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

function enterpriseConditions(filter: EnterpriseQuery): SQL[] {
  const conditions: SQL[] = [];
  if (filter.districtCode) conditions.push(eq(enterprises.districtCode, filter.districtCode));
  if (filter.onlyDistrict) conditions.push(eq(enterprises.districtCode, filter.onlyDistrict));
  if (filter.onlyCreditCode) conditions.push(eq(enterprises.creditCode, filter.onlyCreditCode));
  if (filter.sizeClass) conditions.push(eq(enterprises.sizeClass, filter.sizeClass));
  if (filter.qualification) conditions.push(arrayContains(enterprises.qualifications, [filter.qualification]));
  if (filter.search) conditions.push(ilike(enterprises.name, `%${escapeLike(filter.search)}%`));
  if (filter.districtCodes) conditions.push(sql`${enterprises.districtCode} = any(${textArray(filter.districtCodes)})`);
  if (filter.industryCodePrefixes) {
    conditions.push(
      sql`exists (select 1 from unnest(${textArray(filter.industryCodePrefixes)}) as p(prefix) where starts_with(${enterprises.industryCode}, p.prefix))`,
    );
  }
  if (filter.sizeClasses) conditions.push(sql`${enterprises.sizeClass}::text = any(${textArray(filter.sizeClasses)})`);
  if (filter.registeredOnOrBefore) conditions.push(sql`${enterprises.registeredOn} <= ${filter.registeredOnOrBefore}::date`);
  if (filter.registeredAfter) conditions.push(sql`${enterprises.registeredOn} > ${filter.registeredAfter}::date`);
  if (filter.qualificationsAll) conditions.push(arrayContains(enterprises.qualifications, filter.qualificationsAll));
  if (filter.qualificationsAny) conditions.push(arrayOverlaps(enterprises.qualifications, filter.qualificationsAny));
  return conditions;
}

export const enterpriseStore = {
  byCodes(db: Queryable, codes: readonly string[]): Promise<EnterpriseRow[]> {
    return db
      .select()
      .from(enterprises)
      .where(inArray(enterprises.creditCode, [...codes]));
  },
  /**
   * The entity, locked for the transaction — and its credit code locked even while no row exists,
   * so two first registrations of one entity run one after the other (the second updates what the
   * first created) instead of the second failing on the key.
   */
  async lock(db: Queryable, code: string): Promise<EnterpriseRow | undefined> {
    await lockKey(db, 'units.enterprises', code);
    const [row] = await db.select().from(enterprises).where(eq(enterprises.creditCode, code)).for('update');
    return row;
  },
  page(db: Queryable, filter: EnterpriseQuery, limit: number, after: string | null): Promise<EnterpriseRow[]> {
    const conditions = enterpriseConditions(filter);
    if (after) conditions.push(gt(enterprises.creditCode, after));
    return db
      .select()
      .from(enterprises)
      .where(and(...conditions))
      .orderBy(asc(enterprises.creditCode))
      .limit(limit);
  },
  /** Only the credit codes, for services that act on many enterprises at once. */
  async codes(db: Queryable, filter: EnterpriseQuery, limit: number, after: string | null): Promise<string[]> {
    return (await enterpriseStore.named(db, filter, limit, after)).map((row) => row.code);
  },
  /** The credit codes with the names, and nothing else of the profiles (a public notice shows the name). */
  async named(db: Queryable, filter: EnterpriseQuery, limit: number, after: string | null): Promise<{ code: string; name: string }[]> {
    const conditions = enterpriseConditions(filter);
    if (after) conditions.push(gt(enterprises.creditCode, after));
    return db
      .select({ code: enterprises.creditCode, name: enterprises.name })
      .from(enterprises)
      .where(and(...conditions))
      .orderBy(asc(enterprises.creditCode))
      .limit(limit);
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
    return present(row, 'the enterprise an UPDATE of a locked row wrote');
  },
};

export const changeStore = {
  append(db: Queryable, entry: typeof changeLog.$inferInsert) {
    return db.insert(changeLog).values(entry);
  },
  page(db: Queryable, entity: string, key: string, limit: number, afterId: number | null): Promise<ChangeRow[]> {
    const conditions = [eq(changeLog.entity, entity), eq(changeLog.entityKey, key)];
    if (afterId !== null) conditions.push(gt(changeLog.id, afterId));
    return db
      .select()
      .from(changeLog)
      .where(and(...conditions))
      .orderBy(asc(changeLog.id))
      .limit(limit);
  },
  async count(db: Queryable, entity: string, key: string): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(changeLog)
      .where(and(eq(changeLog.entity, entity), eq(changeLog.entityKey, key)));
    return row?.n ?? 0;
  },
};

/** `excluded.<column>` for every listed column, for ON CONFLICT … DO UPDATE. */
function excluded(...columns: string[]) {
  return Object.fromEntries(
    columns.map((column) => [column, sql.raw(`excluded."${column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}"`)]),
  );
}

/** The plan's structure as rows, ready for `referenceStore.apply`. */
export interface ReferenceRows {
  campaign: typeof campaigns.$inferInsert;
  steps: (typeof campaignSteps.$inferInsert)[];
  deadlines: (typeof stepDeadlines.$inferInsert)[];
  environments: (typeof environments.$inferInsert)[];
  problemSources: (typeof problemSources.$inferInsert)[];
  observerTeams: (typeof observerTeams.$inferInsert)[];
  industries: (typeof industries.$inferInsert)[];
  districts: (typeof districts.$inferInsert)[];
  domains: (typeof domains.$inferInsert)[];
  units: (typeof units.$inferInsert & { id: string })[];
}

/**
 * Upserts the plan's own text (so a corrected transcription ships with the next release) and
 * inserts the units that are missing — never updates them: the command office edits units through
 * the API, and a restart must never undo its edits.
 */
export async function applyReference(db: Db, rows: ReferenceRows): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(campaigns)
      .values(rows.campaign)
      .onConflictDoUpdate({ target: campaigns.code, set: excluded('name', 'startsOn', 'endsOn', 'commandOfficeName', 'goals') });
    await tx
      .insert(campaignSteps)
      .values(rows.steps)
      .onConflictDoUpdate({ target: campaignSteps.code, set: excluded('position', 'name', 'aliases', 'throughout', 'notes') });
    if (rows.deadlines.length) await tx.insert(stepDeadlines).values(rows.deadlines).onConflictDoNothing();
    await tx
      .insert(environments)
      .values(rows.environments)
      .onConflictDoUpdate({ target: environments.code, set: excluded('position', 'name', 'action', 'targets') });
    await tx
      .insert(problemSources)
      .values(rows.problemSources)
      .onConflictDoUpdate({ target: problemSources.code, set: excluded('position', 'name') });
    await tx
      .insert(observerTeams)
      .values(rows.observerTeams)
      .onConflictDoUpdate({ target: observerTeams.code, set: excluded('position', 'name', 'firstIntake') });
    await tx
      .insert(industries)
      .values(rows.industries)
      .onConflictDoUpdate({ target: industries.code, set: excluded('name') });
    await tx
      .insert(districts)
      .values(rows.districts)
      .onConflictDoUpdate({ target: districts.code, set: excluded('position', 'name', 'kind', 'aliases') });
    await tx
      .insert(domains)
      .values(rows.domains)
      .onConflictDoUpdate({ target: domains.code, set: excluded('position', 'name') });
    // Only the missing ones, in plan order, so seeded units take the first positions and restarts
    // do not burn through the position sequence.
    const known = new Set((await tx.select({ id: units.id }).from(units)).map((row) => row.id));
    const missing = rows.units.filter((unit) => !known.has(unit.id));
    if (missing.length) await tx.insert(units).values(missing).onConflictDoNothing();
  });
}

/** Sample enterprises: inserted once, never over a real row. Returns how many were new. */
export async function insertSampleEnterprises(db: Queryable, rows: (typeof enterprises.$inferInsert)[]): Promise<number> {
  const inserted = await db
    .insert(enterprises)
    .values(rows)
    .onConflictDoNothing({ target: enterprises.creditCode })
    .returning({ code: enterprises.creditCode });
  return inserted.length;
}
