/**
 * Data access of the units subgraph: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the use cases can run them inside a transaction.
 */
import { and, arrayContains, arrayOverlaps, asc, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { escapeLike, lockKey, rowsOf, type Queryable } from '../../db/client.ts';
import { isUuid } from '../../platform/input.ts';
import { countUpTo, type CountLimit, type ListCount } from '../../platform/pagination.ts';
import { invariant, present } from '../../platform/invariant.ts';
import type { BulkTransaction, Db } from '../../db/client.ts';
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
  count(db: Queryable, filter: UnitQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(units)
        .where(and(...unitConditions(filter))),
      limit,
    );
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
  statuses?: EnterpriseRow['status'][] | null;
}

/** A text[] parameter (drizzle would expand a JS array into a list of parameters). */
const textArray = (values: readonly string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

/**
 * An array literal bound straight as an enum array (`$1::units.size_class[]`): the planner reads the
 * values and their statistics (cast from text[] it could not, and estimated a fifth of the table).
 */
const enumArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

function enterpriseConditions(filter: EnterpriseQuery): SQL[] {
  const conditions: SQL[] = [];
  if (filter.districtCode) conditions.push(eq(enterprises.districtCode, filter.districtCode));
  if (filter.onlyDistrict) conditions.push(eq(enterprises.districtCode, filter.onlyDistrict));
  if (filter.onlyCreditCode) conditions.push(eq(enterprises.creditCode, filter.onlyCreditCode));
  if (filter.sizeClass) conditions.push(eq(enterprises.sizeClass, filter.sizeClass));
  if (filter.qualification) conditions.push(arrayContains(enterprises.qualifications, [filter.qualification]));
  if (filter.search) conditions.push(ilike(enterprises.name, `%${escapeLike(filter.search)}%`));
  if (filter.districtCodes) conditions.push(sql`${enterprises.districtCode} = any(${textArray(filter.districtCodes)})`);
  if (filter.industryCodePrefixes) conditions.push(industryPrefixes(filter.industryCodePrefixes));
  if (filter.sizeClasses) conditions.push(sql`${enterprises.sizeClass} = any(${enumArray(filter.sizeClasses)}::units.size_class[])`);
  if (filter.registeredOnOrBefore) conditions.push(sql`${enterprises.registeredOn} <= ${filter.registeredOnOrBefore}::date`);
  if (filter.registeredAfter) conditions.push(sql`${enterprises.registeredOn} > ${filter.registeredAfter}::date`);
  if (filter.qualificationsAll) conditions.push(arrayContains(enterprises.qualifications, filter.qualificationsAll));
  if (filter.qualificationsAny) conditions.push(arrayOverlaps(enterprises.qualifications, filter.qualificationsAny));
  if (filter.statuses) conditions.push(sql`${enterprises.status} = any(${enumArray(filter.statuses)}::units.enterprise_status[])`);
  return conditions;
}

/** A GB/T 4754 code or prefix (C, C34, C348, C3484): the only text an industry filter puts into a statement. */
const INDUSTRY_PREFIX = /^[A-T](\d{2}(\d{1,2})?)?$/;

/**
 * The industry code starts with one of the prefixes, written as `LIKE 'C34%'` with the prefix in
 * the statement's text (checked against INDUSTRY_PREFIX: no wildcard, no quote can be in it), so
 * every plan, generic ones included, reads it as a range of enterprises_directory_idx.
 */
function industryPrefixes(prefixes: readonly string[]): SQL {
  const likes = prefixes.map((prefix) => {
    invariant(INDUSTRY_PREFIX.test(prefix), `an industry prefix checked by the input schema, not ${JSON.stringify(prefix)}`);
    return sql`${enterprises.industryCode} like ${sql.raw(`'${prefix}%'`)}`;
  });
  return sql`(${sql.join(likes, sql` or `)})`;
}

/** Up to this many matches an enterprise list counts exactly; beyond, its totalCount is PostgreSQL's estimate, marked as such. */
export const ENTERPRISE_EXACT_COUNT_UP_TO = 10_000;

/** An enterprise list's totalCount: exact up to ENTERPRISE_EXACT_COUNT_UP_TO, an estimate above. */
export interface EnterpriseTally {
  count: number;
  estimate: boolean;
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
  count(db: Queryable, filter: EnterpriseQuery, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(enterprises)
        .where(and(...enterpriseConditions(filter))),
      limit,
    );
  },
  /**
   * The list's count: the matches counted up to one past ENTERPRISE_EXACT_COUNT_UP_TO (a few
   * thousand index entries at most), and when there are more, the planner's estimate of the
   * statement (EXPLAIN: the column statistics, nothing read) — never less than what was counted.
   * Counting 119,000 matches exactly took 40–80 ms at 2,008,000 entities on a busy machine.
   */
  async tally(db: Queryable, filter: EnterpriseQuery): Promise<EnterpriseTally> {
    const where = and(...enterpriseConditions(filter));
    const [counted] = rowsOf<{ n: number }>(
      await db.execute(
        sql`select count(*)::int as n from (select 1 from ${enterprises} where ${where ?? sql`true`} limit ${ENTERPRISE_EXACT_COUNT_UP_TO + 1}) as m`,
      ),
    );
    const n = Number(counted?.n ?? 0);
    if (n <= ENTERPRISE_EXACT_COUNT_UP_TO) return { count: n, estimate: false };
    const [plan] = rowsOf<{ 'QUERY PLAN': unknown }>(
      await db.execute(sql`explain (format json) select 1 from ${enterprises} where ${where ?? sql`true`}`),
    );
    const parsed = (typeof plan?.['QUERY PLAN'] === 'string' ? JSON.parse(plan['QUERY PLAN']) : plan?.['QUERY PLAN']) as
      { Plan?: { 'Plan Rows'?: number } }[] | undefined;
    const estimated = Math.round(Number(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0));
    return { count: Math.max(n, estimated), estimate: true };
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
  count(db: Queryable, entity: string, key: string, limit: CountLimit): Promise<ListCount> {
    return countUpTo(
      db,
      db
        .select({ one: sql`1` })
        .from(changeLog)
        .where(and(eq(changeLog.entity, entity), eq(changeLog.entityKey, key))),
      limit,
    );
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

/** Who an import writes the change log as. */
export interface ImportActor {
  subject: string;
  role: string;
  unitId: string | null;
}

/** The counts of one import's merge. */
export interface MergeCounts {
  loaded: number;
  updated: number;
  deregistered: number;
}

/** One staged row as the staging table takes it (cells as text). */
export type StagingTuple = readonly (string | null)[];

/** The staging table's columns, in the order of a `StagingTuple`. */
export const STAGING_COLUMNS = [
  'line',
  'credit_code',
  'code_ok',
  'name',
  'district_code',
  'industry_code',
  'size_class',
  'registered_on',
  'qualifications',
  'status',
  'problem_column',
  'problem_value',
  'problem_zh',
  'problem_en',
] as const;

/** An enterprise row as the change log keeps it (the same JSON as `recordChange` writes: camelCase keys, ISO times). */
function snapshotSql(alias: string): string {
  const iso = (column: string) => `to_char(${alias}.${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `jsonb_build_object('creditCode', ${alias}.credit_code, 'name', ${alias}.name, 'districtCode', ${alias}.district_code,
    'industryCode', ${alias}.industry_code, 'sizeClass', ${alias}.size_class, 'registeredOn', ${alias}.registered_on,
    'qualifications', to_jsonb(${alias}.qualifications), 'status', ${alias}.status, 'sample', ${alias}.sample,
    'version', ${alias}.version, 'createdAt', ${iso('created_at')}, 'updatedAt', ${iso('updated_at')})`;
}

/** The change log entries of the rows a CTE `source` returned (`credit_code`, `before`, `after`), as the import's actor. */
const logFrom = (source: string, action: string) =>
  `insert into units.change_log (entity, entity_key, action, actor_subject, actor_role, actor_unit_id, before, after, at)
   select 'enterprise', credit_code, '${action}', $2, $3, $4::uuid, before, after, $1::timestamptz from ${source}`;

/**
 * The market-entity registry's bulk import (use-cases/registry-import.ts): a staging table of
 * this transaction (dropped at its end, whatever happens), rows streamed in, duplicates found,
 * rejected rows read back in line order, then the merge — set-based, three statements — into
 * `units.enterprises` with one change-log entry per created, changed or deregistered entity.
 */
export const registryImportStore = {
  /** The staging table; `unbounded` (the command line) lifts the serving role's statement timeout for this transaction. */
  async prepare(tx: BulkTransaction, unbounded: boolean): Promise<void> {
    if (unbounded) {
      await tx.query(`set local statement_timeout = 0`);
      await tx.query(`set local work_mem = '128MB'`);
    }
    await tx.query(
      `create temp table registry_staging (line integer not null, credit_code text, code_ok boolean not null, name text,
        district_code text, industry_code text, size_class text, registered_on text, qualifications text, status text,
        problem_column text, problem_value text, problem_zh text, problem_en text) on commit drop`,
    );
  },
  stage(tx: BulkTransaction, rows: AsyncIterable<StagingTuple>): Promise<void> {
    return tx.copyIn('registry_staging', STAGING_COLUMNS, rows);
  },
  /**
   * Rejects every row of a credit code the file has more than once (none of them is loaded: which
   * one is right cannot be told), unless the row was already rejected for something else.
   * `reason` holds `{lines}`, replaced by the lines (zh: 3、7; en: 3, 7).
   */
  async rejectDuplicates(tx: BulkTransaction, reason: { zh: string; en: string }): Promise<void> {
    await tx.query(
      `update registry_staging s set problem_column = 'credit_code', problem_value = s.credit_code,
         problem_zh = replace($1, '{lines}', d.lines_zh), problem_en = replace($2, '{lines}', d.lines_en)
       from (select credit_code, string_agg(line::text, '、' order by line) as lines_zh, string_agg(line::text, ', ' order by line) as lines_en
               from registry_staging where code_ok group by credit_code having count(*) > 1) d
       where s.credit_code = d.credit_code and s.problem_column is null`,
      [reason.zh, reason.en],
    );
    await tx.query(`analyze registry_staging`);
  },
  async counts(tx: BulkTransaction): Promise<{ rows: number; rejected: number }> {
    const [row] = await tx.query<{ rows: number; rejected: number }>(
      `select count(*)::int as rows, (count(*) filter (where problem_column is not null))::int as rejected from registry_staging`,
    );
    return row ?? { rows: 0, rejected: 0 };
  },
  rejects(tx: BulkTransaction, size: number) {
    return tx.cursor<{ line: number; column: string; value: string | null; zh: string; en: string }>(
      `select line, problem_column as column, problem_value as value, problem_zh as zh, problem_en as en
         from registry_staging where problem_column is not null order by line`,
      [],
      size,
    );
  },
  /**
   * The merge, after a lock that lets readers on and keeps other writers of the registry (an
   * `upsertEnterprise`, another import) waiting until it commits: new entities inserted, changed
   * ones updated (version + 1; a sample row becomes real), and — for a full snapshot — every
   * entity the file does not name at all (sample rows aside) deregistered.
   */
  async merge(tx: BulkTransaction, now: Date, actor: ImportActor, fullSnapshot: boolean): Promise<MergeCounts> {
    const params = [now.toISOString(), actor.subject, actor.role, actor.unitId];
    await tx.query(`lock table units.enterprises in share row exclusive mode`);
    const [inserted] = await tx.query<{ n: number }>(
      `with inserted as (
         insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, qualifications, status, sample, version, created_at, updated_at)
         select s.credit_code, s.name, s.district_code, s.industry_code, s.size_class::units.size_class, s.registered_on::date,
                s.qualifications::units.qualification[], s.status::units.enterprise_status, false, 1, $1::timestamptz, $1::timestamptz
           from registry_staging s
          where s.problem_column is null and not exists (select 1 from units.enterprises e where e.credit_code = s.credit_code)
          -- In key order: the indexes grow at their right edge instead of at random pages (2M rows: less than half the time).
          order by s.credit_code
         returning *),
       entries as (select credit_code, null::jsonb as before, ${snapshotSql('inserted')} as after from inserted),
       logged as (${logFrom('entries', 'create')})
       select count(*)::int as n from inserted`,
      params,
    );
    const [updated] = await tx.query<{ n: number }>(
      `with changed as (
         select s.*, ${snapshotSql('e')} as before from registry_staging s join units.enterprises e on e.credit_code = s.credit_code
          where s.problem_column is null and (e.sample or e.name is distinct from s.name or e.district_code is distinct from s.district_code
             or e.industry_code is distinct from s.industry_code or e.size_class::text is distinct from s.size_class
             or e.registered_on is distinct from s.registered_on::date or e.status::text is distinct from s.status
             or not (e.qualifications @> s.qualifications::units.qualification[] and e.qualifications <@ s.qualifications::units.qualification[]))),
       updated as (
         update units.enterprises e set name = c.name, district_code = c.district_code, industry_code = c.industry_code,
                size_class = c.size_class::units.size_class, registered_on = c.registered_on::date,
                qualifications = c.qualifications::units.qualification[], status = c.status::units.enterprise_status,
                sample = false, version = e.version + 1, updated_at = $1::timestamptz
           from changed c where e.credit_code = c.credit_code
         returning e.*, c.before),
       entries as (select credit_code, before, ${snapshotSql('updated')} as after from updated),
       logged as (${logFrom('entries', 'update')})
       select count(*)::int as n from updated`,
      params,
    );
    let deregistered = 0;
    if (fullSnapshot) {
      const [gone] = await tx.query<{ n: number }>(
        `with absent as (
           select e.credit_code, ${snapshotSql('e')} as before from units.enterprises e
            where e.status <> 'DEREGISTERED' and not e.sample
              and not exists (select 1 from registry_staging s where s.credit_code = e.credit_code)),
         updated as (
           update units.enterprises e set status = 'DEREGISTERED', version = e.version + 1, updated_at = $1::timestamptz
             from absent a where e.credit_code = a.credit_code
           returning e.*, a.before),
         entries as (select credit_code, before, ${snapshotSql('updated')} as after from updated),
         logged as (${logFrom('entries', 'deregister')})
         select count(*)::int as n from updated`,
        params,
      );
      deregistered = gone?.n ?? 0;
    }
    return { loaded: inserted?.n ?? 0, updated: updated?.n ?? 0, deregistered };
  },
  /** The districts and industry sections a row may name. */
  async reference(db: Queryable): Promise<{ districts: string[]; industrySections: string[] }> {
    const [districtRows, industryRows] = await Promise.all([
      db.select({ code: districts.code }).from(districts),
      db.select({ code: industries.code }).from(industries),
    ]);
    return { districts: districtRows.map((row) => row.code), industrySections: industryRows.map((row) => row.code) };
  },
};
