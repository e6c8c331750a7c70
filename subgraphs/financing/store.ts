/**
 * Data access of the financing slice: every SQL statement it sends is built here, from its own
 * tables only. Functions take a `Queryable` so the use cases can run them inside a transaction.
 */
import { and, arrayContains, asc, eq, getTableColumns, gt, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SearchQuery } from '../../platform/search-text.ts';
import type { Queryable } from '../../db/client.ts';
import { branches, changeLog, institutions, products } from '../../db/financing.ts';

export type InstitutionRow = typeof institutions.$inferSelect;
export type BranchRow = typeof branches.$inferSelect;
export type ChangeRow = typeof changeLog.$inferSelect;
/** A product as the API reads it: everything but its search terms. */
export type ProductRow = Omit<typeof products.$inferSelect, 'terms'>;
export type ProductValues = typeof products.$inferInsert;

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
      const later = or(gt(products.createdAt, after.at), and(eq(products.createdAt, after.at), gt(products.id, after.id)));
      if (later) conditions.push(later);
    }
    return db
      .select(productColumns)
      .from(products)
      .where(and(...conditions))
      .orderBy(asc(products.createdAt), asc(products.id))
      .limit(limit);
  },
  async count(db: Queryable, filter: ProductQuery): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(products)
      .where(and(...productConditions(filter)));
    return row?.n ?? 0;
  },
  /** Every active product of an active institution offered in a district (what eligibility is judged on). */
  offeredIn: (db: Queryable, districtCode: string): Promise<ProductRow[]> =>
    db
      .select(productColumns)
      .from(products)
      .where(and(...productConditions({ districtCode, includeSuspended: false })))
      .orderBy(asc(products.createdAt), asc(products.id)),
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
