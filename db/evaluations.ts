/**
 * Tables of the evaluations subgraph, in the Postgres schema `evaluations`: 擂台比武 contests with
 * their entries, judges, every score a judge ever submitted and the frozen published result; and
 * 好差评 service reviews with every step taken on them (answers, rectifications, follow-ups, appeals
 * and decisions), kept as separate append-only records.
 *
 * Units and domains are referred to by id / code only; their data lives in the units subgraph.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { outboxTables } from './outbox.ts';

export const evaluationsSchema = pgSchema('evaluations');

export const contestLevel = evaluationsSchema.enum('contest_level', ['CITY', 'SYSTEM', 'INTERNAL']);
export const contestStatus = evaluationsSchema.enum('contest_status', ['OPEN', 'CLOSED', 'PUBLISHED']);
export const reviewLevel = evaluationsSchema.enum('review_level', [
  'VERY_SATISFIED',
  'SATISFIED',
  'BASICALLY_SATISFIED',
  'UNSATISFIED',
  'VERY_UNSATISFIED',
]);
export const reviewChannel = evaluationsSchema.enum('review_channel', ['ONLINE', 'WINDOW', 'HOTLINE', 'MOBILE', 'SELF_SERVICE', 'SMS']);
export const reviewerKind = evaluationsSchema.enum('reviewer_kind', ['PUBLIC', 'ENTERPRISE', 'SIGNED_IN']);
export const reviewActionKind = evaluationsSchema.enum('review_action_kind', [
  'ANSWER',
  'RECTIFY',
  'FOLLOW_UP',
  'APPEAL',
  'APPEAL_DECISION',
]);
export const appealDecision = evaluationsSchema.enum('appeal_decision', ['UPHELD', 'REJECTED']);
export const reviewStatus = evaluationsSchema.enum('review_status', [
  'NO_ACTION',
  'AWAITING_ANSWER',
  'AWAITING_RECTIFICATION',
  'AWAITING_FOLLOW_UP',
  'DONE',
  'EXCLUDED',
]);

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export interface Criterion {
  name: string;
  weight: number;
}

/** A contest. Its row changes only by moving OPEN → CLOSED → PUBLISHED (a trigger refuses anything after). */
export const contests = evaluationsSchema.table(
  'contests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    level: contestLevel('level').notNull(),
    /** SYSTEM contests: the key domain. */
    domainCode: text('domain_code'),
    /** INTERNAL contests: the unit. */
    unitId: uuid('unit_id'),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    status: contestStatus('status').notNull().default('OPEN'),
    criteria: jsonb('criteria').$type<Criterion[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdByUnitId: uuid('created_by_unit_id'),
    createdAt: at('created_at').notNull(),
    closedAt: at('closed_at'),
    publishedAt: at('published_at'),
    version: integer('version').notNull().default(1),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('contests_scope_idx').on(t.level, t.domainCode, t.unitId, t.heldOn),
    index('contests_held_on_idx').on(t.heldOn, t.id),
    check(
      'contests_scope',
      sql`(${t.level} = 'SYSTEM') = (${t.domainCode} is not null) and (${t.level} = 'INTERNAL') = (${t.unitId} is not null)`,
    ),
  ],
);

/** An entrant. Never deleted; none added once the contest has closed. */
export const contestEntries = evaluationsSchema.table(
  'contest_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id),
    unitId: uuid('unit_id'),
    entrantName: text('entrant_name').notNull(),
    problems: text('problems').notNull(),
    goals: text('goals').notNull(),
    ideas: text('ideas').notNull(),
    measures: text('measures').notNull(),
    carriedFromContestId: uuid('carried_from_contest_id'),
    addedBy: text('added_by').notNull(),
    addedAt: at('added_at').notNull(),
  },
  (t) => [
    index('contest_entries_contest_idx').on(t.contestId),
    uniqueIndex('contest_entries_unit_once')
      .on(t.contestId, t.unitId)
      .where(sql`${t.unitId} is not null`),
    uniqueIndex('contest_entries_name_once').on(t.contestId, t.entrantName),
  ],
);

export const contestJudges = evaluationsSchema.table(
  'contest_judges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id),
    /** The judge is a person: issuer, role and subject together (platform/auth.ts `isPerson`). */
    subject: text('subject').notNull(),
    /** The judge's account role; null for a judge assigned before roles were kept, who can no longer score (assign again). */
    role: text('role'),
    /** The issuer of the judge's tokens: the organiser's ('' when its token named none); null before issuers were kept. */
    issuer: text('issuer'),
    name: text('name').notNull(),
    assignedBy: text('assigned_by').notNull(),
    assignedAt: at('assigned_at').notNull(),
  },
  (t) => [uniqueIndex('contest_judges_once').on(t.contestId, t.issuer, t.role, t.subject)],
);

/** Every score a judge submitted; the latest per judge, entry and criterion counts. Append-only. */
export const contestScores = evaluationsSchema.table(
  'contest_scores',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => contestEntries.id),
    judgeId: uuid('judge_id')
      .notNull()
      .references(() => contestJudges.id),
    criterion: smallint('criterion').notNull(),
    score: numeric('score', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    submittedAt: at('submitted_at').notNull(),
  },
  (t) => [
    index('contest_scores_latest_idx').on(t.contestId, t.judgeId, t.entryId, t.criterion, t.id),
    check('contest_scores_range', sql`${t.score} between 0 and 100 and ${t.criterion} >= 0`),
  ],
);

/** The published result, written once at publication with every figure it rests on. Append-only. */
export const contestResults = evaluationsSchema.table(
  'contest_results',
  {
    contestId: uuid('contest_id')
      .notNull()
      .references(() => contests.id),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => contestEntries.id),
    rank: integer('rank').notNull(),
    score: numeric('score', { precision: 7, scale: 3, mode: 'number' }),
    judgesCounted: integer('judges_counted').notNull(),
    /** Every judge's weighted total, as it was at publication. */
    judgeTotals: jsonb('judge_totals').$type<{ judgeId: string; total: number }[]>().notNull(),
    contestsAgain: boolean('contests_again').notNull(),
  },
  (t) => [uniqueIndex('contest_results_pk').on(t.contestId, t.entryId)],
);

/**
 * A service review. Its words never change (a trigger allows only `status` and `appeal_pending` to
 * move, with the action that moved them, and provisional limits to be recomputed once their year is
 * entered); what happens to it is in review_actions.
 */
export const serviceReviews = evaluationsSchema.table(
  'service_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id').notNull(),
    serviceItem: text('service_item').notNull(),
    channel: reviewChannel('channel').notNull(),
    level: reviewLevel('level').notNull(),
    comment: text('comment'),
    reviewerKind: reviewerKind('reviewer_kind').notNull(),
    /** The token's subject, when signed in. */
    reviewerSubject: text('reviewer_subject'),
    /** Whom the abuse limits count: a hash of the subject, or of the caller's address when anonymous. */
    reviewerKey: text('reviewer_key').notNull(),
    clientRequestId: text('client_request_id').notNull(),
    reviewedAt: at('reviewed_at').notNull(),
    answerDueAt: at('answer_due_at'),
    rectifyDueAt: at('rectify_due_at'),
    /**
     * When each limit's yellow warning starts: 80% of its working time, the office hours of working
     * days (`WorkingCalendar.warningAt`), set and recomputed with its due time. The worker's sweep
     * tells the reviewed unit once it has passed (use-cases/notices.ts). Null before it was kept.
     */
    answerWarnAt: at('answer_warn_at'),
    rectifyWarnAt: at('rectify_warn_at'),
    pendingCalendarYear: integer('pending_calendar_year'),
    status: reviewStatus('status').notNull(),
    appealPending: boolean('appeal_pending').notNull().default(false),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('service_reviews_open_idx')
      .on(t.status, t.answerDueAt, t.rectifyDueAt)
      .where(sql`${t.status} in ('AWAITING_ANSWER', 'AWAITING_RECTIFICATION')`),
    // Open reviews by unit and day, with their limits: the live part of the review figures, from the index alone.
    index('service_reviews_open_unit_idx')
      .on(t.unitId, t.reviewedAt, t.status, t.answerDueAt, t.rectifyDueAt)
      .where(sql`${t.status} in ('AWAITING_ANSWER', 'AWAITING_RECTIFICATION')`),
    // The sweep's notices: the limit running now (the answer's while awaiting it, then the
    // rectification's) whose warning or due time has just passed, read from the window alone —
    // the answer's lapse from service_reviews_open_idx.
    index('service_reviews_answer_warn_idx')
      .on(t.answerWarnAt)
      .where(sql`${t.status} = 'AWAITING_ANSWER'`),
    index('service_reviews_rectify_warn_idx')
      .on(t.rectifyWarnAt)
      .where(sql`${t.status} = 'AWAITING_RECTIFICATION'`),
    index('service_reviews_rectify_due_idx')
      .on(t.rectifyDueAt)
      .where(sql`${t.status} = 'AWAITING_RECTIFICATION'`),
    uniqueIndex('service_reviews_idempotent').on(t.reviewerKey, t.clientRequestId),
    index('service_reviews_unit_idx').on(t.unitId, t.reviewedAt, t.id),
    index('service_reviews_time_idx').on(t.reviewedAt, t.id),
    index('service_reviews_limits_idx').on(t.reviewerKey, t.reviewedAt),
    // The few reviews whose limits wait for a calendar year: found at once by /ready and when the year is entered.
    index('service_reviews_pending_calendar_idx')
      .on(t.pendingCalendarYear)
      .where(sql`${t.pendingCalendarYear} is not null`),
  ],
);

/** What was done about a review, each step a record of its own. Append-only. */
export const reviewActions = evaluationsSchema.table(
  'review_actions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: uuid('review_id')
      .notNull()
      .references(() => serviceReviews.id),
    kind: reviewActionKind('kind').notNull(),
    text: text('text').notNull(),
    at: at('at').notNull(),
    late: boolean('late').notNull().default(false),
    /**
     * `late` was judged against a provisional limit (its year not in the calendar yet): it is judged
     * again, once, when the year is entered — the one change this append-only table allows.
     */
    lateProvisional: boolean('late_provisional').notNull().default(false),
    level: reviewLevel('level'),
    reached: boolean('reached'),
    decision: appealDecision('decision'),
    bySubject: text('by_subject').notNull(),
    byUnitId: uuid('by_unit_id'),
  },
  (t) => [
    index('review_actions_review_idx').on(t.reviewId, t.id),
    // One answer, one rectification, one appeal and one decision per review; follow-ups may repeat.
    uniqueIndex('review_actions_once')
      .on(t.reviewId, t.kind)
      .where(sql`${t.kind} <> 'FOLLOW_UP'`),
  ],
);

// ───────────── tackling tasks and quarterly reports ─────────────

export const taskKind = evaluationsSchema.enum('task_kind', ['TACKLING', 'PLAN_DUTY']);

/** A tackling task (or, without a unit, a dated duty of the plan for every unit). Never rewritten. */
export const tasks = evaluationsSchema.table(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: taskKind('kind').notNull(),
    unitId: uuid('unit_id'),
    domainCode: text('domain_code'),
    title: text('title').notNull(),
    description: text('description').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull(),
    /** Reference rows (the plan's duties) carry a stable key so each start applies them once. */
    referenceKey: text('reference_key'),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [index('tasks_unit_idx').on(t.unitId, t.dueOn), uniqueIndex('tasks_reference_once').on(t.referenceKey)],
);

export const milestones = evaluationsSchema.table(
  'milestones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id),
    sequence: integer('sequence').notNull(),
    title: text('title').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('milestones_task_idx').on(t.taskId, t.sequence), index('milestones_due_idx').on(t.dueOn)],
);

/** A milestone done: one record, lateness kept. Append-only. */
export const milestoneCompletions = evaluationsSchema.table('milestone_completions', {
  milestoneId: uuid('milestone_id')
    .primaryKey()
    .references(() => milestones.id),
  note: text('note').notNull(),
  doneAt: at('done_at').notNull(),
  late: boolean('late').notNull(),
  bySubject: text('by_subject').notNull(),
});

/** Every version of every quarterly report. Append-only. */
export const quarterlyReports = evaluationsSchema.table(
  'quarterly_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id').notNull(),
    quarter: text('quarter').notNull(),
    version: integer('version').notNull(),
    content: text('content').notNull(),
    submittedAt: at('submitted_at').notNull(),
    dueAt: at('due_at').notNull(),
    late: boolean('late').notNull(),
    bySubject: text('by_subject').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    uniqueIndex('quarterly_reports_version').on(t.unitId, t.quarter, t.version),
    index('quarterly_reports_quarter_idx').on(t.quarter),
  ],
);

// ───────────── the half-yearly evaluation ─────────────

export const evaluationStatus = evaluationsSchema.enum('evaluation_status', ['DRAFT', 'PUBLISHED']);
export const gradingMethod = evaluationsSchema.enum('grading_method', ['THRESHOLDS', 'QUOTAS']);
export const grade = evaluationsSchema.enum('grade', ['EXCELLENT', 'GOOD', 'FAIR', 'POOR']);
export const decisionKind = evaluationsSchema.enum('decision_kind', ['COMMENDATION', 'ACCOUNTABILITY']);

export interface IndicatorDefinition {
  code: string;
  name: string;
  kind: string;
  weight: number;
  measure: string;
  /**
   * A unit without a value for it is not evaluated (未参评). Set by the command office, defaulting
   * from the plan's scheme (grading.ts); absent in definitions published before it existed (migration
   * 0009), which had no mandatory indicator.
   */
  mandatory?: boolean;
}

/** One frozen input of a published result. */
export interface FrozenInput {
  indicator: string;
  kind: string;
  value: number | null;
  source: string;
  fetchedAt: string;
  /** Answer sheets, when the value came from surveys (issue #26 §6); absent otherwise and in results frozen before. */
  responses?: number | null;
  normalised: number | null;
  weight: number;
  contribution: number;
}

/** A half year's evaluation. Its definition may be replaced (version) until it is published, then never. */
export const evaluations = evaluationsSchema.table('evaluations', {
  id: uuid('id').primaryKey().defaultRandom(),
  period: text('period').notNull().unique(),
  status: evaluationStatus('status').notNull().default('DRAFT'),
  indicators: jsonb('indicators').$type<IndicatorDefinition[]>().notNull(),
  gradingMethod: gradingMethod('grading_method').notNull(),
  gradeCutoffs: jsonb('grade_cutoffs').$type<number[]>().notNull(),
  /** The weight (0–100) a unit's indicators with a value must reach for the unit to be evaluated, mandatory ones present. */
  minimumCoverage: integer('minimum_coverage').notNull().default(0),
  createdBy: text('created_by').notNull(),
  createdAt: at('created_at').notNull(),
  publishedAt: at('published_at'),
  version: integer('version').notNull().default(1),
  sample: boolean('sample').notNull().default(false),
});

/** Entered indicator values; the latest per unit and indicator counts. Append-only. */
export const indicatorValues = evaluationsSchema.table(
  'indicator_values',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    unitId: uuid('unit_id').notNull(),
    indicator: text('indicator').notNull(),
    value: numeric('value', { precision: 14, scale: 4, mode: 'number' }).notNull(),
    source: text('source').notNull(),
    /** The account that entered it: for the command office's own audit, never shown to the public. */
    enteredBy: text('entered_by').notNull(),
    /** The unit that entered it, which is what results show (null: entered before it was kept — by the command office, the only unit that may). */
    enteredByUnitId: uuid('entered_by_unit_id'),
    enteredAt: at('entered_at').notNull(),
  },
  (t) => [index('indicator_values_latest_idx').on(t.evaluationId, t.unitId, t.indicator, t.id)],
);

/**
 * Every definition the command office gave an evaluation (createEvaluation, first and again), with
 * who and when: the indicators, which are mandatory, the grading and the coverage a unit needs to be
 * evaluated. Append-only: the evidence of how the rules of a half year came to be.
 */
export const evaluationDefinitions = evaluationsSchema.table(
  'evaluation_definitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    version: integer('version').notNull(),
    indicators: jsonb('indicators').$type<IndicatorDefinition[]>().notNull(),
    gradingMethod: gradingMethod('grading_method').notNull(),
    gradeCutoffs: jsonb('grade_cutoffs').$type<number[]>().notNull(),
    minimumCoverage: integer('minimum_coverage').notNull(),
    definedBy: text('defined_by').notNull(),
    definedAt: at('defined_at').notNull(),
  },
  (t) => [uniqueIndex('evaluation_definitions_version_idx').on(t.evaluationId, t.version)],
);

/**
 * The published result of each unit with every input it rests on. Append-only. A unit whose data
 * does not reach the evaluation's coverage is kept as not evaluated (未参评): no score, rank or grade.
 */
export const evaluationResults = evaluationsSchema.table(
  'evaluation_results',
  {
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    unitId: uuid('unit_id').notNull(),
    evaluated: boolean('evaluated').notNull().default(true),
    score: numeric('score', { precision: 7, scale: 3, mode: 'number' }),
    rank: integer('rank'),
    grade: grade('grade'),
    inputs: jsonb('inputs').$type<FrozenInput[]>().notNull(),
  },
  (t) => [
    uniqueIndex('evaluation_results_pk').on(t.evaluationId, t.unitId),
    check(
      'evaluation_results_graded_iff_evaluated',
      sql`${t.evaluated} = (${t.score} is not null) and ${t.evaluated} = (${t.rank} is not null) and ${t.evaluated} = (${t.grade} is not null)`,
    ),
  ],
);

/** Commendations and accountability decisions against a published result. Append-only. */
export const evaluationDecisions = evaluationsSchema.table('evaluation_decisions', {
  id: uuid('id').primaryKey().defaultRandom(),
  evaluationId: uuid('evaluation_id')
    .notNull()
    .references(() => evaluations.id),
  unitId: uuid('unit_id').notNull(),
  kind: decisionKind('kind').notNull(),
  text: text('text').notNull(),
  decidedBy: text('decided_by').notNull(),
  decidedAt: at('decided_at').notNull(),
});

/**
 * The service-review figures kept per unit and day of review (Beijing): every part that does not
 * move with the clock. Derived, never written by the slice: triggers on service_reviews and
 * review_actions stage each change (review_figure_changes) and the transaction adds them up here as
 * it commits, in key order (migration 0005). Reviews still awaiting an answer or a rectification —
 * due or overdue by the clock — are counted live. The serving role may only read it.
 */
export const reviewFigures = evaluationsSchema.table(
  'review_figures',
  {
    unitId: uuid('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** Reviews not excluded. */
    count: integer('count').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    bad: integer('bad').notNull().default(0),
    rectified: integer('rectified').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
    excluded: integer('excluded').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.day] })],
);

/** review_figures added up per calendar month (the 1st of the month): a half year is 6 rows per unit, plus the days at either edge of a period. */
export const reviewFiguresMonthly = evaluationsSchema.table(
  'review_figures_monthly',
  {
    unitId: uuid('unit_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    bad: integer('bad').notNull().default(0),
    rectified: integer('rectified').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
    excluded: integer('excluded').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.month] })],
);

/** A transaction's staged changes to review_figures, one row per part; empty outside a transaction. */
export const reviewFigureChanges = evaluationsSchema.table(
  'review_figure_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    txid: bigint('txid', { mode: 'number' })
      .notNull()
      .default(sql`txid_current()`),
    unitId: uuid('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    part: text('part').notNull(),
    amount: integer('amount').notNull(),
  },
  (t) => [index('review_figure_changes_txid_idx').on(t.txid)],
);

/** The slice's notices (issue #25 §3): outbox, deliveries, webhooks, inbox and who receives what (db/outbox.ts). */
export const { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts } = outboxTables(evaluationsSchema);

/**
 * 问卷调查 (issue #26 §6): a survey the command office publishes to enterprises or the public, about
 * a unit, a district or an environment; its questions fixed at publication (a correction is another
 * survey). `unitId` is the unit whose satisfaction indicator it feeds — the unit it is about, or the
 * district's own unit — none for an environment. Never changed (a trigger).
 */
export const surveyAudience = evaluationsSchema.enum('survey_audience', ['ENTERPRISES', 'PUBLIC']);
export const surveySubject = evaluationsSchema.enum('survey_subject', ['UNIT', 'DISTRICT', 'ENVIRONMENT']);

/** One question as published: a rating 1–5, a single or multiple choice among its options, or free text. */
export interface SurveyQuestion {
  kind: 'RATING' | 'SINGLE_CHOICE' | 'MULTIPLE_CHOICE' | 'TEXT';
  text: string;
  options: string[];
  required: boolean;
}

export const surveys = evaluationsSchema.table(
  'surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description'),
    audience: surveyAudience('audience').notNull(),
    subject: surveySubject('subject').notNull(),
    /** The unit whose satisfaction indicator the answers feed (UNIT: it; DISTRICT: the district's unit, if any). */
    unitId: uuid('unit_id'),
    districtCode: text('district_code'),
    environmentCode: text('environment_code'),
    questions: jsonb('questions').$type<SurveyQuestion[]>().notNull(),
    opensAt: at('opens_at').notNull(),
    closesAt: at('closes_at').notNull(),
    /** Who published it: a person (issuer, role, subject); a retry by `clientRequestId` is that person's. */
    publisherIssuer: text('publisher_issuer').notNull(),
    publisherRole: text('publisher_role').notNull(),
    publisherSubject: text('publisher_subject').notNull(),
    publisherUnitId: uuid('publisher_unit_id'),
    clientRequestId: text('client_request_id').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('surveys_time_idx').on(t.opensAt, t.id),
    index('surveys_unit_idx').on(t.unitId, t.audience, t.opensAt),
    uniqueIndex('surveys_request_key').on(t.publisherIssuer, t.publisherRole, t.publisherSubject, t.clientRequestId),
    check('surveys_closes_after_opening', sql`${t.closesAt} > ${t.opensAt}`),
  ],
);

export const respondentKind = evaluationsSchema.enum('respondent_kind', ['ENTERPRISE', 'PUBLIC']);

/**
 * One answer sheet (append-only): an enterprise's once per survey (by its token's credit code), the
 * public's within the anonymous write limits. `respondentKey` is a hash (the person, or the address).
 */
export const surveyResponses = evaluationsSchema.table(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id),
    respondentKind: respondentKind('respondent_kind').notNull(),
    /** The enterprise's 统一社会信用代码 (ENTERPRISES surveys): one answer sheet each. */
    creditCode: text('credit_code'),
    respondentKey: text('respondent_key').notNull(),
    clientRequestId: text('client_request_id').notNull(),
    answeredAt: at('answered_at').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    uniqueIndex('survey_responses_enterprise_key').on(t.surveyId, t.creditCode),
    uniqueIndex('survey_responses_request_key').on(t.respondentKey, t.clientRequestId),
    index('survey_responses_limits_idx').on(t.respondentKey, t.answeredAt),
    index('survey_responses_survey_idx').on(t.surveyId, t.answeredAt),
  ],
);

/** One answer of a sheet (append-only): a rating 1–5, the options chosen (0-based), or the text. */
export const surveyAnswers = evaluationsSchema.table(
  'survey_answers',
  {
    responseId: uuid('response_id')
      .notNull()
      .references(() => surveyResponses.id),
    surveyId: uuid('survey_id').notNull(),
    question: smallint('question').notNull(),
    rating: smallint('rating'),
    choices: smallint('choices').array(),
    text: text('text'),
    answeredAt: at('answered_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.responseId, t.question] }),
    index('survey_answers_question_idx').on(t.surveyId, t.question),
    index('survey_answers_text_idx')
      .on(t.surveyId, t.answeredAt, t.responseId, t.question)
      .where(sql`${t.text} is not null`),
    check('survey_answers_rating_range', sql`${t.rating} is null or ${t.rating} between 1 and 5`),
  ],
);
