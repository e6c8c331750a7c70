/**
 * Thin resolvers of the issues slice: hand the arguments to the service, map rows to the schema's
 * shapes. Their types come from the SDL (schema-types.ts, generated).
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { errors } from '../../platform/errors.ts';
import { beijingMidnight, endOfBeijingDay } from '../../platform/calendar.ts';
import { deadlineState } from './deadlines.ts';
import type { Period } from './store.ts';
import type { PeriodInput, Resolvers } from './schema-types.ts';

function period(input: PeriodInput | null | undefined): Period | null {
  if (!input) return null;
  if (input.from > input.to) throw errors.badInput('period', { zh: '期间的开始日期晚于结束日期', en: 'The period starts after it ends' });
  return { from: beijingMidnight(input.from), to: endOfBeijingDay(input.to) };
}

const ref = <K extends string>(key: K, value: string | null) => (value ? ({ [key]: value } as Record<K, string>) : null);

export const issuesResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    issue: (_, { id }, { issues }) => issues.issue(id),
    issues: (_, { filter, first, after }, { issues }) => issues.issues(filter, { first, after }),
    issueAlerts: (_, { unitId, first, after }, { issues }) => issues.alerts(unitId ?? null, { first, after }),
    issueStats: (_, args, { issues }) => issues.overallStats(period(args.period)),
    publishedCases: (_, { first, after }, { issues }) => issues.publishedCases({ first, after }),
    calendarYears: (_, __, { issues }) => issues.calendarYears(),
  },
  Mutation: {
    submitAppeal: (_, { input }, { issues }) => issues.submitAppeal(input),
    reportIssue: (_, { input }, { issues }) => issues.reportIssue(input),
    acceptIssue: (_, a, { issues }) => issues.acceptIssue(a.id, a.input, a.expectedVersion),
    rejectIssue: (_, a, { issues }) => issues.rejectIssue(a.id, a.reason, a.expectedVersion),
    assignIssue: (_, a, { issues }) => issues.assignIssue(a.id, a.unitId, a.note, a.expectedVersion),
    returnIssue: (_, a, { issues }) => issues.returnIssue(a.id, a.reason, a.expectedVersion),
    recordContact: (_, a, { issues }) => issues.recordContact(a.id, a.note, a.expectedVersion),
    giveFeedback: (_, a, { issues }) => issues.giveFeedback(a.id, a.note, a.expectedVersion),
    resolveIssue: (_, a, { issues }) => issues.resolveIssue(a.id, a.resolution, a.expectedVersion),
    rateIssue: (_, a, { issues }) => issues.rateIssue(a.id, a.rating, a.solved, a.comment, a.expectedVersion),
    closeIssue: (_, a, { issues }) => issues.closeIssue(a.id, a.note, a.expectedVersion),
    reopenIssue: (_, a, { issues }) => issues.reopenIssue(a.id, a.reason, a.expectedVersion),
    escalateIssue: (_, a, { issues }) => issues.escalateIssue(a.id, a.supervisingLeader, a.note, a.expectedVersion),
    mergeIssue: (_, a, { issues }) => issues.mergeIssue(a.id, a.intoId, a.note, a.expectedVersion),
    requestExtension: (_, a, { issues }) => issues.requestExtension(a.id, a.totalWorkingDays, a.reason, a.expectedVersion),
    grantExtension: (_, a, { issues }) => issues.grantExtension(a.id, a.approve ?? true, a.note, a.expectedVersion),
    remindIssue: (_, a, { issues }) => issues.remindIssue(a.id, a.note, a.expectedVersion),
    planMilestones: (_, a, { issues }) => issues.planMilestones(a.id, a.milestones, a.expectedVersion),
    completeMilestone: (_, a, { issues }) => issues.completeMilestone(a.id, a.milestoneId, a.note, a.expectedVersion),
    publishIssue: (_, a, { issues }) => issues.publishIssue(a.id, a.title, a.summary, a.expectedVersion),
    setCalendarYear: (_, { input }, { issues }) => issues.setCalendarYear(input),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    issues: (unit, { filter, first, after }, { issues }) => issues.issues({ ...filter, unitId: unit.id }, { first, after }),
    issueStats: (unit, args, { issues }) => issues.unitStats(unit.id, period(args.period)),
    issueAlerts: (unit, { first, after }, { issues }) => issues.alerts(unit.id, { first, after }),
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
    responsibleUnit: (row) => ref('id', row.responsibleUnitId),
    proposedUnit: (row) => ref('id', row.proposedUnitId),
    rating: (row) => (row.rating ? { rating: row.rating, solved: row.ratingSolved ?? false, comment: row.ratingComment, ratedAt: row.ratedAt! } : null),
    escalation: (row) => (row.escalatedAt ? { escalatedAt: row.escalatedAt, supervisingLeader: row.supervisingLeader! } : null),
    mergedInto: (row, _, { issues }) => issues.visibleIssue(row.mergedIntoId),
    extension: (row) =>
      row.extensionRequestedAt || row.extensionGrantedWorkingDays
        ? {
            requestedWorkingDays: row.extensionRequestedWorkingDays,
            reason: row.extensionReason,
            requestedAt: row.extensionRequestedAt,
            pending: row.extensionRequestedAt !== null,
            grantedWorkingDays: row.extensionGrantedWorkingDays,
          }
        : null,
    deadlines: (row, _, { issues }) => issues.deadlines(row.id),
    milestones: async (row, _, { issues }) => (await issues.deadlines(row.id)).filter((d) => d.stage === 'MILESTONE' && !d.cancelledAt),
    history: (row, _, { issues }) => issues.history(row.id),
    reportedBy: (row, _, { issues }) =>
      issues.seesReporter() ? { subject: row.reporterSubject, role: row.reporterRole, unit: ref('id', row.reporterUnitId) } : null,
    published: (row) => row.publishedAt !== null,
  },
  Deadline: {
    id: (row) => String(row.id),
    dueAt: (row) => {
      if (!row.dueAt && !row.metAt && !row.cancelledAt && row.pendingCalendarYear) throw errors.calendarYearMissing(row.pendingCalendarYear);
      return row.dueAt;
    },
    state: (row, _, { issues }) => deadlineState(row, issues.now()),
  },
  IssueEvent: {
    id: (row) => String(row.id),
    actor: (row, _, { issues }) => ({ subject: issues.seesActor(row) ? row.actorSubject : null, role: row.actorRole, unit: ref('id', row.actorUnitId) }),
    unit: (row) => ref('id', (row.details as { unitId?: string } | null)?.unitId ?? null),
    rating: (row) => ((row.details as { rating?: 'SATISFIED' | 'BASICALLY_SATISFIED' | 'UNSATISFIED' } | null)?.rating ?? null),
    workingDays: (row) => (row.details as { workingDays?: number } | null)?.workingDays ?? null,
  },
  PublishedCase: {
    title: (row) => row.publishedTitle!,
    summary: (row) => row.publishedSummary!,
    unit: (row) => ref('id', row.responsibleUnitId),
    publishedAt: (row) => row.publishedAt!,
  },
};
