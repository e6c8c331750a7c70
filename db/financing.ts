/**
 * Tables of the financing slice (青融通, owned by 市地方金融监管局), in the Postgres schema
 * `financing`. No other slice reads these: institutions and their branches reach other slices
 * through federation.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const financingSchema = pgSchema('financing');

/** 银行、融资担保公司、小额贷款公司. */
export const institutionKind = financingSchema.enum('institution_kind', ['BANK', 'GUARANTEE_COMPANY', 'SMALL_LOAN_COMPANY']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** A financial institution of the city's financial network (the 57), kept by the regulator. */
export const institutions = financingSchema.table(
  'institutions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    kind: institutionKind('kind').notNull(),
    creditCode: text('credit_code').notNull(),
    /** The districts it serves (GB/T 2260 codes). */
    districtCodes: text('district_codes').array().notNull(),
    contact: text('contact').notNull(),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    sample: boolean('sample').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('institutions_name_key').on(table.name),
    uniqueIndex('institutions_credit_code_key').on(table.creditCode),
    index('institutions_created_idx').on(table.createdAt, table.id),
  ],
);

/** A branch (网点) of an institution: what is routed to it, it sees; the 546 of the network. */
export const branches = financingSchema.table(
  'branches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    /** The district it sits in, which it serves. */
    districtCode: text('district_code').notNull(),
    contact: text('contact').notNull(),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    sample: boolean('sample').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('branches_institution_name_key').on(table.institutionId, table.name),
    index('branches_district_idx').on(table.districtCode),
  ],
);

/** 金融产品超市's categories: 信用贷, 抵押贷, 担保贷, 供应链金融, 知识产权质押, 首贷, 续贷, 涉农, 政策性. */
export const productCategory = financingSchema.enum('product_category', [
  'CREDIT',
  'MORTGAGE',
  'GUARANTEED',
  'SUPPLY_CHAIN',
  'IP_PLEDGE',
  'FIRST_LOAN',
  'RENEWAL',
  'AGRICULTURE',
  'POLICY',
]);

/** How a loan is secured: pure credit, collateral, pledge, a guarantor, or a mix. */
export const guaranteeMode = financingSchema.enum('guarantee_mode', ['PURE_CREDIT', 'MORTGAGE', 'PLEDGE', 'GUARANTEE', 'COMBINED']);

/** Which LPR a product's rate is quoted over. */
export const lprTenor = financingSchema.enum('lpr_tenor', ['ONE_YEAR', 'FIVE_YEAR']);

export const productStatus = financingSchema.enum('product_status', ['ACTIVE', 'SUSPENDED']);

/** A tsvector column; written from a literal built in TypeScript (platform/search-text.ts), read only by the database. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** Who a product is for, in the policies slice's structured form (subgraphs/financing/eligibility.ts). */
export interface ProductEligibility {
  industryPrefixes: string[];
  sizeClasses: ('LARGE' | 'MEDIUM' | 'SMALL' | 'MICRO')[];
  districtCodes: string[];
  minYears: number | null;
  maxYears: number | null;
  qualifications: string[];
  qualificationMatch: 'ANY' | 'ALL';
}

/** A loan product of an institution (金融产品超市): amounts in yuan, terms in months, rates as LPR + basis points. */
export const products = financingSchema.table(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    category: productCategory('category').notNull(),
    description: text('description').notNull(),
    amountMin: bigint('amount_min', { mode: 'number' }).notNull(),
    amountMax: bigint('amount_max', { mode: 'number' }).notNull(),
    termMin: integer('term_min').notNull(),
    termMax: integer('term_max').notNull(),
    lprTenor: lprTenor('lpr_tenor').notNull(),
    spreadMinBp: integer('spread_min_bp').notNull(),
    spreadMaxBp: integer('spread_max_bp').notNull(),
    guaranteeMode: guaranteeMode('guarantee_mode').notNull(),
    /** The districts it is offered in (GB/T 2260 codes). */
    districtCodes: text('district_codes').array().notNull(),
    eligibility: jsonb('eligibility').$type<ProductEligibility>().notNull(),
    status: productStatus('status').notNull().default('ACTIVE'),
    /** Search terms of the name and description (character bigrams). */
    terms: tsvector('terms').notNull(),
    sample: boolean('sample').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('products_institution_name_key').on(table.institutionId, table.name),
    index('products_created_idx').on(table.createdAt, table.id),
    index('products_category_idx').on(table.category, table.status),
    index('products_terms_idx').using('gin', table.terms),
  ],
);

/** Every change of an institution or a branch, with the row before and after: append-only (by trigger). */
export const changeLog = financingSchema.table(
  'change_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    entity: text('entity').notNull(),
    entityKey: text('entity_key').notNull(),
    action: text('action').notNull(),
    actorIssuer: text('actor_issuer'),
    actorRole: text('actor_role').notNull(),
    actorSubject: text('actor_subject').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamp('at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (table) => [index('change_log_entity_idx').on(table.entity, table.entityKey, table.id)],
);
