/**
 * Tables of the issues subgraph, in the Postgres schema `issues`: problems and enterprise appeals,
 * their deadlines, their append-only history, and the working-day calendar the deadlines use.
 * Units and enterprises are referenced by id / credit code only; their data lives in the units
 * subgraph and arrives through federation.
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
import campaign from './reference/campaign.json' with { type: 'json' };
import { outboxTables } from './outbox.ts';

export const issuesSchema = pgSchema('issues');

// The plan's lists are the one source of these codes (campaign.json); a test checks that the SDL
// enums and the database's enum types agree with it.
const codes = (list: { code: string }[]) => list.map((item) => item.code) as [string, ...string[]];
export const issueSource = issuesSchema.enum('issue_source', codes(campaign.problemSources));
export const environment = issuesSchema.enum('environment', codes(campaign.environments));
export const appealKind = issuesSchema.enum('appeal_kind', ['CONSULTATION', 'HELP', 'COMPLAINT', 'REPORT', 'SUGGESTION']);
export const rectificationMode = issuesSchema.enum('rectification_mode', ['IMMEDIATE', 'ONGOING']);
export const issueStatus = issuesSchema.enum('issue_status', [
  'SUBMITTED',
  'REJECTED',
  'ACCEPTED',
  'ASSIGNED',
  'RETURNED',
  'CONTACTED',
  'FEEDBACK_GIVEN',
  'RESOLVED',
  'CLOSED',
  'REOPENED',
  'MERGED',
]);
export const rating = issuesSchema.enum('rating', ['SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED']);
export const deadlineStage = issuesSchema.enum('deadline_stage', ['CONTACT', 'FEEDBACK', 'RESOLUTION', 'MILESTONE']);
/** Why a deadline stopped running without being met; its lateness, if any, stays on record. */
export const deadlineCloseReason = issuesSchema.enum('deadline_close_reason', [
  'REASSIGNED',
  'RETURNED',
  'MERGED',
  'REPLANNED',
  'REJECTED',
]);
/** 解决, or 服务确认: explained to the enterprise, not solvable. */
export const resolutionOutcome = issuesSchema.enum('resolution_outcome', ['SOLVED', 'SERVICE_CONFIRMED']);
/** Who a note is written for: government only, or also the enterprise (and any outside reporter). */
export const noteAudience = issuesSchema.enum('note_audience', ['INTERNAL', 'ENTERPRISE']);
/** A published typical case: one to follow, or one to learn from. */
export const caseKind = issuesSchema.enum('case_kind', ['POSITIVE', 'NEGATIVE']);
/** What supervision decided (该提醒的提醒、该批评的批评、该诫勉的诫勉, 通报, 表扬). */
export const supervisionOutcomeKind = issuesSchema.enum('supervision_outcome_kind', [
  'REMINDER',
  'CRITICISM',
  'ADMONITION',
  'CIRCULATED',
  'COMMENDATION',
]);

const instant = (name: string) => timestamp(name, { withTimezone: true });

export const issues = issuesSchema.table(
  'issues',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Human case number (受理编号), in order of recording. */
    number: bigserial('number', { mode: 'number' }).notNull(),
    source: issueSource('source').notNull(),
    environment: environment('environment').notNull(),
    appealKind: appealKind('appeal_kind'),
    title: text('title').notNull(),
    description: text('description').notNull(),
    enterpriseCreditCode: text('enterprise_credit_code'),
    districtCode: text('district_code'),
    /** The unit the reporter proposed; the command office decides with assignIssue. */
    proposedUnitId: uuid('proposed_unit_id'),
    /** The lead handler (主办单位) now. */
    responsibleUnitId: uuid('responsible_unit_id'),
    /** Co-handling units (协办单位): they see the item and add their part; the lead answers. */
    coHandlerUnitIds: uuid('co_handler_unit_ids')
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** The unit that accepted or rejected it (the command office, or a district or zone for its area). */
    intakeUnitId: uuid('intake_unit_id'),
    /** How to reach the enterprise: for the handling units and the command office only. */
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    responsibleLeader: text('responsible_leader'),
    rectificationMode: rectificationMode('rectification_mode'),
    /** Limit the command office set for an IMMEDIATE rectification. */
    immediateWorkingDays: smallint('immediate_working_days'),
    status: issueStatus('status').notNull().default('SUBMITTED'),
    version: integer('version').notNull().default(1),

    /** The reporter is a person: issuer, role and subject together (platform/auth.ts `isPerson`). */
    reporterSubject: text('reporter_subject').notNull(),
    reporterRole: text('reporter_role').notNull(),
    /** The reporter's token's issuer ('' when it named none); null for reports kept before issuers were. */
    reporterIssuer: text('reporter_issuer'),
    reporterUnitId: uuid('reporter_unit_id'),
    reporterEnterprise: text('reporter_enterprise'),
    clientRequestId: text('client_request_id').notNull(),
    /**
     * A record another channel sent in a batch (12345, the discipline platform, a department's system):
     * that system's name and its own reference — the record's key there, unique here (issue #25).
     */
    sourceSystem: text('source_system'),
    externalRef: text('external_ref'),
    /** Fingerprint of the submission, to tell a retry from a reused request id. */
    requestFingerprint: text('request_fingerprint').notNull(),

    /** When the item reached the government, by any platform; all clocks run from here. */
    receivedAt: instant('received_at').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    acceptedAt: instant('accepted_at'),
    /** First assignment to a unit: receipt to here is the dispatch time. */
    firstAssignedAt: instant('first_assigned_at'),
    /** When the current handling unit received it: its clocks run from here. */
    assignedAt: instant('assigned_at'),
    resolvedAt: instant('resolved_at'),
    closedAt: instant('closed_at'),

    rejectionReason: text('rejection_reason'),
    resolution: text('resolution'),
    resolutionOutcome: resolutionOutcome('resolution_outcome'),
    reopenCount: smallint('reopen_count').notNull().default(0),
    enterpriseReopenUsed: boolean('enterprise_reopen_used').notNull().default(false),

    /** Start of the current (or last) listed supervision (挂牌督办). */
    escalatedAt: instant('escalated_at'),
    supervisingLeader: text('supervising_leader'),
    /** When that supervision ended (摘牌, or 销号 / merge of the issue); null while it runs. */
    supervisionEndedAt: instant('supervision_ended_at'),
    mergedIntoId: uuid('merged_into_id'),
    absorbedCount: integer('absorbed_count').notNull().default(0),
    reminderCount: integer('reminder_count').notNull().default(0),

    extensionRequestedWorkingDays: smallint('extension_requested_working_days'),
    extensionReason: text('extension_reason'),
    extensionRequestedAt: instant('extension_requested_at'),
    /** Total working days of the resolution limit after a granted extension (≤ 30). */
    extensionGrantedWorkingDays: smallint('extension_granted_working_days'),

    /** A unit's pending request to re-plan its milestones (the command office decides). */
    replanMilestones: jsonb('replan_milestones'),
    replanReason: text('replan_reason'),
    replanRequestedAt: instant('replan_requested_at'),

    publishedAt: instant('published_at'),
    publishedKind: caseKind('published_kind'),
    publishedTitle: text('published_title'),
    publishedSummary: text('published_summary'),

    /** Earliest open deadline and its warning time, kept in step with issue_deadlines for cheap filters. */
    nextDueAt: instant('next_due_at'),
    nextWarnAt: instant('next_warn_at'),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    uniqueIndex('issues_number_key').on(t.number),
    uniqueIndex('issues_client_request_key').on(t.reporterIssuer, t.reporterRole, t.reporterSubject, t.clientRequestId),
    uniqueIndex('issues_external_key')
      .on(t.sourceSystem, t.externalRef)
      .where(sql`${t.externalRef} is not null`),
    index('issues_received_idx').on(t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('issues_unit_received_idx').on(t.responsibleUnitId, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('issues_reporter_unit_idx').on(t.reporterUnitId, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('issues_reporter_enterprise_idx').on(t.reporterEnterprise, t.receivedAt.desc().nullsFirst()),
    index('issues_reporter_subject_idx').on(t.reporterSubject, t.receivedAt.desc().nullsFirst()),
    index('issues_enterprise_idx').on(t.enterpriseCreditCode),
    index('issues_district_idx').on(t.districtCode, t.receivedAt.desc().nullsFirst()),
    index('issues_environment_idx').on(t.environment, t.receivedAt.desc().nullsFirst()),
    index('issues_source_idx').on(t.source, t.receivedAt.desc().nullsFirst()),
    index('issues_status_idx').on(t.status, t.receivedAt.desc().nullsFirst()),
    index('issues_next_due_idx').on(t.nextDueAt),
    // Open items by due time, with what the live figures group them by: read from the index alone.
    index('issues_open_due_idx')
      .on(t.nextDueAt, t.responsibleUnitId, t.receivedAt)
      .where(sql`${t.nextDueAt} is not null`),
    // A unit's open items with a running clock, newest first (the due time alongside, so "overdue"
    // is decided in the index): a domain's overdue list reads each unit's newest twenty here.
    index('issues_unit_open_received_idx')
      .on(t.responsibleUnitId, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst(), t.nextDueAt)
      .where(sql`${t.nextDueAt} is not null`),
    index('issues_escalated_idx')
      .on(t.escalatedAt)
      .where(sql`${t.escalatedAt} is not null and ${t.supervisionEndedAt} is null`),
    index('issues_co_handlers_idx').using('gin', t.coHandlerUnitIds),
    // Any combination of the list's filters in one index scan (btree_gin, #28 §1b): a district, a
    // source, a status, an environment and a unit AND their posting lists here, and the result ANDs
    // with a word's search-terms index — where separate B-tree bitmaps of 100,000-row districts and
    // 166,667-row sources cost 35–92 ms for a combination holding a few hundred issues or none
    // (now 10–25 ms at 1M issues), and their counts fall within the exact count's time box. 9 MB.
    index('issues_filters_idx').using('gin', t.districtCode, t.source, t.status, t.environment, t.responsibleUnitId),
    index('issues_intake_unit_idx')
      .on(t.intakeUnitId, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.intakeUnitId} is not null`),
    index('issues_published_idx')
      .on(t.publishedAt.desc().nullsFirst())
      .where(sql`${t.publishedAt} is not null`),
    index('issues_merged_into_idx')
      .on(t.mergedIntoId)
      .where(sql`${t.mergedIntoId} is not null`),
    // `title_terms` and `search_terms` are generated columns the application never reads (migration
    // 0013: the character pairs of the title, and of the title and description; platform/search-text.ts):
    // not declared here, so no select or returning() carries them; only their indexes are.
    index('issues_title_terms_idx').using('gin', sql`title_terms`),
    index('issues_search_terms_idx').using('gin', sql`search_terms`),
    check('issues_immediate_limit', sql`${t.immediateWorkingDays} is null or ${t.immediateWorkingDays} between 1 and 30`),
    check('issues_extension_limit', sql`${t.extensionGrantedWorkingDays} is null or ${t.extensionGrantedWorkingDays} <= 30`),
  ],
);

export const issueDeadlines = issuesSchema.table(
  'issue_deadlines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    stage: deadlineStage('stage').notNull(),
    /** 1 for the first handling; a reopened issue's new resolution limit is round 2, and so on. */
    round: smallint('round').notNull().default(1),
    title: text('title'),
    /** The unit whose clock it is: lateness is that unit's, whoever handles the issue later. */
    unitId: uuid('unit_id'),
    /** The instant the clock runs from (the unit's receipt, or the reopening). */
    startsAt: instant('starts_at').notNull(),
    /** The rule, so due times can be recomputed when the calendar changes. */
    hours: smallint('hours'),
    workingDays: smallint('working_days'),
    dueOn: date('due_on'),
    /** Always set by the service; provisional (weekends only) while the calendar lacks a year… */
    dueAt: instant('due_at'),
    /** …and this is the first year it lacks: the due time is recomputed when that year is entered. */
    pendingCalendarYear: smallint('pending_calendar_year'),
    warnAt: instant('warn_at'),
    metAt: instant('met_at'),
    /** When it stopped running without being met (reassigned, returned, merged, re-planned). */
    cancelledAt: instant('cancelled_at'),
    closeReason: deadlineCloseReason('close_reason'),
    /**
     * The instant its lateness is judged at when it stopped unmet: the stop itself, or the moment a
     * granted request was asked for. At or after the due time it was missed (LAPSED), and counts so.
     */
    judgedAt: instant('judged_at'),
    /**
     * The issue's receipt (its cohort), copied by a trigger on every write: open deadlines are
     * counted per period from one index, without visiting their issues. NOT NULL in the database
     * (migration 0006); optional here only because the trigger, not the caller, fills it.
     */
    receivedAt: instant('received_at'),
  },
  (t) => [
    index('issue_deadlines_issue_idx').on(t.issueId, t.stage, t.round),
    index('issue_deadlines_open_warn_idx')
      .on(t.warnAt)
      .where(sql`${t.metAt} is null and ${t.cancelledAt} is null`),
    // Open deadlines by due time: the alerts' order, and the live part of the figures, read from the index alone.
    index('issue_deadlines_open_due_idx')
      .on(t.dueAt, t.id, t.warnAt, t.unitId, t.stage, t.receivedAt)
      .where(sql`${t.metAt} is null and ${t.cancelledAt} is null`),
    index('issue_deadlines_pending_calendar_idx')
      .on(t.pendingCalendarYear)
      .where(sql`${t.pendingCalendarYear} is not null`),
    index('issue_deadlines_unit_idx').on(t.unitId),
  ],
);

export const issueEvents = issuesSchema.table(
  'issue_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    action: text('action').notNull(),
    fromStatus: issueStatus('from_status'),
    toStatus: issueStatus('to_status').notNull(),
    actorSubject: text('actor_subject').notNull(),
    actorRole: text('actor_role').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    note: text('note'),
    /** Who the note was written for; INTERNAL notes never reach the enterprise. */
    noteAudience: noteAudience('note_audience'),
    details: jsonb('details'),
    at: instant('at').notNull(),
  },
  (t) => [index('issue_events_issue_idx').on(t.issueId, t.id)],
);

/** The enterprise's rating of each handling round (append-only): a reopened round keeps the first. */
export const issueRatings = issuesSchema.table(
  'issue_ratings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    round: smallint('round').notNull(),
    /** The unit that handled the round: the rating is its figure. */
    unitId: uuid('unit_id'),
    rating: rating('rating').notNull(),
    solved: boolean('solved').notNull(),
    comment: text('comment'),
    raterSubject: text('rater_subject').notNull(),
    raterRole: text('rater_role').notNull(),
    ratedAt: instant('rated_at').notNull(),
  },
  (t) => [uniqueIndex('issue_ratings_round_key').on(t.issueId, t.round), index('issue_ratings_unit_idx').on(t.unitId)],
);

/** The command office's follow-up calls (回访) of enterprises and 12345 callers: its own record. */
export const issueFollowUps = issuesSchema.table(
  'issue_follow_ups',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    round: smallint('round').notNull(),
    unitId: uuid('unit_id'),
    /** Whether the person was reached; only a reached follow-up has a result. */
    reached: boolean('reached').notNull(),
    rating: rating('rating'),
    solved: boolean('solved'),
    note: text('note'),
    actorSubject: text('actor_subject').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    at: instant('at').notNull(),
  },
  (t) => [
    index('issue_follow_ups_issue_idx').on(t.issueId, t.id),
    check('issue_follow_ups_result', sql`${t.reached} = (${t.rating} is not null)`),
  ],
);

/** What supervision decided about an issue or a unit (append-only; a correction is a new record). */
export const supervisionOutcomes = issuesSchema.table(
  'supervision_outcomes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: supervisionOutcomeKind('kind').notNull(),
    /** The unit it concerns (for an issue: the unit the decision is about, its handler by default). */
    unitId: uuid('unit_id').notNull(),
    issueId: uuid('issue_id').references(() => issues.id),
    reason: text('reason').notNull(),
    decidedOn: date('decided_on').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: instant('recorded_at').notNull(),
  },
  (t) => [
    index('supervision_outcomes_unit_idx').on(t.unitId, t.decidedOn.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('supervision_outcomes_issue_idx').on(t.issueId),
  ],
);

export const calendarYears = issuesSchema.table('calendar_years', {
  year: integer('year').primaryKey(),
  notice: text('notice'),
  off: date('off').array().notNull(),
  workdays: date('workdays').array().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/** What a kept figure counts under: a unit, or the issue's own environment, channel or district. */
export const figureAxis = issuesSchema.enum('figure_axis', ['UNIT', 'ENVIRONMENT', 'SOURCE', 'DISTRICT']);

/** The parts of the command office's figures that do not move with the clock (figures.ts). */
const figureParts = {
  received: integer('received').notNull().default(0),
  accepted: integer('accepted').notNull().default(0),
  closed: integer('closed').notNull().default(0),
  reopened: integer('reopened').notNull().default(0),
  dispatched: integer('dispatched').notNull().default(0),
  /** Receipt to first assignment, summed, in milliseconds (exact: instants are stored to the millisecond). */
  dispatchMs: bigint('dispatch_ms', { mode: 'number' }).notNull().default(0),
  resolvedSolved: integer('resolved_solved').notNull().default(0),
  resolvedServiceConfirmed: integer('resolved_service_confirmed').notNull().default(0),
  contactDue: integer('contact_due').notNull().default(0),
  contactOnTime: integer('contact_on_time').notNull().default(0),
  feedbackDue: integer('feedback_due').notNull().default(0),
  feedbackOnTime: integer('feedback_on_time').notNull().default(0),
  resolutionDue: integer('resolution_due').notNull().default(0),
  resolutionOnTime: integer('resolution_on_time').notNull().default(0),
  milestoneDue: integer('milestone_due').notNull().default(0),
  milestoneOnTime: integer('milestone_on_time').notNull().default(0),
  rated: integer('rated').notNull().default(0),
  ratedSolved: integer('rated_solved').notNull().default(0),
  ratedSatisfied: integer('rated_satisfied').notNull().default(0),
  firstRated: integer('first_rated').notNull().default(0),
  firstRatedSolved: integer('first_rated_solved').notNull().default(0),
  firstRatedSatisfied: integer('first_rated_satisfied').notNull().default(0),
  followedUp: integer('followed_up').notNull().default(0),
  followUpSatisfied: integer('follow_up_satisfied').notNull().default(0),
  /**
   * Open items (with a due time), kept too: the clock only moves them from "not yet due" to "due",
   * so the store counts live just the ones not yet due (bounded by intake × limits) and subtracts,
   * however large the overdue backlog grows.
   */
  openContact: integer('open_contact').notNull().default(0),
  openFeedback: integer('open_feedback').notNull().default(0),
  openResolution: integer('open_resolution').notNull().default(0),
  openMilestone: integer('open_milestone').notNull().default(0),
  /** Issues with a running clock (an open deadline). */
  running: integer('running').notNull().default(0),
};

/**
 * The figures kept per day of receipt (Beijing) and per unit, environment, channel and district:
 * every part that does not move with the clock. Derived, never written by the slice: triggers on
 * issues, deadlines, ratings and follow-ups stage each change (issue_figure_changes), and the
 * transaction adds them up here as it commits (migration 0006). Open items — overdue now, open
 * deadlines past their due time — are counted live. The serving role may only read it.
 */
export const issueFigures = issuesSchema.table(
  'issue_figures',
  {
    axis: figureAxis('axis').notNull(),
    /** A unit id ('NONE' for no unit), an environment or channel code, a district code ('NONE'). */
    key: text('key').notNull(),
    day: date('day').notNull(),
    ...figureParts,
  },
  (t) => [primaryKey({ columns: [t.axis, t.key, t.day] })],
);

/** The same figures per calendar month of receipt: a year is read as twelve rows per key, not 365. */
export const issueFiguresMonthly = issuesSchema.table(
  'issue_figures_monthly',
  {
    axis: figureAxis('axis').notNull(),
    key: text('key').notNull(),
    /** The first day of the month. */
    month: date('month').notNull(),
    ...figureParts,
  },
  (t) => [primaryKey({ columns: [t.axis, t.key, t.month] })],
);

/**
 * A transaction's staged changes to issue_figures, one row per part: written by the triggers,
 * added up and removed by the same transaction as it commits, in key order (so two transactions
 * never wait on each other's figures in opposite orders). Empty outside a transaction.
 */
export const issueFigureChanges = issuesSchema.table(
  'issue_figure_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    txid: bigint('txid', { mode: 'number' })
      .notNull()
      .default(sql`txid_current()`),
    day: date('day').notNull(),
    unitKey: text('unit_key').notNull(),
    environment: text('environment').notNull(),
    source: text('source').notNull(),
    district: text('district').notNull(),
    part: text('part').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
  },
  (t) => [index('issue_figure_changes_txid_idx').on(t.txid)],
);

/** The slice's notices (issue #25 §3): outbox, deliveries, webhooks, inbox and who receives what (db/outbox.ts). */
export const { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts } = outboxTables(issuesSchema);
/**
 * The change feed back to the systems that sent records (回传, issue #25): one entry per committed
 * transaction that changed such an issue, with what that system shows its caller. Derived: written
 * only by the deferred trigger of migration 0016 as the transaction commits, under the slice's feed
 * lock, so `seq` is in commit order — a reader paging by `seq` never skips an entry that commits
 * later with a smaller one (subgraphs/issues/README.md, "Records from other channels").
 */
export const issueFeed = issuesSchema.table(
  'issue_feed',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    /** The transaction that wrote it: one entry per issue and transaction. */
    xact: bigint('xact', { mode: 'number' }).notNull(),
    sourceSystem: text('source_system').notNull(),
    externalRef: text('external_ref').notNull(),
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    /** Who sent the record, as a person (the reporter): only they and the command office read it. */
    senderIssuer: text('sender_issuer'),
    senderRole: text('sender_role').notNull(),
    senderSubject: text('sender_subject').notNull(),
    version: integer('version').notNull(),
    action: text('action').notNull(),
    status: issueStatus('status').notNull(),
    responsibleUnitId: uuid('responsible_unit_id'),
    /** The latest feedback written for the enterprise (答复). */
    feedback: text('feedback'),
    resolution: text('resolution'),
    resolutionOutcome: resolutionOutcome('resolution_outcome'),
    /** The latest round's rating, if any. */
    rating: rating('rating'),
    solved: boolean('solved'),
    changedAt: instant('changed_at').notNull(),
  },
  (t) => [index('issue_feed_source_idx').on(t.sourceSystem, t.seq), index('issue_feed_issue_xact_idx').on(t.issueId, t.xact)],
);

/**
 * The plan's dated duties (issue #26): 方案备案 by 3/31 (a document), the self-check list 自查问题清单 by
 * 4/20 (a document and the problems it lists). Each is expected from every unit the plan names — the
 * key domains' lead and responsible units, the participating units and the districts. The plan's own
 * come from campaign.json (reference data); the command office declares further batches. Never
 * changed (a trigger): a correction is another duty.
 */
export const planDutyKind = issuesSchema.enum('plan_duty_kind', ['PLAN_DOCUMENT', 'SELF_CHECK_LIST']);

export const planDuties = issuesSchema.table(
  'plan_duties',
  {
    /** `MOBILIZE:2023-03-31` for the plan's own (step and date); the declared ones `<KIND>:<date>:<n>`. */
    code: text('code').primaryKey(),
    kind: planDutyKind('kind').notNull(),
    title: text('title').notNull(),
    /** Due at 24:00 (Beijing) of this day. */
    dueOn: date('due_on').notNull(),
    declaredBy: text('declared_by').notNull(),
    declaredAt: instant('declared_at').notNull(),
  },
  (t) => [index('plan_duties_due_idx').on(t.dueOn)],
);

/**
 * A unit's filing of its part of a duty (append-only): a document reference and, for a self-check
 * list, the SELF_INSPECTION issues it listed (`issue_origins`), written in the same transaction.
 * Every filing is a version; the first is judged on time or late, for good.
 */
export const planDutyFilings = issuesSchema.table(
  'plan_duty_filings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dutyCode: text('duty_code')
      .notNull()
      .references(() => planDuties.code),
    unitId: uuid('unit_id').notNull(),
    version: integer('version').notNull(),
    documentReference: text('document_reference').notNull(),
    note: text('note'),
    filedAt: instant('filed_at').notNull(),
    dueAt: instant('due_at').notNull(),
    late: boolean('late').notNull(),
    /** Who filed: a person (issuer, role, subject); a retry by `clientRequestId` is that person's. */
    filerIssuer: text('filer_issuer').notNull(),
    filerRole: text('filer_role').notNull(),
    filerSubject: text('filer_subject').notNull(),
    clientRequestId: text('client_request_id').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
  },
  (t) => [
    uniqueIndex('plan_duty_filings_version_key').on(t.dutyCode, t.unitId, t.version),
    uniqueIndex('plan_duty_filings_request_key').on(t.filerIssuer, t.filerRole, t.filerSubject, t.clientRequestId),
    index('plan_duty_filings_unit_idx').on(t.unitId, t.dutyCode),
  ],
);

/** The record of this slice that brought an issue in (append-only): a self-check list's filing. */
export const issueOrigins = issuesSchema.table(
  'issue_origins',
  {
    issueId: uuid('issue_id')
      .primaryKey()
      .references(() => issues.id),
    planDutyFilingId: uuid('plan_duty_filing_id').references(() => planDutyFilings.id),
    /** 局长进大厅: the day in a hall whose findings it was. */
    hallVisitId: uuid('hall_visit_id').references(() => hallVisits.id),
    /** 签约未落地: the project whose obstacle it is. */
    signedProjectId: uuid('signed_project_id').references(() => signedProjects.id),
  },
  (t) => [
    index('issue_origins_filing_idx').on(t.planDutyFilingId),
    index('issue_origins_hall_visit_idx').on(t.hallVisitId),
    index('issue_origins_project_idx').on(t.signedProjectId),
  ],
);

/** Who recorded a record of the plan's machinery: a person (issuer, role, subject), and the request that did. */
const recorder = {
  recorderIssuer: text('recorder_issuer').notNull(),
  recorderRole: text('recorder_role').notNull(),
  recorderSubject: text('recorder_subject').notNull(),
  clientRequestId: text('client_request_id').notNull(),
  requestFingerprint: text('request_fingerprint').notNull(),
  recordedAt: instant('recorded_at').notNull(),
  /** Played by the sample loader (issue #26's sample data). */
  sample: boolean('sample').notNull().default(false),
};

/**
 * A leader of a unit (issue #26): a person by name and post — the 包保 leader of a project or a
 * monitoring point, the principal (主要负责人) who serves in a hall. A record, not free text; never
 * changed (a trigger): a new post is a new record.
 */
export const unitLeaders = issuesSchema.table(
  'unit_leaders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id').notNull(),
    name: text('name').notNull(),
    post: text('post').notNull(),
    /** The unit's principal (局长、主任、区长): the one 局长进大厅 asks of. */
    principal: boolean('principal').notNull(),
    ...recorder,
  },
  (t) => [
    index('unit_leaders_unit_idx').on(t.unitId, t.recordedAt),
    uniqueIndex('unit_leaders_request_key').on(t.recorderIssuer, t.recorderRole, t.recorderSubject, t.clientRequestId),
  ],
);

/**
 * A leader's departure from the post (离任): the day from which they no longer hold it, why, and
 * the successor — a leader of the same unit still in post — who takes over their 包保 projects and
 * points in the same transaction (`leader_handovers`). Recorded once; append-only (a trigger): the
 * leader record itself never changes.
 */
export const unitLeaderDepartures = issuesSchema.table(
  'unit_leader_departures',
  {
    leaderId: uuid('leader_id')
      .primaryKey()
      .references(() => unitLeaders.id),
    /** The first day no longer in the post. */
    leftOn: date('left_on').notNull(),
    reason: text('reason').notNull(),
    successorId: uuid('successor_id').references(() => unitLeaders.id),
    recorderIssuer: text('recorder_issuer').notNull(),
    recorderRole: text('recorder_role').notNull(),
    recorderSubject: text('recorder_subject').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [check('unit_leader_departures_successor', sql`${t.successorId} is distinct from ${t.leaderId}`)],
);

/**
 * 局长进大厅 (issue #26): a day a unit's principal served in a front-line hall — where, when, what
 * they handled and found. Append-only; the problems found are DIRECTOR_IN_HALL issues
 * (`issue_origins.hall_visit_id`) written in the same transaction.
 */
export const hallVisits = issuesSchema.table(
  'hall_visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id').notNull(),
    leaderId: uuid('leader_id')
      .notNull()
      .references(() => unitLeaders.id),
    hall: text('hall').notNull(),
    servedOn: date('served_on').notNull(),
    /** `2026-Q4`: the quarter of `served_on` (Beijing). */
    quarter: text('quarter').notNull(),
    handled: text('handled').notNull(),
    found: text('found'),
    ...recorder,
  },
  (t) => [
    index('hall_visits_quarter_idx').on(t.quarter, t.unitId),
    index('hall_visits_newest_idx').on(t.servedOn, t.id),
    uniqueIndex('hall_visits_request_key').on(t.recorderIssuer, t.recorderRole, t.recorderSubject, t.clientRequestId),
  ],
);

export const signedProjectStatus = issuesSchema.enum('signed_project_status', ['NOT_STARTED', 'STARTED', 'IN_PRODUCTION', 'TERMINATED']);

/**
 * 签约未落地 (issue #26): a project signed since 2022 that has not started or has stalled, listed by
 * its district: the investor (an enterprise by credit code), amount, signing day, industry, status
 * (transitions by rules.ts), the obstacle, the responsible unit and its 包保 leader (a record).
 * Changed by version; every change appends `signed_project_events`.
 */
export const signedProjects = issuesSchema.table(
  'signed_projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    investorCreditCode: text('investor_credit_code').notNull(),
    /** 万元 */
    amountWanYuan: numeric('amount_wan_yuan', { precision: 14, scale: 2, mode: 'number' }).notNull(),
    signedOn: date('signed_on').notNull(),
    industry: text('industry').notNull(),
    districtCode: text('district_code').notNull(),
    status: signedProjectStatus('status').notNull(),
    obstacle: text('obstacle'),
    responsibleUnitId: uuid('responsible_unit_id').notNull(),
    leaderId: uuid('leader_id')
      .notNull()
      .references(() => unitLeaders.id),
    version: integer('version').notNull().default(1),
    updatedAt: instant('updated_at').notNull(),
    ...recorder,
  },
  (t) => [
    index('signed_projects_district_idx').on(t.districtCode, t.status, t.signedOn, t.id),
    index('signed_projects_list_idx').on(t.signedOn, t.id),
    index('signed_projects_unit_idx').on(t.responsibleUnitId),
    uniqueIndex('signed_projects_request_key').on(t.recorderIssuer, t.recorderRole, t.recorderSubject, t.clientRequestId),
  ],
);

/** A project's history (append-only): registration, status changes, obstacles. */
export const signedProjectEvents = issuesSchema.table(
  'signed_project_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => signedProjects.id),
    action: text('action').notNull(),
    fromStatus: signedProjectStatus('from_status'),
    toStatus: signedProjectStatus('to_status').notNull(),
    note: text('note'),
    actor: text('actor').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [index('signed_project_events_project_idx').on(t.projectId, t.id)],
);

export const monitoringPointKind = issuesSchema.enum('monitoring_point_kind', ['ENTERPRISE', 'PROJECT']);
export const visitFrequency = issuesSchema.enum('visit_frequency', ['MONTHLY', 'QUARTERLY']);

/**
 * 重大项目重点企业营商环境监测点 (issue #26): an enterprise or a signed project the command office
 * designates, with its responsible unit, 包保 leader and visit frequency. `last_visited_on` is kept
 * with each visit (by version), so the points unvisited in their current period are one query.
 */
export const monitoringPoints = issuesSchema.table(
  'monitoring_points',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: monitoringPointKind('kind').notNull(),
    name: text('name').notNull(),
    /** The enterprise's credit code (a project point: its investor's): issues it raises are tagged with the point. */
    enterpriseCreditCode: text('enterprise_credit_code').notNull(),
    projectId: uuid('project_id').references(() => signedProjects.id),
    responsibleUnitId: uuid('responsible_unit_id').notNull(),
    leaderId: uuid('leader_id')
      .notNull()
      .references(() => unitLeaders.id),
    frequency: visitFrequency('frequency').notNull(),
    lastVisitedOn: date('last_visited_on'),
    version: integer('version').notNull().default(1),
    ...recorder,
  },
  (t) => [
    index('monitoring_points_code_idx').on(t.enterpriseCreditCode),
    index('monitoring_points_list_idx').on(t.recordedAt, t.id),
    uniqueIndex('monitoring_points_enterprise_key')
      .on(t.enterpriseCreditCode)
      .where(sql`${t.kind} = 'ENTERPRISE'`),
    uniqueIndex('monitoring_points_project_key').on(t.projectId),
    uniqueIndex('monitoring_points_request_key').on(t.recorderIssuer, t.recorderRole, t.recorderSubject, t.clientRequestId),
  ],
);

/** A visit to a monitoring point (append-only). */
export const monitoringVisits = issuesSchema.table(
  'monitoring_visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pointId: uuid('point_id')
      .notNull()
      .references(() => monitoringPoints.id),
    visitedOn: date('visited_on').notNull(),
    leaderId: uuid('leader_id').references(() => unitLeaders.id),
    summary: text('summary').notNull(),
    ...recorder,
  },
  (t) => [
    index('monitoring_visits_point_idx').on(t.pointId, t.visitedOn),
    uniqueIndex('monitoring_visits_request_key').on(t.recorderIssuer, t.recorderRole, t.recorderSubject, t.clientRequestId),
  ],
);

/**
 * A 包保 duty handed from a departing leader to their successor (one row per project or point, in
 * the departure's transaction): who answered for the record before, and since when the successor
 * does. Append-only.
 */
export const leaderHandovers = issuesSchema.table(
  'leader_handovers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    fromLeaderId: uuid('from_leader_id')
      .notNull()
      .references(() => unitLeaderDepartures.leaderId),
    toLeaderId: uuid('to_leader_id')
      .notNull()
      .references(() => unitLeaders.id),
    signedProjectId: uuid('signed_project_id').references(() => signedProjects.id),
    monitoringPointId: uuid('monitoring_point_id').references(() => monitoringPoints.id),
    at: instant('at').notNull(),
  },
  (t) => [
    index('leader_handovers_from_idx').on(t.fromLeaderId),
    index('leader_handovers_point_idx').on(t.monitoringPointId),
    check('leader_handovers_one_record', sql`num_nonnulls(${t.signedProjectId}, ${t.monitoringPointId}) = 1`),
  ],
);

/** An issue raised by a monitoring point's enterprise, tagged at intake (append-only). */
export const issueMonitoringTags = issuesSchema.table(
  'issue_monitoring_tags',
  {
    issueId: uuid('issue_id')
      .notNull()
      .references(() => issues.id),
    pointId: uuid('point_id')
      .notNull()
      .references(() => monitoringPoints.id),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.pointId] }), index('issue_monitoring_tags_point_idx').on(t.pointId, t.issueId)],
);

/**
 * The three observer teams (三支队伍, issue #26 §5): the expert committee, media observers and
 * experience officers (campaign.json `threeTeams`). A membership is a person with the OBSERVER role
 * (the token's issuer and subject) in one team from a day, kept by the command office; ending it
 * is a record of its own (`observer_membership_ends`). Both append-only.
 */
export const observerTeam = issuesSchema.enum('observer_team', ['EXPERT_COMMITTEE', 'MEDIA_OBSERVER', 'EXPERIENCE_OFFICER']);

export const observerMemberships = issuesSchema.table(
  'observer_memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    team: observerTeam('team').notNull(),
    /** The observer as a person: the token's issuer ('' for none) and subject, role OBSERVER. */
    memberIssuer: text('member_issuer').notNull(),
    memberSubject: text('member_subject').notNull(),
    name: text('name').notNull(),
    since: date('since').notNull(),
    /** The last day, when known at the start (a term); otherwise an end record gives it. */
    until: date('until'),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    sample: boolean('sample').notNull().default(false),
  },
  (t) => [
    index('observer_memberships_member_idx').on(t.memberIssuer, t.memberSubject, t.since),
    index('observer_memberships_team_idx').on(t.team, t.since, t.id),
  ],
);

/** The end of a membership (its last day), recorded once by the command office. Append-only. */
export const observerMembershipEnds = issuesSchema.table('observer_membership_ends', {
  membershipId: uuid('membership_id')
    .primaryKey()
    .references(() => observerMemberships.id),
  until: date('until').notNull(),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: instant('recorded_at').notNull(),
});

/** A team member's report (暗访/体验): the UNDERCOVER_VISIT issue, written in its transaction, with the member and team. Append-only. */
export const observerReports = issuesSchema.table(
  'observer_reports',
  {
    issueId: uuid('issue_id')
      .primaryKey()
      .references(() => issues.id),
    membershipId: uuid('membership_id')
      .notNull()
      .references(() => observerMemberships.id),
    team: observerTeam('team').notNull(),
    reportedAt: instant('reported_at').notNull(),
  },
  (t) => [index('observer_reports_team_idx').on(t.team, t.reportedAt, t.issueId), index('observer_reports_member_idx').on(t.membershipId)],
);
