/**
 * Thin resolvers of the issues subgraph: parse arguments, call the service, map rows.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { scalarResolvers } from '../shared/scalars.ts';
import { errors } from '../shared/errors.ts';
import { beijingMidnight, endOfBeijingDay } from '../shared/calendar.ts';
import type { Viewer } from '../shared/auth.ts';
import { deadlineState } from './deadlines.ts';
import type { Period } from './stats.ts';
import type { AcceptIssueInput, IssueFilterInput, IssuesService, MilestoneInput, ReportIssueInput, SubmitAppealInput } from './service.ts';
import type { DeadlineRow, EventRow, IssueRow } from './store.ts';

export interface IssuesContext {
  viewer: Viewer;
  issues: IssuesService;
}

type PageArgs = { first?: number; after?: string };
type Ctx = IssuesContext;

function period(input: { from: string; to: string } | null | undefined): Period | null {
  if (!input) return null;
  if (input.from > input.to) throw errors.badInput('period', { zh: '期间的开始日期晚于结束日期', en: 'The period starts after it ends' });
  return { from: beijingMidnight(input.from), to: endOfBeijingDay(input.to) };
}

const ref = <K extends string>(key: K, value: string | null) => (value ? ({ [key]: value } as Record<K, string>) : null);

export const issuesResolvers: GraphQLResolverMap<IssuesContext> = {
  ...scalarResolvers,
  Query: {
    issue: (_: unknown, { id }: { id: string }, { issues }: Ctx) => issues.issue(id),
    issues: (_: unknown, args: PageArgs & { filter?: IssueFilterInput }, { issues }: Ctx) => issues.issues(args.filter ?? {}, args),
    issueAlerts: (_: unknown, args: PageArgs & { unitId?: string }, { issues }: Ctx) => issues.alerts(args.unitId ?? null, args),
    issueStats: (_: unknown, args: { period?: { from: string; to: string } }, { issues }: Ctx) => issues.overallStats(period(args.period)),
    publishedCases: (_: unknown, args: PageArgs, { issues }: Ctx) => issues.publishedCases(args),
    calendarYears: (_: unknown, __: unknown, { issues }: Ctx) => issues.calendarYears(),
  },
  Mutation: {
    submitAppeal: (_: unknown, { input }: { input: SubmitAppealInput }, { issues }: Ctx) => issues.submitAppeal(input),
    reportIssue: (_: unknown, { input }: { input: ReportIssueInput }, { issues }: Ctx) => issues.reportIssue(input),
    acceptIssue: (_: unknown, a: { id: string; input?: AcceptIssueInput; expectedVersion?: number }, { issues }: Ctx) =>
      issues.acceptIssue(a.id, a.input, a.expectedVersion),
    rejectIssue: (_: unknown, a: { id: string; reason: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.rejectIssue(a.id, a.reason, a.expectedVersion),
    assignIssue: (_: unknown, a: { id: string; unitId: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.assignIssue(a.id, a.unitId, a.note, a.expectedVersion),
    returnIssue: (_: unknown, a: { id: string; reason: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.returnIssue(a.id, a.reason, a.expectedVersion),
    recordContact: (_: unknown, a: { id: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.recordContact(a.id, a.note, a.expectedVersion),
    giveFeedback: (_: unknown, a: { id: string; note: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.giveFeedback(a.id, a.note, a.expectedVersion),
    resolveIssue: (_: unknown, a: { id: string; resolution: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.resolveIssue(a.id, a.resolution, a.expectedVersion),
    rateIssue: (
      _: unknown,
      a: { id: string; rating: NonNullable<IssueRow['rating']>; solved?: boolean; comment?: string; expectedVersion?: number },
      { issues }: Ctx,
    ) => issues.rateIssue(a.id, a.rating, a.solved, a.comment, a.expectedVersion),
    closeIssue: (_: unknown, a: { id: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.closeIssue(a.id, a.note, a.expectedVersion),
    reopenIssue: (_: unknown, a: { id: string; reason: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.reopenIssue(a.id, a.reason, a.expectedVersion),
    escalateIssue: (_: unknown, a: { id: string; supervisingLeader: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.escalateIssue(a.id, a.supervisingLeader, a.note, a.expectedVersion),
    mergeIssue: (_: unknown, a: { id: string; intoId: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.mergeIssue(a.id, a.intoId, a.note, a.expectedVersion),
    requestExtension: (_: unknown, a: { id: string; totalWorkingDays: number; reason: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.requestExtension(a.id, a.totalWorkingDays, a.reason, a.expectedVersion),
    grantExtension: (_: unknown, a: { id: string; approve: boolean; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.grantExtension(a.id, a.approve, a.note, a.expectedVersion),
    remindIssue: (_: unknown, a: { id: string; note?: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.remindIssue(a.id, a.note, a.expectedVersion),
    planMilestones: (_: unknown, a: { id: string; milestones: MilestoneInput[]; expectedVersion?: number }, { issues }: Ctx) =>
      issues.planMilestones(a.id, a.milestones, a.expectedVersion),
    completeMilestone: (_: unknown, a: { id: string; milestoneId: string; note: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.completeMilestone(a.id, a.milestoneId, a.note, a.expectedVersion),
    publishIssue: (_: unknown, a: { id: string; title: string; summary: string; expectedVersion?: number }, { issues }: Ctx) =>
      issues.publishIssue(a.id, a.title, a.summary, a.expectedVersion),
    setCalendarYear: (_: unknown, { input }: { input: { year: number; notice: string; off: string[]; workdays: string[] } }, { issues }: Ctx) =>
      issues.setCalendarYear(input),
  },
  Unit: {
    __resolveReference: (reference: { id: string }) => reference,
    issues: (unit: { id: string }, args: PageArgs & { filter?: IssueFilterInput }, { issues }: Ctx) =>
      issues.issues({ ...args.filter, unitId: unit.id }, args),
    issueStats: (unit: { id: string }, args: { period?: { from: string; to: string } }, { issues }: Ctx) =>
      issues.unitStats(unit.id, period(args.period)),
    issueAlerts: (unit: { id: string }, args: PageArgs, { issues }: Ctx) => issues.alerts(unit.id, args),
  },
  Domain: {
    __resolveReference: (reference: { code: string }) => reference,
    issueStats: (domain: { code: string }, args: { period?: { from: string; to: string } }, { issues }: Ctx) =>
      issues.domainStats(domain.code, period(args.period)),
  },
  Issue: {
    effectiveStatus: async (row: IssueRow, _: unknown, { issues }: Ctx) => (await issues.originalOf(row))?.status ?? row.status,
    resolution: async (row: IssueRow, _: unknown, { issues }: Ctx) => (await issues.originalOf(row))?.resolution ?? row.resolution,
    enterprise: (row: IssueRow) => ref('creditCode', row.enterpriseCreditCode),
    district: (row: IssueRow) => ref('code', row.districtCode),
    responsibleUnit: (row: IssueRow) => ref('id', row.responsibleUnitId),
    proposedUnit: (row: IssueRow) => ref('id', row.proposedUnitId),
    rating: (row: IssueRow) =>
      row.rating ? { rating: row.rating, solved: row.ratingSolved ?? false, comment: row.ratingComment, ratedAt: row.ratedAt } : null,
    escalation: (row: IssueRow) => (row.escalatedAt ? { escalatedAt: row.escalatedAt, supervisingLeader: row.supervisingLeader } : null),
    mergedInto: (row: IssueRow, _: unknown, { issues }: Ctx) => issues.visibleIssue(row.mergedIntoId),
    extension: (row: IssueRow) =>
      row.extensionRequestedAt || row.extensionGrantedWorkingDays
        ? {
            requestedWorkingDays: row.extensionRequestedWorkingDays,
            reason: row.extensionReason,
            requestedAt: row.extensionRequestedAt,
            pending: row.extensionRequestedAt !== null,
            grantedWorkingDays: row.extensionGrantedWorkingDays,
          }
        : null,
    deadlines: (row: IssueRow, _: unknown, { issues }: Ctx) => issues.deadlines(row.id),
    milestones: async (row: IssueRow, _: unknown, { issues }: Ctx) =>
      (await issues.deadlines(row.id)).filter((d) => d.stage === 'MILESTONE' && !d.cancelledAt),
    history: (row: IssueRow, _: unknown, { issues }: Ctx) => issues.history(row.id),
    reportedBy: (row: IssueRow, _: unknown, { viewer }: Ctx) =>
      viewer.role === 'COMMAND_OFFICE' ? { subject: row.reporterSubject, role: row.reporterRole, unit: ref('id', row.reporterUnitId) } : null,
    published: (row: IssueRow) => row.publishedAt !== null,
  },
  Deadline: {
    id: (row: DeadlineRow) => String(row.id),
    dueAt: (row: DeadlineRow) => {
      if (!row.dueAt && !row.metAt && !row.cancelledAt && row.pendingCalendarYear) throw errors.calendarYearMissing(row.pendingCalendarYear);
      return row.dueAt;
    },
    state: (row: DeadlineRow, _: unknown, { issues }: Ctx) => deadlineState(row, issues.now()),
  },
  IssueEvent: {
    id: (row: EventRow) => String(row.id),
    // Who reported an issue is for the command office only (as Issue.reportedBy): the SUBMIT event
    // withholds the reporter's subject (null) from everyone else but the reporter.
    actor: (row: EventRow, _: unknown, { viewer }: Ctx) => ({
      subject: row.action === 'SUBMIT' && viewer.role !== 'COMMAND_OFFICE' && viewer.subject !== row.actorSubject ? null : row.actorSubject,
      role: row.actorRole,
      unit: ref('id', row.actorUnitId),
    }),
    unit: (row: EventRow) => ref('id', (row.details as { unitId?: string } | null)?.unitId ?? null),
    rating: (row: EventRow) => (row.details as { rating?: string } | null)?.rating ?? null,
    workingDays: (row: EventRow) => (row.details as { workingDays?: number } | null)?.workingDays ?? null,
  },
  PublishedCase: {
    title: (row: IssueRow) => row.publishedTitle,
    summary: (row: IssueRow) => row.publishedSummary,
    unit: (row: IssueRow) => ref('id', row.responsibleUnitId),
  },
};
