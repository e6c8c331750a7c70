/**
 * Data access of the financing slice: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the use cases can run them inside a transaction.
 */
import { and, arrayContains, asc, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { branches, changeLog, institutions } from '../../db/financing.ts';

export type InstitutionRow = typeof institutions.$inferSelect;
export type BranchRow = typeof branches.$inferSelect;
export type ChangeRow = typeof changeLog.$inferSelect;

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

export const institutionStore = {
  /** A page in the order they were added (created_at, id), after the cursor's row. */
  page(db: Queryable, filter: InstitutionQuery, limit: number, after: { at: Date; id: string } | null): Promise<InstitutionRow[]> {
    const conditions = institutionConditions(filter);
    if (after) {
      const later = or(gt(institutions.createdAt, after.at), and(eq(institutions.createdAt, after.at), gt(institutions.id, after.id)));
      if (later) conditions.push(later);
    }
    return db
      .select()
      .from(institutions)
      .where(and(...conditions))
      .orderBy(asc(institutions.createdAt), asc(institutions.id))
      .limit(limit);
  },
  async count(db: Queryable, filter: InstitutionQuery): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(institutions)
      .where(and(...institutionConditions(filter)));
    return row?.n ?? 0;
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
