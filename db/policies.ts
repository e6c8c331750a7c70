/**
 * Tables of the policies subgraph (青岛政策通), in the Postgres schema `policies`: policy documents
 * with their published revisions, interpretations and consultation comments; the items enterprises
 * can get; policy news; the notices pushed to eligible enterprises; applications from submission to
 * payment with their objections and service reviews; and the append-only history of both.
 *
 * Units, districts and enterprises are referred to by id / code only; their data lives in the units
 * subgraph and arrives through federation or its public API.
 *
 * Search: Chinese has no spaces, so each searchable row keeps two tsvectors of character bigrams
 * (built by platform/search-text.ts): `head_terms` (title, number, summary) and
 * `body_terms` (everything searchable). GIN indexes serve `@@` on both.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  type PgEnum,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import campaign from './reference/campaign.json' with { type: 'json' };
import { outboxTables } from './outbox.ts';

export const policiesSchema = pgSchema('policies');

/** A tsvector column; written from a literal built in TypeScript, read only by the database. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const codes = (list: { code: string }[]) => list.map((item) => item.code) as [string, ...string[]];
export const environment = policiesSchema.enum('environment', codes(campaign.environments));
export const policyLevel = policiesSchema.enum('policy_level', ['NATIONAL', 'PROVINCIAL', 'MUNICIPAL', 'DISTRICT']);
/** EXPIRED is not stored: a published policy whose validity has ended reads as expired. */
export const policyStatus = policiesSchema.enum('policy_status', ['DRAFT', 'CONSULTATION', 'PUBLISHED', 'REPEALED']);
export const itemKind = policiesSchema.enum('item_kind', ['GRANT', 'SUBSIDY', 'REWARD', 'TAX_RELIEF', 'FEE_RELIEF', 'SERVICE']);
export const amountKind = policiesSchema.enum('amount_kind', ['FIXED', 'CAPPED', 'RATE']);
export const itemStatus = policiesSchema.enum('item_status', ['DRAFT', 'PUBLISHED', 'CLOSED']);
export const sizeClass = policiesSchema.enum('size_class', ['LARGE', 'MEDIUM', 'SMALL', 'MICRO']);
export const qualification = policiesSchema.enum('qualification', [
  'HIGH_TECH',
  'TECH_SME',
  'SPECIALIZED_SME',
  'LITTLE_GIANT',
  'GAZELLE',
  'MANUFACTURING_CHAMPION',
]);
export const qualificationMatch = policiesSchema.enum('qualification_match', ['ANY', 'ALL']);
export const applicationSource = policiesSchema.enum('application_source', ['ONLINE', 'IMPORTED', 'AUTOMATIC']);
export const applicationStatus = policiesSchema.enum('application_status', [
  'DRAFT',
  'SUBMITTED',
  'UNDER_REVIEW',
  'RETURNED',
  'RESUBMITTED',
  'APPROVED',
  'REJECTED',
  'PUBLIC_NOTICE',
  'STOPPED',
  'DISBURSED',
]);
/** Why the reviewing unit set an objection aside without answering it: it repeats another, or it is abuse. */
export const objectionMarkKind = policiesSchema.enum('objection_mark_kind', ['DUPLICATE', 'ABUSIVE']);
/** The limits an application runs against: its review, its payment, the answer to an objection (due when the notice ends). */
export const limitKind = policiesSchema.enum('limit_kind', ['REVIEW', 'PAYMENT', 'OBJECTION_ANSWER']);
export const reviewLevel = policiesSchema.enum('review_level', [
  'VERY_SATISFIED',
  'SATISFIED',
  'BASICALLY_SATISFIED',
  'UNSATISFIED',
  'VERY_UNSATISFIED',
]);

const instant = (name: string) => timestamp(name, { withTimezone: true });

/** An entry of an append-only history: what happened, from which status to which, who, when. */
function historyColumns<T extends [string, ...string[]]>(status: PgEnum<T>) {
  return {
    action: text('action').notNull(),
    fromStatus: status('from_status'),
    toStatus: status('to_status').notNull(),
    actorSubject: text('actor_subject').notNull(),
    actorRole: text('actor_role').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    note: text('note'),
    details: jsonb('details'),
    at: instant('at').notNull(),
  };
}
const money = (name: string) => numeric(name, { precision: 16, scale: 2, mode: 'number' });

export const policies = policiesSchema.table(
  'policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    level: policyLevel('level').notNull(),
    issuingUnitId: uuid('issuing_unit_id').notNull(),
    districtCode: text('district_code'),
    environment: environment('environment').notNull(),
    status: policyStatus('status').notNull().default('DRAFT'),
    /** The current revision: 1 until the first amendment. */
    revision: smallint('revision').notNull().default(1),
    title: text('title').notNull(),
    documentNumber: text('document_number'),
    summary: text('summary'),
    body: text('body').notNull(),
    issuedOn: date('issued_on').notNull(),
    validFrom: date('valid_from').notNull(),
    validUntil: date('valid_until'),
    consultationEndsOn: date('consultation_ends_on'),
    publishedAt: instant('published_at'),
    repealedAt: instant('repealed_at'),
    repealReason: text('repeal_reason'),
    headTerms: tsvector('head_terms').notNull(),
    bodyTerms: tsvector('body_terms').notNull(),
    /** A search's rank among heading matches (the shorter title first); in the row, where the title is out of line. */
    titleLength: integer('title_length')
      .notNull()
      .generatedAlwaysAs(sql`char_length(title)`),
    version: integer('version').notNull().default(1),
    createdAt: instant('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    uniqueIndex('policies_document_number_key')
      .on(t.documentNumber)
      .where(sql`${t.documentNumber} is not null`),
    index('policies_issued_idx').on(t.issuedOn.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('policies_unit_idx').on(t.issuingUnitId, t.issuedOn.desc().nullsFirst()),
    index('policies_head_terms_idx').using('gin', t.headTerms),
    index('policies_body_terms_idx').using('gin', t.bodyTerms),
    index('policies_heading_rank_idx').on(t.titleLength, t.issuedOn.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('policies_validity', sql`${t.validUntil} is null or ${t.validUntil} >= ${t.validFrom}`),
    check('policies_district_level', sql`(${t.level} = 'DISTRICT') = (${t.districtCode} is not null)`),
  ],
);

/** Every published revision, as it was published. A trigger refuses rewriting one (see the migration). */
export const policyRevisions = policiesSchema.table(
  'policy_revisions',
  {
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id),
    revision: smallint('revision').notNull(),
    title: text('title').notNull(),
    documentNumber: text('document_number'),
    summary: text('summary'),
    body: text('body').notNull(),
    issuedOn: date('issued_on').notNull(),
    validFrom: date('valid_from').notNull(),
    validUntil: date('valid_until'),
    changeNote: text('change_note'),
    publishedAt: instant('published_at').notNull(),
    publishedBy: text('published_by').notNull(),
    supersededAt: instant('superseded_at'),
  },
  (t) => [primaryKey({ columns: [t.policyId, t.revision] })],
);

/** 解读: append-only; a correction is a new interpretation. */
export const policyInterpretations = policiesSchema.table(
  'policy_interpretations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    unitId: uuid('unit_id').notNull(),
    authorSubject: text('author_subject').notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [index('policy_interpretations_policy_idx').on(t.policyId, t.createdAt)],
);

/** 征求意见: the comment never changes; its answer is written once. */
export const policyComments = policiesSchema.table(
  'policy_comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id),
    body: text('body').notNull(),
    /** The author is a person: issuer, role and subject together (platform/auth.ts `isPerson`). */
    authorSubject: text('author_subject').notNull(),
    authorRole: text('author_role').notNull(),
    /** The author's token's issuer ('' when it named none); null for comments kept before issuers were. */
    authorIssuer: text('author_issuer'),
    authorUnitId: uuid('author_unit_id'),
    authorEnterprise: text('author_enterprise'),
    createdAt: instant('created_at').notNull(),
    answer: text('answer'),
    adopted: boolean('adopted'),
    answeredAt: instant('answered_at'),
    answeredBy: text('answered_by'),
  },
  (t) => [index('policy_comments_policy_idx').on(t.policyId, t.createdAt)],
);

export const policyEvents = policiesSchema.table(
  'policy_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id),
    ...historyColumns(policyStatus),
  },
  (t) => [index('policy_events_policy_idx').on(t.policyId, t.id)],
);

export const policyItems = policiesSchema.table(
  'policy_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id),
    // The policy's own, repeated so item lists filter and search without a join.
    issuingUnitId: uuid('issuing_unit_id').notNull(),
    level: policyLevel('level').notNull(),
    environment: environment('environment').notNull(),
    name: text('name').notNull(),
    kind: itemKind('kind').notNull(),
    description: text('description').notNull(),
    amountKind: amountKind('amount_kind'),
    /** FIXED: the amount; CAPPED: the cap; RATE: the cap, if any. Yuan. */
    amount: money('amount'),
    rate: numeric('rate', { precision: 7, scale: 6, mode: 'number' }),
    amountBase: text('amount_base'),
    opensOn: date('opens_on'),
    closesOn: date('closes_on'),
    requiredMaterials: text('required_materials')
      .array()
      .notNull()
      .default(sql`'{}'`),
    reviewingUnitId: uuid('reviewing_unit_id').notNull(),
    reviewWorkingDays: smallint('review_working_days').notNull(),
    paymentWorkingDays: smallint('payment_working_days').notNull(),
    noticeWorkingDays: smallint('notice_working_days').notNull().default(5),
    // Eligibility: an empty list or a null bound does not restrict.
    industryPrefixes: text('industry_prefixes')
      .array()
      .notNull()
      .default(sql`'{}'`),
    sizeClasses: sizeClass('size_classes')
      .array()
      .notNull()
      .default(sql`'{}'`),
    districtCodes: text('district_codes')
      .array()
      .notNull()
      .default(sql`'{}'`),
    minYears: smallint('min_years'),
    maxYears: smallint('max_years'),
    qualifications: qualification('qualifications')
      .array()
      .notNull()
      .default(sql`'{}'`),
    qualificationMatch: qualificationMatch('qualification_match').notNull().default('ANY'),
    automatic: boolean('automatic').notNull().default(false),
    status: itemStatus('status').notNull().default('DRAFT'),
    publishedAt: instant('published_at'),
    closedAt: instant('closed_at'),
    /** List order: publication, or creation while a draft. */
    sortAt: instant('sort_at').notNull(),
    headTerms: tsvector('head_terms').notNull(),
    bodyTerms: tsvector('body_terms').notNull(),
    /** A search's rank among heading matches (the shorter name first); in the row, where the name is out of line. */
    nameLength: integer('name_length')
      .notNull()
      .generatedAlwaysAs(sql`char_length(name)`),
    version: integer('version').notNull().default(1),
    createdAt: instant('created_at').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('policy_items_policy_idx').on(t.policyId),
    index('policy_items_sort_idx').on(t.sortAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('policy_items_reviewing_unit_idx').on(t.reviewingUnitId),
    index('policy_items_head_terms_idx').using('gin', t.headTerms),
    index('policy_items_body_terms_idx').using('gin', t.bodyTerms),
    index('policy_items_heading_rank_idx').on(t.nameLength, t.sortAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('policy_items_window', sql`${t.closesOn} is null or ${t.opensOn} is null or ${t.closesOn} >= ${t.opensOn}`),
    check('policy_items_years', sql`${t.minYears} is null or ${t.maxYears} is null or ${t.maxYears} >= ${t.minYears}`),
    check(
      'policy_items_limits',
      sql`${t.reviewWorkingDays} between 1 and 365 and ${t.paymentWorkingDays} between 1 and 365 and ${t.noticeWorkingDays} between 1 and 60`,
    ),
  ],
);

export const policyNews = policiesSchema.table(
  'policy_news',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    unitId: uuid('unit_id').notNull(),
    policyIds: uuid('policy_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    authorSubject: text('author_subject').notNull(),
    publishedAt: instant('published_at').notNull(),
    headTerms: tsvector('head_terms').notNull(),
    bodyTerms: tsvector('body_terms').notNull(),
    /** A search's rank among heading matches (the shorter title first); in the row, where the title is out of line. */
    titleLength: integer('title_length')
      .notNull()
      .generatedAlwaysAs(sql`char_length(title)`),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('policy_news_published_idx').on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('policy_news_policies_idx').using('gin', t.policyIds),
    index('policy_news_head_terms_idx').using('gin', t.headTerms),
    index('policy_news_body_terms_idx').using('gin', t.bodyTerms),
    index('policy_news_heading_rank_idx').on(t.titleLength, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

/** 点对点送政策上门: one notice per item and enterprise, ever. */
export const policyNotices = policiesSchema.table(
  'policy_notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => policyItems.id),
    enterpriseCreditCode: text('enterprise_credit_code').notNull(),
    sentAt: instant('sent_at').notNull(),
  },
  (t) => [
    uniqueIndex('policy_notices_once').on(t.itemId, t.enterpriseCreditCode),
    index('policy_notices_enterprise_idx').on(t.enterpriseCreditCode, t.id.desc().nullsFirst()),
  ],
);

export const applications = policiesSchema.table(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 申报编号, in order of recording. */
    number: bigserial('number', { mode: 'number' }).notNull(),
    itemId: uuid('item_id')
      .notNull()
      .references(() => policyItems.id),
    // The item's, repeated: who reviews and who issued decide who sees and who acts.
    policyId: uuid('policy_id').notNull(),
    reviewingUnitId: uuid('reviewing_unit_id').notNull(),
    issuingUnitId: uuid('issuing_unit_id').notNull(),
    enterpriseCreditCode: text('enterprise_credit_code').notNull(),
    source: applicationSource('source').notNull(),
    status: applicationStatus('status').notNull(),
    /** Who entered it, as a person (issuer, role, subject): a retry's client request id is theirs. */
    submitterSubject: text('submitter_subject').notNull(),
    /** null for applications kept before the role was (and for automatic grants, whose runner submits nothing). */
    submitterRole: text('submitter_role'),
    submitterIssuer: text('submitter_issuer'),
    clientRequestId: text('client_request_id'),
    requestFingerprint: text('request_fingerprint'),
    sourceSystem: text('source_system'),
    externalReference: text('external_reference'),
    declaredBase: money('declared_base'),
    requestedAmount: money('requested_amount'),
    approvedAmount: money('approved_amount'),
    materials: jsonb('materials')
      .$type<{ name: string; reference: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    missingMaterials: text('missing_materials')
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** The criteria as judged at submission (or grant): [{ criterion, met, reason, reasonEn }]. */
    eligibility: jsonb('eligibility')
      .$type<{ criterion: string; met: boolean; reason: string; reasonEn: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    /** List order: submission (grant), or creation while a draft. */
    enteredAt: instant('entered_at').notNull(),
    submittedAt: instant('submitted_at'),
    /** Where the review limit runs from: submission, or the last resubmission (补正后重新起算). */
    reviewClockAt: instant('review_clock_at'),
    reviewStartedAt: instant('review_started_at'),
    /** Who took it into review, as a person: only they (or an admin) decide it while it is in review. */
    reviewerSubject: text('reviewer_subject'),
    reviewerRole: text('reviewer_role'),
    reviewerIssuer: text('reviewer_issuer'),
    returnReason: text('return_reason'),
    decidedAt: instant('decided_at'),
    approvedAt: instant('approved_at'),
    rejectionReason: text('rejection_reason'),
    /**
     * The enterprise's name as the units slice gave it when the notice started: a public notice shows
     * the public who is being paid (name, item, amount), while the profile stays the units slice's.
     */
    noticeEnterpriseName: text('notice_enterprise_name'),
    noticeStartsAt: instant('notice_starts_at'),
    noticeEndsOn: date('notice_ends_on'),
    noticeEndsAt: instant('notice_ends_at'),
    disbursedAmount: money('disbursed_amount'),
    paidOn: date('paid_on'),
    paymentReference: text('payment_reference'),
    disbursedAt: instant('disbursed_at'),
    /** 兑现周期 in working days; null until paid (provisional through a year the calendar lacks, as the limits). */
    cycleWorkingDays: smallint('cycle_working_days'),
    reviewDueAt: instant('review_due_at'),
    paymentDueAt: instant('payment_due_at'),
    /**
     * When each limit's yellow warning starts: 80% of its working time, the office hours of working
     * days (`WorkingCalendar.warningAt`), set and recomputed with its due time. The worker's sweep
     * tells the reviewing unit once it has passed (use-cases/notices.ts). Null before it was kept.
     */
    reviewWarnAt: instant('review_warn_at'),
    paymentWarnAt: instant('payment_warn_at'),
    /**
     * The first calendar year the command office has not entered that a working-day limit or count
     * of this application runs through: those were counted with weekends as the only days off
     * (provisional), and are recomputed when it is entered. Null: all final.
     */
    pendingCalendarYear: smallint('pending_calendar_year'),
    /**
     * The same, for the public notice's end alone: null when final or given by the reviewing unit.
     * Recomputed only while the notice runs; the notice as held stands once the application moved on.
     */
    noticePendingCalendarYear: smallint('notice_pending_calendar_year'),
    /** The limit running now (review, objection answers or payment), kept for cheap "overdue" lists. */
    nextDueAt: instant('next_due_at'),
    version: integer('version').notNull().default(1),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    uniqueIndex('applications_number_key').on(t.number),
    uniqueIndex('applications_client_request_key')
      .on(t.submitterIssuer, t.submitterRole, t.submitterSubject, t.clientRequestId)
      .where(sql`${t.clientRequestId} is not null`),
    uniqueIndex('applications_external_key')
      .on(t.sourceSystem, t.externalReference)
      .where(sql`${t.externalReference} is not null`),
    // One live application per item and enterprise; refused, stopped ones leave room for a new one.
    uniqueIndex('applications_one_live_key')
      .on(t.itemId, t.enterpriseCreditCode)
      .where(sql`${t.status} not in ('REJECTED', 'STOPPED')`),
    index('applications_entered_idx').on(t.enteredAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('applications_reviewing_unit_idx').on(t.reviewingUnitId, t.enteredAt.desc().nullsFirst()),
    index('applications_issuing_unit_idx').on(t.issuingUnitId, t.enteredAt.desc().nullsFirst()),
    index('applications_enterprise_idx').on(t.enterpriseCreditCode, t.enteredAt.desc().nullsFirst()),
    index('applications_item_idx').on(t.itemId, t.enterpriseCreditCode),
    index('applications_next_due_idx')
      .on(t.nextDueAt)
      .where(sql`${t.nextDueAt} is not null`),
    index('applications_pending_calendar_idx')
      .on(t.pendingCalendarYear)
      .where(sql`${t.pendingCalendarYear} is not null`),
    // The sweep's warnings: the review or payment limits running now whose 80% point has just
    // passed, read from these alone (the overdue ones from applications_open_due_idx).
    index('applications_review_warn_idx')
      .on(t.reviewWarnAt)
      .where(sql`${t.status} in ('SUBMITTED', 'RESUBMITTED', 'UNDER_REVIEW')`),
    index('applications_payment_warn_idx')
      .on(t.paymentWarnAt)
      .where(sql`${t.status} in ('APPROVED', 'PUBLIC_NOTICE')`),
    index('applications_notice_idx')
      .on(t.noticeEndsAt)
      .where(sql`${t.status} = 'PUBLIC_NOTICE'`),
    // The live part of the figures: applications still awaiting a decision or a payment, by the
    // earliest limit that still runs (policies.open_due_at, migration 0004), so "past its limit
    // now" reads only the ones past it, from the index alone.
    index('applications_open_due_idx')
      .on(
        sql`policies.open_due_at(${t.status}, ${t.reviewDueAt}, ${t.decidedAt}, ${t.paymentDueAt}, ${t.paidOn})`,
        t.reviewingUnitId,
        t.submittedAt,
        // What policies.past_settled reads, so the count reads the index alone.
        t.status,
        t.reviewDueAt,
        t.decidedAt,
        t.paymentDueAt,
        t.paidOn,
      )
      .where(sql`policies.open_due_at(${t.status}, ${t.reviewDueAt}, ${t.decidedAt}, ${t.paymentDueAt}, ${t.paidOn}) is not null`),
  ],
);

export const applicationEvents = policiesSchema.table(
  'application_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    ...historyColumns(applicationStatus),
  },
  (t) => [index('application_events_application_idx').on(t.applicationId, t.id)],
);

/** 公示异议: the objection never changes; its answer is written once. */
export const objections = policiesSchema.table(
  'objections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    body: text('body').notNull(),
    contact: text('contact'),
    objectorSubject: text('objector_subject'),
    objectorRole: text('objector_role').notNull(),
    objectorIssuer: text('objector_issuer'),
    /**
     * Whom the abuse limits count (platform/write-limits.ts): the signed-in person or, for the
     * public, the real client address — hashed, so no address is kept. Null before it was kept.
     */
    objectorKey: text('objector_key'),
    filedAt: instant('filed_at').notNull(),
    answer: text('answer'),
    upheld: boolean('upheld'),
    answeredAt: instant('answered_at'),
    answeredBy: text('answered_by'),
    /**
     * When the answer's yellow warning starts: 80% of the working time from the filing to its due
     * time, the end of the notice (`WorkingCalendar.warningAt`), set at filing and recomputed with
     * the notice's end while unanswered. The worker's sweep tells the reviewing unit once it has
     * passed (use-cases/notices.ts). Null before it was kept.
     */
    answerWarnAt: instant('answer_warn_at'),
  },
  (t) => [
    index('objections_application_idx').on(t.applicationId, t.filedAt),
    index('objections_objector_idx').on(t.objectorKey, t.filedAt),
    // The sweep's warnings: the unanswered objections whose 80% point has just passed, read from
    // this alone (a marked one is left out by objection_marks_once; the overdue ones are read from
    // applications_notice_idx).
    index('objections_answer_warn_idx')
      .on(t.answerWarnAt)
      .where(sql`${t.answeredAt} is null`),
  ],
);

/**
 * An objection the reviewing unit set aside as a duplicate or as abuse, in bulk, with why and who:
 * evidence, append-only, at most one per objection. A marked objection is settled: it no longer
 * holds up the payment, and it is not answered.
 */
export const objectionMarks = policiesSchema.table(
  'objection_marks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    objectionId: uuid('objection_id')
      .notNull()
      .references(() => objections.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    kind: objectionMarkKind('kind').notNull(),
    /** The objection it repeats (same application, not itself marked in the same call). */
    duplicateOf: uuid('duplicate_of').references(() => objections.id),
    reason: text('reason').notNull(),
    markedBySubject: text('marked_by_subject').notNull(),
    markedByRole: text('marked_by_role').notNull(),
    markedByIssuer: text('marked_by_issuer').notNull(),
    markedByUnitId: uuid('marked_by_unit_id').notNull(),
    markedAt: instant('marked_at').notNull(),
  },
  (t) => [uniqueIndex('objection_marks_once').on(t.objectionId), index('objection_marks_application_idx').on(t.applicationId)],
);

/**
 * Each limit a step of an application ended, judged on time or late at that step: the review (by the
 * decision, or stopped by a return for materials — the resubmission starts a new one), the payment
 * (by the payment, judged by the day paid; or stopped by an upheld objection), the answer to an
 * objection (due when the notice ends). Evidence: never deleted, and never changed, but for a
 * judgment on a provisional due time (`pending_calendar_year`), judged again, once, when the
 * command office enters the year (migration 0006). `late` follows from the instants.
 */
export const limitOutcomes = policiesSchema.table(
  'limit_outcomes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    /** The step that ended the limit. */
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => applicationEvents.id),
    /** The objection answered, for OBJECTION_ANSWER. */
    objectionId: uuid('objection_id').references(() => objections.id),
    kind: limitKind('kind').notNull(),
    /** Where the limit ran from: the submission (or resubmission), the approval, the notice's start. */
    startsAt: instant('starts_at').notNull(),
    dueAt: instant('due_at').notNull(),
    /** The step's instant; for a payment, 24:00 of the day paid. */
    judgedAt: instant('judged_at').notNull(),
    late: boolean('late')
      .notNull()
      .generatedAlwaysAs(sql`judged_at > due_at`),
    /** The calendar year the due time was provisional for (weekends the only days off there); null when final. */
    pendingCalendarYear: smallint('pending_calendar_year'),
  },
  (t) => [index('limit_outcomes_application_idx').on(t.applicationId, t.id)],
);

/** 好差评: one per application, never rewritten. */
export const serviceReviews = policiesSchema.table(
  'service_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    reviewingUnitId: uuid('reviewing_unit_id').notNull(),
    enterpriseCreditCode: text('enterprise_credit_code').notNull(),
    level: reviewLevel('level').notNull(),
    comment: text('comment'),
    reviewedAt: instant('reviewed_at').notNull(),
  },
  (t) => [
    uniqueIndex('service_reviews_once').on(t.applicationId),
    index('service_reviews_unit_idx').on(t.reviewingUnitId, t.reviewedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

/** The parts policy_figures and its monthly twin keep, one column each (fresh builders per table). */
const policyFigureParts = () => ({
  /** Applications submitted (not automatic grants). */
  received: integer('received').notNull().default(0),
  automatic: integer('automatic').notNull().default(0),
  approved: integer('approved').notNull().default(0),
  refused: integer('refused').notNull().default(0),
  stopped: integer('stopped').notNull().default(0),
  disbursed: integer('disbursed').notNull().default(0),
  amount: money('amount').notNull().default(0),
  /** Applications with a limit judged late at one of their steps (limit_outcomes): settled, so no longer moved by the clock. */
  pastSettled: integer('past_settled').notNull().default(0),
  /** Review limits judged late: decided, or returned for materials, after the limit. */
  lateReviews: integer('late_reviews').notNull().default(0),
  /** Payment limits judged late: paid after the limit, or stopped by an objection after it passed. */
  latePayments: integer('late_payments').notNull().default(0),
  /** Objections answered after the notice ended. */
  lateObjectionAnswers: integer('late_objection_answers').notNull().default(0),
  reviews: integer('reviews').notNull().default(0),
  verySatisfied: integer('very_satisfied').notNull().default(0),
  satisfied: integer('satisfied').notNull().default(0),
  basicallySatisfied: integer('basically_satisfied').notNull().default(0),
  unsatisfied: integer('unsatisfied').notNull().default(0),
  veryUnsatisfied: integer('very_unsatisfied').notNull().default(0),
});

/**
 * The policy figures kept per reviewing unit and day (Beijing): applications by the day they were
 * submitted (an automatic grant: created), service reviews by the day they were given — every part
 * that does not move with the clock; an application's late judgments (limit_outcomes) by its
 * submission day. Derived, never written by the slice: triggers on applications, limit_outcomes and
 * service_reviews stage each change (figure_changes) and the transaction adds them up here as it
 * commits, in key order (migrations 0004, 0006). What moves with the clock — an application still
 * awaiting its decision or its payment, past its limit or not yet — is counted live by the store.
 * The serving role may only read it.
 */
export const policyFigures = policiesSchema.table(
  'policy_figures',
  {
    unitId: uuid('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ...policyFigureParts(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.day] })],
);

/** policy_figures added up per calendar month (the 1st of the month): a year's figures are 12 rows per unit, plus the days at either edge of a period. */
export const policyFiguresMonthly = policiesSchema.table(
  'policy_figures_monthly',
  {
    unitId: uuid('unit_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    ...policyFigureParts(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.month] })],
);

/** 兑现周期 of the paid applications, counted per unit, day of submission and number of working days: the median and p90 come from it. */
export const cycleFigures = policiesSchema.table(
  'cycle_figures',
  {
    unitId: uuid('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    workingDays: smallint('working_days').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.day, t.workingDays] })],
);

/** cycle_figures added up per calendar month (the 1st of the month). */
export const cycleFiguresMonthly = policiesSchema.table(
  'cycle_figures_monthly',
  {
    unitId: uuid('unit_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    workingDays: smallint('working_days').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.month, t.workingDays] })],
);

/** A transaction's staged changes to policy_figures and cycle_figures, one row per part; empty outside a transaction. */
export const figureChanges = policiesSchema.table(
  'figure_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    txid: bigint('txid', { mode: 'number' })
      .notNull()
      .default(sql`txid_current()`),
    unitId: uuid('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    part: text('part').notNull(),
    /** For the part 'cycle': the working days counted. */
    workingDays: smallint('working_days'),
    amount: numeric('amount', { precision: 16, scale: 2, mode: 'number' }).notNull(),
  },
  (t) => [index('figure_changes_txid_idx').on(t.txid)],
);

/**
 * The change feed back to the departments' systems that sent applications (回传, issue #25): one
 * entry per committed transaction that changed such an application, with its state and amounts.
 * Derived: written only by the deferred trigger of migration 0011 as the transaction commits, under
 * the slice's feed lock, so `seq` is in commit order (subgraphs/policies/README.md, "Records from
 * other channels").
 */
export const applicationFeed = policiesSchema.table(
  'application_feed',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    /** The transaction that wrote it: one entry per application and transaction. */
    xact: bigint('xact', { mode: 'number' }).notNull(),
    sourceSystem: text('source_system').notNull(),
    externalReference: text('external_reference').notNull(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    /** Who sent the record, as a person (the submitter): only they and the command office read it. */
    senderIssuer: text('sender_issuer'),
    senderRole: text('sender_role'),
    senderSubject: text('sender_subject').notNull(),
    version: integer('version').notNull(),
    action: text('action').notNull(),
    status: applicationStatus('status').notNull(),
    requestedAmount: money('requested_amount'),
    approvedAmount: money('approved_amount'),
    disbursedAmount: money('disbursed_amount'),
    changedAt: instant('changed_at').notNull(),
  },
  (t) => [
    index('application_feed_source_idx').on(t.sourceSystem, t.seq),
    index('application_feed_application_xact_idx').on(t.applicationId, t.xact),
  ],
);

/** The slice's notices (issue #25 §3): outbox, deliveries, webhooks, inbox and who receives what (db/outbox.ts). */
export const { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts } = outboxTables(policiesSchema);
