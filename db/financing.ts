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
  date,
  index,
  primaryKey,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { outboxTables } from './outbox.ts';

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

/** Where a demand came from: this platform, or imported from 信易贷, 融资通, 金农通 or a department's offline collection. */
export const demandSource = financingSchema.enum('demand_source', ['PLATFORM', 'XINYIDAI', 'RONGZITONG', 'JINNONGTONG', 'OFFLINE']);

/** A demand's state: OPEN (in the pool) → CLAIMED → CONTACTED → APPROVED → DISBURSED; or DECLINED, or WITHDRAWN. */
export const demandStatus = financingSchema.enum('demand_status', [
  'OPEN',
  'CLAIMED',
  'CONTACTED',
  'APPROVED',
  'DISBURSED',
  'DECLINED',
  'WITHDRAWN',
]);

/** How an institution came to hold a demand: it won the race, the regulator dispatched it, or the enterprise chose it. */
export const holdKind = financingSchema.enum('hold_kind', ['CLAIMED', 'DISPATCHED', 'CHOSEN']);

export const declineReason = financingSchema.enum('decline_reason', [
  'NOT_ELIGIBLE',
  'POOR_CREDIT',
  'INSUFFICIENT_GUARANTEE',
  'WEAK_FINANCES',
  'INCOMPLETE_MATERIALS',
  'ENTERPRISE_DECLINED',
  'OTHER',
]);

/** Five levels, as 好差评. */
export const financingRating = financingSchema.enum('financing_rating', [
  'VERY_SATISFIED',
  'SATISFIED',
  'BASICALLY_SATISFIED',
  'UNSATISFIED',
  'VERY_UNSATISFIED',
]);

/**
 * A financing demand (融资需求): what the enterprise asks for, the profile facts it was routed on
 * (read from the units slice when posted), and who holds it now. Amounts in yuan, terms in months.
 */
export const demands = financingSchema.table(
  'demands',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: demandSource('source').notNull(),
    /** Its reference in the source it was imported from (null for PLATFORM). */
    externalRef: text('external_ref'),
    /** The client's request id of a post: a retry with it is the same demand. */
    clientRequestId: text('client_request_id'),
    creditCode: text('credit_code').notNull(),
    enterpriseName: text('enterprise_name').notNull(),
    contact: text('contact').notNull(),
    industryCode: text('industry_code').notNull(),
    districtCode: text('district_code').notNull(),
    sizeClass: text('size_class').$type<'LARGE' | 'MEDIUM' | 'SMALL' | 'MICRO'>().notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    termMonths: integer('term_months').notNull(),
    purpose: text('purpose').notNull(),
    guaranteeOffered: guaranteeMode('guarantee_offered').notNull(),
    firstLoan: boolean('first_loan').notNull(),
    wantedProductIds: uuid('wanted_product_ids').array().notNull(),
    /** The product category it is counted under: the first wanted product's, else as the demand reads (subgraphs/financing/routing.ts). */
    category: productCategory('category').notNull(),
    creditReportConsent: boolean('credit_report_consent').notNull(),
    status: demandStatus('status').notNull().default('OPEN'),
    /** How many institutions it was routed to when posted. */
    routedCount: integer('routed_count').notNull().default(0),
    institutionId: uuid('institution_id').references(() => institutions.id),
    branchId: uuid('branch_id').references(() => branches.id),
    heldBy: holdKind('held_by'),
    heldAt: timestamp('held_at', { withTimezone: true }),
    approvedAmount: bigint('approved_amount', { mode: 'number' }),
    declineReason: declineReason('decline_reason'),
    declineText: text('decline_text'),
    rating: financingRating('rating'),
    ratingComment: text('rating_comment'),
    /** When it was disbursed, declined or withdrawn. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull(),
    sample: boolean('sample').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('demands_source_ref_key')
      .on(table.source, table.externalRef)
      .where(sql`${table.externalRef} is not null`),
    uniqueIndex('demands_client_request_key')
      .on(table.creditCode, table.clientRequestId)
      .where(sql`${table.clientRequestId} is not null`),
    index('demands_posted_idx').on(table.postedAt, table.id),
    index('demands_enterprise_idx').on(table.creditCode, table.postedAt),
    index('demands_institution_idx').on(table.institutionId, table.postedAt),
    index('demands_status_idx').on(table.status, table.postedAt),
    // The regulator's list filters by channel and district too (#28 §1b): without these a channel
    // with few demands (融资通, 金农通, offline) was a scan of all 200,000, and a district within a
    // status read every demand of the status to keep a tenth.
    index('demands_source_idx').on(table.source, table.postedAt),
    index('demands_district_idx').on(table.districtCode, table.postedAt),
  ],
);

/** 一键直达: the institutions (and the branch of each in the demand's district, if any) a demand was routed to. */
export const demandRoutes = financingSchema.table(
  'demand_routes',
  {
    demandId: uuid('demand_id')
      .notNull()
      .references(() => demands.id),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    branchId: uuid('branch_id').references(() => branches.id),
    routedAt: timestamp('routed_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.demandId, table.institutionId] }),
    index('demand_routes_institution_idx').on(table.institutionId, table.routedAt),
    index('demand_routes_branch_idx').on(table.branchId, table.routedAt),
  ],
);

export const demandEventKind = financingSchema.enum('demand_event_kind', [
  'POSTED',
  'IMPORTED',
  'ROUTED',
  'CLAIMED',
  'CHOSEN',
  'DISPATCHED',
  'RETURNED',
  'CONTACTED',
  'APPROVED',
  'DISBURSED',
  'DECLINED',
  'WITHDRAWN',
  'RECEIVED',
  'RATED',
]);

/** Every step of a demand, written in the same transaction as the step: append-only (by trigger). */
export const demandEvents = financingSchema.table(
  'demand_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    demandId: uuid('demand_id')
      .notNull()
      .references(() => demands.id),
    kind: demandEventKind('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    institutionId: uuid('institution_id'),
    branchId: uuid('branch_id'),
    actorIssuer: text('actor_issuer'),
    actorRole: text('actor_role').notNull(),
    actorSubject: text('actor_subject').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    note: text('note'),
    /** What the step carried (amounts, reasons, the loan), as the step wrote it. */
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (table) => [index('demand_events_demand_idx').on(table.demandId, table.id), index('demand_events_at_idx').on(table.at)],
);

export const limitKind = financingSchema.enum('limit_kind', ['CLAIM', 'CONTACT', 'DECISION']);

/**
 * A time limit of a demand, in working days of the platform's calendar: to be claimed after posting,
 * and for the holder to contact and to decide after the claim. Evidence: a limit that stops unmet
 * (the claim lapsed and the demand went back to the pool, or the enterprise withdrew) keeps its due
 * time and the instant it ended; lapsed ones count against the institution for good.
 */
export const demandLimits = financingSchema.table(
  'demand_limits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    demandId: uuid('demand_id')
      .notNull()
      .references(() => demands.id),
    kind: limitKind('kind').notNull(),
    /** The institution whose clock it is (null for the claim limit). */
    institutionId: uuid('institution_id'),
    branchId: uuid('branch_id'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    workingDays: integer('working_days').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    warnAt: timestamp('warn_at', { withTimezone: true }).notNull(),
    /** The calendar year the due time is provisional for (weekends the only days off); null when final. */
    pendingCalendarYear: integer('pending_calendar_year'),
    metAt: timestamp('met_at', { withTimezone: true }),
    /** When it stopped unmet: lapsed (at or after dueAt) or cancelled (before). */
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (table) => [
    index('demand_limits_demand_idx').on(table.demandId, table.id),
    index('demand_limits_running_idx')
      .on(table.dueAt)
      .where(sql`${table.metAt} is null and ${table.endedAt} is null`),
    index('demand_limits_institution_idx').on(table.institutionId, table.dueAt),
  ],
);

/** A loan disbursed on a demand (partial amounts are normal); the rate in basis points. */
export const loans = financingSchema.table(
  'loans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    demandId: uuid('demand_id')
      .notNull()
      .references(() => demands.id),
    creditCode: text('credit_code').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    branchId: uuid('branch_id').references(() => branches.id),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    disbursedOn: date('disbursed_on').notNull(),
    rateBp: integer('rate_bp').notNull(),
    termMonths: integer('term_months').notNull(),
    guaranteeMode: guaranteeMode('guarantee_mode').notNull(),
    pureCredit: boolean('pure_credit').notNull(),
    firstLoan: boolean('first_loan').notNull(),
    loanRef: text('loan_ref').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('loans_demand_key').on(table.demandId),
    uniqueIndex('loans_institution_ref_key').on(table.institutionId, table.loanRef),
    index('loans_enterprise_idx').on(table.creditCode, table.disbursedOn),
  ],
);

/** The time limits the regulator set, each from an instant on: append-only, the latest in force. */
export const limitSettings = financingSchema.table('limit_settings', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  claimWorkingDays: integer('claim_working_days').notNull(),
  contactWorkingDays: integer('contact_working_days').notNull(),
  decisionWorkingDays: integer('decision_working_days').notNull(),
  since: timestamp('since', { withTimezone: true }).notNull(),
  actorSubject: text('actor_subject').notNull(),
  actorUnitId: uuid('actor_unit_id'),
});

export const creditRecordCategory = financingSchema.enum('credit_record_category', [
  'TAX',
  'SOCIAL_INSURANCE',
  'HOUSING_FUND',
  'UTILITIES',
  'COURT_JUDGMENT',
  'ADMINISTRATIVE_PENALTY',
  'CREDIT_COMMITMENT',
]);

/** Credit records imported from the city's data sharing platform; the same source and reference is one record. */
export const creditRecords = financingSchema.table(
  'credit_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    creditCode: text('credit_code').notNull(),
    category: creditRecordCategory('category').notNull(),
    source: text('source').notNull(),
    externalRef: text('external_ref').notNull(),
    recordedOn: date('recorded_on').notNull(),
    summary: text('summary').notNull(),
    adverse: boolean('adverse').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('credit_records_source_ref_key').on(table.source, table.externalRef),
    index('credit_records_enterprise_idx').on(table.creditCode, table.recordedOn),
  ],
);

/** A credit report frozen when an institution first read it for a demand, with the SHA-256 of its content. */
export const creditReports = financingSchema.table(
  'credit_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    demandId: uuid('demand_id')
      .notNull()
      .references(() => demands.id),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    creditCode: text('credit_code').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    hash: text('hash').notNull(),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('credit_reports_demand_institution_key').on(table.demandId, table.institutionId)],
);

/** Every read of a credit report (谁查看了我的报告): append-only (by trigger). */
export const creditReportReads = financingSchema.table(
  'credit_report_reads',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => creditReports.id),
    demandId: uuid('demand_id').notNull(),
    creditCode: text('credit_code').notNull(),
    institutionId: uuid('institution_id').notNull(),
    branchId: uuid('branch_id'),
    readerIssuer: text('reader_issuer'),
    readerSubject: text('reader_subject').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (table) => [index('credit_report_reads_enterprise_idx').on(table.creditCode, table.at, table.id)],
);

/**
 * What the platform knew of an enterprise when it posted a demand consenting to its credit report:
 * its profile (units slice), policy grants and payments (policies slice) and appeals (issues slice),
 * gathered with the enterprise's own token before the post's transaction, kept with the demand.
 * A credit report frozen later is this basis plus the credit records of that moment. Evidence of
 * what was gathered under consent: append-only (by trigger). Imported demands have none.
 */
export const reportBases = financingSchema.table('report_bases', {
  demandId: uuid('demand_id')
    .primaryKey()
    .references(() => demands.id),
  creditCode: text('credit_code').notNull(),
  /** Whether every part was answered (false: a slice did not answer, or refused); the parts answered are kept either way. */
  gathered: boolean('gathered').notNull(),
  basis: jsonb('basis').$type<Record<string, unknown>>().notNull(),
  gatheredAt: timestamp('gathered_at', { withTimezone: true }).notNull(),
});
/** What a kept figure counts under: the city, an institution, a branch, a district or a product category. */
export const figureDimension = financingSchema.enum('figure_dimension', ['CITY', 'INSTITUTION', 'BRANCH', 'DISTRICT', 'CATEGORY']);

/**
 * The counters of `financingStats`, one column each (fresh builders per table). Each counts the steps
 * of its kind that happened on the row's day (Beijing), or in its month (subgraphs/financing/figures.ts).
 */
const figureParts = () => ({
  posted: integer('posted').notNull().default(0),
  routed: integer('routed').notNull().default(0),
  claimed: integer('claimed').notNull().default(0),
  dispatched: integer('dispatched').notNull().default(0),
  chosen: integer('chosen').notNull().default(0),
  approved: integer('approved').notNull().default(0),
  disbursed: integer('disbursed').notNull().default(0),
  declined: integer('declined').notNull().default(0),
  withdrawn: integer('withdrawn').notNull().default(0),
  /** Yuan asked by the demands posted or imported. */
  amountAsked: bigint('amount_asked', { mode: 'number' }).notNull().default(0),
  /** Yuan lent by the loans disbursed. */
  amountLent: bigint('amount_lent', { mode: 'number' }).notNull().default(0),
  firstLoans: integer('first_loans').notNull().default(0),
  firstLoanAmount: bigint('first_loan_amount', { mode: 'number' }).notNull().default(0),
  pureCreditLoans: integer('pure_credit_loans').notNull().default(0),
  pureCreditAmount: bigint('pure_credit_amount', { mode: 'number' }).notNull().default(0),
  /** The loans' annual rates in basis points, summed (the average is this ÷ disbursed). */
  rateBpSum: bigint('rate_bp_sum', { mode: 'number' }).notNull().default(0),
  /** Time limits that stopped at or after their due time: met late, or lapsed (limit_lateness). */
  pastLimit: integer('past_limit').notNull().default(0),
  ratings: integer('ratings').notNull().default(0),
  /** The ratings' scores (5 = very satisfied … 1), summed. */
  ratingScoreSum: integer('rating_score_sum').notNull().default(0),
  /**
   * Medians cannot be summed, counts can: how many holds took each band of minutes from posting
   * (figures.ts CLAIM_BANDS), and how many decisions took 0, 1, … 30, more than 30 working days.
   */
  claimBands: integer('claim_bands')
    .array()
    .notNull()
    .default(sql`'{}'`),
  decisionDays: integer('decision_days')
    .array()
    .notNull()
    .default(sql`'{}'`),
});

/**
 * 青融通's figures kept per day (Beijing), dimension and key: written only by `recordDemandStep`
 * (subgraphs/financing/rows.ts), in the transaction of every step. The key is '' for the city, an
 * institution's or branch's id, a district code, a product category.
 */
export const figures = financingSchema.table(
  'figures',
  {
    dimension: figureDimension('dimension').notNull(),
    key: text('key').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ...figureParts(),
  },
  // Day first: a period reads a range of days (and the upsert of a step names its day); by group:
  // after a step, the few groups it counted under are read for the period (financingStats).
  (t) => [primaryKey({ columns: [t.day, t.dimension, t.key] }), index('figures_group_day').on(t.dimension, t.key, t.day)],
);

/** The same figures per calendar month (the 1st of the month): a year is read as twelve rows per key, not 365. */
export const figuresMonthly = financingSchema.table(
  'figures_monthly',
  {
    dimension: figureDimension('dimension').notNull(),
    key: text('key').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    ...figureParts(),
  },
  (t) => [primaryKey({ columns: [t.month, t.dimension, t.key] }), index('figures_monthly_group_month').on(t.dimension, t.key, t.month)],
);

/**
 * The same figures for all time, one row per dimension and key, with a version every change of the
 * row moves (written beside the daily and monthly rows, by the same statement): all time is read
 * from here, and `financingStats` computes anew only the groups whose version moved since the
 * answer it keeps (subgraphs/financing/use-cases/figures.ts).
 */
export const figureTotals = financingSchema.table(
  'figure_totals',
  {
    dimension: figureDimension('dimension').notNull(),
    key: text('key').notNull(),
    ...figureParts(),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.key] })],
);

/**
 * Every time limit that stopped at or after its due time (met late, or lapsed), once: written by
 * `recordDemandStep` when it first sees the limit stopped, and counted then in the figures'
 * `past_limit` on the day it stopped. Evidence: append-only (by trigger); lateness is never erased.
 */
export const limitLateness = financingSchema.table(
  'limit_lateness',
  {
    limitId: bigint('limit_id', { mode: 'number' })
      .primaryKey()
      .references(() => demandLimits.id),
    demandId: uuid('demand_id').notNull(),
    kind: limitKind('kind').notNull(),
    institutionId: uuid('institution_id'),
    branchId: uuid('branch_id'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    stoppedAt: timestamp('stopped_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('limit_lateness_institution_idx').on(t.institutionId, t.stoppedAt)],
);

/** The slice's notices (issue #25 §3): outbox, deliveries, webhooks, inbox and who receives what (db/outbox.ts). */
export const { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts } = outboxTables(financingSchema);
