/**
 * Thin resolvers of the issues slice: hand the arguments to the service, map rows to the schema's
 * shapes. Their types come from the SDL (schema-types.ts, generated). What a caller may see of a
 * field the service's access answers (`sees…`); nothing is decided here.
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { period } from '../../platform/periods.ts';
import { ref } from '../../platform/refs.ts';
import { pageArgs } from '../../platform/pagination.ts';
import { noteAudienceOf } from './access.ts';
import { deadlineState } from './deadlines.ts';
import type { DeadlineRow, EventRow } from './store.ts';
import type { Resolvers } from './schema-types.ts';

type Details = { unitId?: string; rating?: 'SATISFIED' | 'BASICALLY_SATISFIED' | 'UNSATISFIED'; workingDays?: number } | null;
const details = (row: EventRow) => row.details as Details;

export const issuesResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    issue: (_, { id }, { issues }) => issues.issue(id),
    issues: (_, { filter, ...page }, { issues }, info) => issues.issues(filter, pageArgs(page, info)),
    issueAlerts: (_, { unitId, ...page }, { issues }, info) => issues.alerts(unitId ?? null, pageArgs(page, info)),
    issueStats: (_, args, { issues }) => issues.overallStats(period(args.period)),
    issueStatsBy: (_, args, { issues }) => issues.statsBy(args.dimension, period(args.period)),
    unitRanking: (_, args, { issues }) => issues.ranking(args.rate, period(args.period), args.among ?? 'ALL_UNITS'),
    supervisionOutcomes: (_, { unitId, ...page }, { issues }, info) => issues.supervisionOutcomes(unitId ?? null, pageArgs(page, info)),
    publishedCases: (_, page, { issues }, info) => issues.publishedCases(pageArgs(page, info)),
    calendarYears: (_, __, { issues }) => issues.calendarYears(),
  },
  Mutation: {
    submitAppeal: (_, { input }, { issues }) => issues.submitAppeal(input),
    reportIssue: (_, { input }, { issues }) => issues.reportIssue(input),
    acceptIssue: (_, a, { issues }) => issues.acceptIssue(a.id, a.input, a.expectedVersion),
    rejectIssue: (_, a, { issues }) => issues.rejectIssue(a.id, a.reason, a.expectedVersion),
    assignIssue: (_, a, { issues }) => issues.assignIssue(a.id, a.unitId, a.coHandlerIds, a.note, a.expectedVersion),
    addCoHandler: (_, a, { issues }) => issues.addCoHandler(a.id, a.unitId, a.note, a.expectedVersion),
    removeCoHandler: (_, a, { issues }) => issues.removeCoHandler(a.id, a.unitId, a.note, a.expectedVersion),
    contributeToIssue: (_, a, { issues }) => issues.contributeToIssue(a.id, a.note, a.expectedVersion),
    returnIssue: (_, a, { issues }) => issues.returnIssue(a.id, a.reason, a.expectedVersion),
    recordContact: (_, a, { issues }) => issues.recordContact(a.id, a.note, a.noteFor, a.expectedVersion),
    giveFeedback: (_, a, { issues }) => issues.giveFeedback(a.id, a.note, a.expectedVersion),
    resolveIssue: (_, a, { issues }) => issues.resolveIssue(a.id, a.resolution, a.outcome, a.expectedVersion),
    rateIssue: (_, a, { issues }) => issues.rateIssue(a.id, a.rating, a.solved, a.comment, a.expectedVersion),
    recordFollowUp: (_, a, { issues }) => issues.recordFollowUp(a.id, a.input, a.expectedVersion),
    closeIssue: (_, a, { issues }) => issues.closeIssue(a.id, a.note, a.noteFor, a.expectedVersion),
    reopenIssue: (_, a, { issues }) => issues.reopenIssue(a.id, a.reason, a.noteFor, a.expectedVersion),
    escalateIssue: (_, a, { issues }) => issues.escalateIssue(a.id, a.supervisingLeader, a.note, a.expectedVersion),
    deescalateIssue: (_, a, { issues }) => issues.deescalateIssue(a.id, a.note, a.expectedVersion),
    mergeIssue: (_, a, { issues }) => issues.mergeIssue(a.id, a.intoId, a.note, a.expectedVersion),
    requestExtension: (_, a, { issues }) => issues.requestExtension(a.id, a.totalWorkingDays, a.reason, a.expectedVersion),
    grantExtension: (_, a, { issues }) => issues.grantExtension(a.id, a.approve ?? true, a.note, a.expectedVersion),
    remindIssue: (_, a, { issues }) => issues.remindIssue(a.id, a.note, a.expectedVersion),
    planMilestones: (_, a, { issues }) => issues.planMilestones(a.id, a.milestones, a.expectedVersion),
    requestReplan: (_, a, { issues }) => issues.requestReplan(a.id, a.milestones, a.reason, a.expectedVersion),
    decideReplan: (_, a, { issues }) => issues.decideReplan(a.id, a.approve ?? true, a.note, a.expectedVersion),
    completeMilestone: (_, a, { issues }) => issues.completeMilestone(a.id, a.milestoneId, a.note, a.expectedVersion),
    publishIssue: (_, a, { issues }) => issues.publishIssue(a.id, a.title, a.summary, a.kind, a.expectedVersion),
    recordSupervisionOutcome: (_, { input }, { issues }) => issues.recordSupervisionOutcome(input),
    setCalendarYear: (_, { input }, { issues }) => issues.setCalendarYear(input),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    name: (unit, _, { issues }) => unit.name ?? issues.unitName(unit.id),
    issues: (unit, { filter, ...page }, { issues }, info) => issues.issues({ ...filter, unitId: unit.id }, pageArgs(page, info)),
    issueStats: (unit, args, { issues }) => issues.unitStats(unit.id, period(args.period)),
    issueAlerts: (unit, page, { issues }, info) => issues.alerts(unit.id, pageArgs(page, info)),
    supervisionOutcomes: (unit, page, { issues }, info) => issues.supervisionOutcomes(unit.id, pageArgs(page, info)),
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
    issueStats: (domain, args, { issues }) => issues.domainStats(domain.code, period(args.period)),
  },
  Issue: {
    effectiveStatus: async (row, _, { issues }) => (await issues.originalOf(row))?.status ?? row.status,
    resolution: async (row, _, { issues }) => (await issues.originalOf(row))?.resolution ?? row.resolution,
    enterprise: (row) => ref('creditCode', row.enterpriseCreditCode),
    district: (row) => ref('code', row.districtCode),
    contact: async (row, _, { issues }) =>
      row.contactName && row.contactPhone && (await issues.seesContact(row)) ? { name: row.contactName, phone: row.contactPhone } : null,
    responsibleUnit: (row, _, { issues }) => issues.unitWithName(row.responsibleUnitId),
    coHandlers: (row) => row.coHandlerUnitIds.map((id) => ({ id })),
    intakeUnit: (row) => ref('id', row.intakeUnitId),
    proposedUnit: (row) => ref('id', row.proposedUnitId),
    dispatchHours: (row) => (row.firstAssignedAt ? (row.firstAssignedAt.getTime() - row.receivedAt.getTime()) / 3_600_000 : null),
    rating: async (row, _, { issues }) => (await issues.ratings(row.id)).at(-1) ?? null,
    ratings: (row, _, { issues }) => issues.ratings(row.id),
    followUps: (row, _, { issues }) => issues.followUps(row.id),
    supervisionOutcomes: (row, _, { issues }) => issues.issueOutcomes(row.id),
    escalation: (row) =>
      row.escalatedAt
        ? {
            escalatedAt: row.escalatedAt,
            supervisingLeader: row.supervisingLeader!,
            active: row.supervisionEndedAt === null,
            endedAt: row.supervisionEndedAt,
          }
        : null,
    mergedInto: (row, _, { issues }) => issues.visibleIssue(row.mergedIntoId),
    extension: (row, _, { issues }) =>
      row.extensionRequestedAt || row.extensionGrantedWorkingDays
        ? {
            requestedWorkingDays: row.extensionRequestedWorkingDays,
            // The unit's reasons are internal.
            reason: issues.seesInternal() ? row.extensionReason : null,
            requestedAt: row.extensionRequestedAt,
            pending: row.extensionRequestedAt !== null,
            grantedWorkingDays: row.extensionGrantedWorkingDays,
          }
        : null,
    replan: (row, _, { issues }) =>
      row.replanRequestedAt
        ? {
            milestones: row.replanMilestones as { title: string; dueOn: string }[],
            reason: issues.seesInternal() ? row.replanReason : null,
            requestedAt: row.replanRequestedAt,
          }
        : null,
    deadlines: (row, _, { issues }) => issues.deadlines(row.id),
    milestones: async (row, _, { issues }) =>
      (await issues.deadlines(row.id)).filter((d: DeadlineRow) => d.stage === 'MILESTONE' && !d.cancelledAt),
    history: (row, _, { issues }) => issues.history(row.id),
    reportedBy: (row, _, { issues }) =>
      issues.seesReporter() ? { subject: row.reporterSubject, role: row.reporterRole, unit: ref('id', row.reporterUnitId) } : null,
    published: (row) => row.publishedAt !== null,
  },
  Deadline: {
    id: (row) => String(row.id),
    unit: (row) => ref('id', row.unitId),
    dueAt: (row) => row.dueAt!,
    warnAt: (row) => row.warnAt!,
    provisional: (row) => row.pendingCalendarYear !== null,
    provisionalUntilYear: (row) => row.pendingCalendarYear,
    closedAt: (row) => row.cancelledAt,
    state: (row, _, { issues }) => deadlineState(row, issues.now())!,
  },
  IssueRating: {
    by: (row, _, { issues }) => ({
      subject: issues.seesSubject({ subject: row.raterSubject, role: row.raterRole }) ? row.raterSubject : null,
      role: row.raterRole,
      unit: null,
    }),
  },
  FollowUp: {
    id: (row) => String(row.id),
    by: (row, _, { issues }) => ({
      subject: issues.seesSubject({ subject: row.actorSubject, role: 'COMMAND_OFFICE' }) ? row.actorSubject : null,
      role: 'COMMAND_OFFICE',
      unit: ref('id', row.actorUnitId),
    }),
  },
  SupervisionOutcome: {
    id: (row) => String(row.id),
    unit: (row) => ({ id: row.unitId }),
    issue: (row, _, { issues }) => issues.visibleIssue(row.issueId),
  },
  UnitRank: {
    unit: (row) => ({ id: row.unitId }),
  },
  IssueEvent: {
    id: (row) => String(row.id),
    actor: (row, _, { issues }) => ({
      subject: issues.seesEventSubject(row) ? row.actorSubject : null,
      role: row.actorRole,
      unit: issues.seesEventUnit(row) ? ref('id', row.actorUnitId) : null,
    }),
    note: (row, _, { issues }) => (issues.seesNote(row) ? row.note : null),
    noteFor: (row) => (row.note ? noteAudienceOf(row) : null),
    unit: (row) => ref('id', details(row)?.unitId ?? null),
    rating: (row) => details(row)?.rating ?? null,
    workingDays: (row) => details(row)?.workingDays ?? null,
  },
  PublishedCase: {
    title: (row) => row.publishedTitle!,
    summary: (row) => row.publishedSummary!,
    kind: (row) => row.publishedKind,
    unit: (row) => ref('id', row.responsibleUnitId),
    publishedAt: (row) => row.publishedAt!,
  },
};
