/**
 * Thin resolvers of the issues slice: hand the arguments — the generated argument types, as one
 * object — to the use cases (use-cases/*.ts) with the request's `IssuesContext`, and map rows to
 * the schema's shapes. Their types come from the SDL (schema-types.ts, generated). What a caller
 * may see of a field access.ts answers (`canSee…`); nothing is decided here.
 */
import { inputType } from '../../platform/batch.ts';
import { present } from '../../platform/invariant.ts';
import { pageArgs } from '../../platform/pagination.ts';
import { ref } from '../../platform/refs.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import { noteAudienceOf } from './access.ts';
import { deadlineState } from './deadlines.ts';
import type { MilestoneInput } from './input.ts';
import type { Resolvers } from './schema-types.ts';
import type { EventRow, RatingRow } from './store.ts';
import * as calendar from './use-cases/calendar.ts';
import * as channels from './use-cases/channels.ts';
import * as dispatch from './use-cases/dispatch.ts';
import * as duplicates from './use-cases/duplicates.ts';
import * as hallVisits from './use-cases/hall-visits.ts';
import * as handling from './use-cases/handling.ts';
import * as intake from './use-cases/intake.ts';
import * as leaders from './use-cases/leaders.ts';
import * as points from './use-cases/monitoring-points.ts';
import * as notices from './use-cases/notices.ts';
import * as plan from './use-cases/plan.ts';
import * as observerTeams from './use-cases/observer-teams.ts';
import * as planDuties from './use-cases/plan-duties.ts';
import * as reads from './use-cases/reads.ts';
import * as projects from './use-cases/signed-projects.ts';
import * as stats from './use-cases/stats.ts';
import * as supervision from './use-cases/supervision.ts';

/** What an event's details may say, for the fields that show them. */
type Details = { unitId?: string; rating?: RatingRow['rating']; workingDays?: number } | null;
const details = (row: EventRow) => row.details as Details;

/** Notice settings as the schema names them. */
const settingsOf = (row: { contactName: string | null; contactPhone: string | null; smsTypes: string[] | null } | null | undefined) =>
  row ? { contactName: row.contactName, contactPhone: row.contactPhone, smsEventTypes: row.smsTypes } : null;

export const issuesResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    issueNotices: (_, args, { issues }) => notices.inbox(issues, args),
    issueNoticeSettings: (_, __, { issues }) => notices.settings(issues).then(settingsOf),
    issueWebhooks: (_, args, { issues }) => notices.webhooks(issues, args),
    issueWebhookDeadLetters: (_, args, { issues }) => notices.deadLetters(issues, args),
    issue: (_, args, { issues }) => reads.issue(issues, args),
    issues: (_, args, { issues }, info) => reads.issues(issues, args, pageArgs(args, info)),
    issueAlerts: (_, args, { issues }, info) => reads.alerts(issues, args, pageArgs(args, info)),
    issueStats: (_, args, { issues }) => stats.overallStats(issues, args),
    issueStatsBy: (_, args, { issues }) => stats.statsBy(issues, args),
    unitRanking: (_, args, { issues }) => stats.ranking(issues, args),
    supervisionOutcomes: (_, args, { issues }, info) => reads.supervisionOutcomes(issues, args, pageArgs(args, info)),
    publishedCases: (_, args, { issues }, info) => reads.publishedCases(issues, pageArgs(args, info)),
    calendarYears: (_, __, { issues }) => reads.calendarYears(issues),
    issueChanges: (_, args, { issues }) => channels.issueChanges(issues, args),
    planDuties: (_, __, { issues }) => planDuties.planDuties(issues),
    planDuty: (_, args, { issues }) => planDuties.planDuty(issues, args),
    observerTeams: (_, args, { issues }) => observerTeams.teams(issues, args),
    observerMemberships: (_, args, { issues }) => observerTeams.memberships(issues, args),
    observerReports: (_, args, { issues }) => observerTeams.reports(issues, args),
    intakeDuplicates: (_, args, { issues }, info) => duplicates.intakeDuplicates(issues, pageArgs(args, info)),
    unitLeaders: (_, args, { issues }) => leaders.unitLeaders(issues, args),
    hallVisits: (_, args, { issues }, info) => hallVisits.hallVisits(issues, args, pageArgs(args, info)),
    hallDuty: (_, args, { issues }) => hallVisits.hallDuty(issues, args),
    signedProjects: (_, args, { issues }, info) => projects.signedProjects(issues, args, pageArgs(args, info)),
    signedProjectCounts: (_, __, { issues }) => projects.signedProjectCounts(issues),
    signedProject: (_, args, { issues }) => projects.signedProject(issues, args),
    monitoringPoints: (_, args, { issues }, info) => points.monitoringPoints(issues, args, pageArgs(args, info)),
    monitoringPoint: (_, args, { issues }) => points.monitoringPoint(issues, args),
  },
  Mutation: {
    markIssueNoticesRead: (_, args, { issues }) => notices.markRead(issues, args),
    setIssueNoticeSettings: (_, args, { issues }) => notices.setSettings(issues, args).then(settingsOf),
    registerIssueWebhook: (_, args, { issues }) => notices.registerWebhook(issues, args),
    replayIssueWebhookDelivery: (_, args, { issues }) => notices.replay(issues, args),
    submitAppeal: (_, args, { issues }) => intake.submitAppeal(issues, args),
    reportIssue: (_, args, { issues }) => intake.reportIssue(issues, args),
    importIssueBatch: (_, args, { issues }, info) => channels.importIssueBatch(issues, args, inputType(info.schema, 'ReportIssueInput')),
    acceptIssue: (_, args, { issues }) => intake.acceptIssue(issues, args),
    rejectIssue: (_, args, { issues }) => intake.rejectIssue(issues, args),
    assignIssue: (_, args, { issues }) => dispatch.assignIssue(issues, args),
    addCoHandler: (_, args, { issues }) => dispatch.addCoHandler(issues, args),
    removeCoHandler: (_, args, { issues }) => dispatch.removeCoHandler(issues, args),
    contributeToIssue: (_, args, { issues }) => dispatch.contributeToIssue(issues, args),
    returnIssue: (_, args, { issues }) => dispatch.returnIssue(issues, args),
    recordContact: (_, args, { issues }) => handling.recordContact(issues, args),
    giveFeedback: (_, args, { issues }) => handling.giveFeedback(issues, args),
    resolveIssue: (_, args, { issues }) => handling.resolveIssue(issues, args),
    rateIssue: (_, args, { issues }) => handling.rateIssue(issues, args),
    recordFollowUp: (_, args, { issues }) => handling.recordFollowUp(issues, args),
    closeIssue: (_, args, { issues }) => handling.closeIssue(issues, args),
    reopenIssue: (_, args, { issues }) => handling.reopenIssue(issues, args),
    escalateIssue: (_, args, { issues }) => supervision.escalateIssue(issues, args),
    deescalateIssue: (_, args, { issues }) => supervision.deescalateIssue(issues, args),
    mergeIssue: (_, args, { issues }) => supervision.mergeIssue(issues, args),
    requestExtension: (_, args, { issues }) => supervision.requestExtension(issues, args),
    grantExtension: (_, args, { issues }) => supervision.grantExtension(issues, args),
    remindIssue: (_, args, { issues }) => supervision.remindIssue(issues, args),
    planMilestones: (_, args, { issues }) => plan.planMilestones(issues, args),
    requestReplan: (_, args, { issues }) => plan.requestReplan(issues, args),
    decideReplan: (_, args, { issues }) => plan.decideReplan(issues, args),
    completeMilestone: (_, args, { issues }) => plan.completeMilestone(issues, args),
    publishIssue: (_, args, { issues }) => supervision.publishIssue(issues, args),
    recordSupervisionOutcome: (_, args, { issues }) => supervision.recordSupervisionOutcome(issues, args),
    setCalendarYear: (_, args, { issues }) => calendar.setCalendarYear(issues, args),
    filePlanDuty: (_, args, { issues }) => planDuties.filePlanDuty(issues, args),
    recordObserverMembership: (_, args, { issues }) => observerTeams.recordMembership(issues, args),
    endObserverMembership: (_, args, { issues }) => observerTeams.endMembership(issues, args),
    declarePlanDuty: (_, args, { issues }) => planDuties.declarePlanDuty(issues, args),
    recordUnitLeader: (_, args, { issues }) => leaders.recordUnitLeader(issues, args),
    recordLeaderDeparture: (_, args, { issues }) => leaders.recordLeaderDeparture(issues, args),
    recordHallVisit: (_, args, { issues }) => hallVisits.recordHallVisit(issues, args),
    registerSignedProject: (_, args, { issues }) => projects.registerSignedProject(issues, args),
    reportProjectObstacle: (_, args, { issues }) => projects.reportProjectObstacle(issues, args),
    changeSignedProjectStatus: (_, args, { issues }) => projects.changeSignedProjectStatus(issues, args),
    designateMonitoringPoint: (_, args, { issues }) => points.designateMonitoringPoint(issues, args),
    recordMonitoringVisit: (_, args, { issues }) => points.recordMonitoringVisit(issues, args),
  },
  UnitLeader: {
    unit: (row) => ({ id: row.unitId }),
    departure: (row, _, { issues }) => leaders.departureOf(issues, row),
  },
  UnitLeaderDeparture: {
    successor: (row, _, { issues }) => (row.successorId ? leaders.leaderOf(issues, row.successorId) : null),
  },
  HallVisit: {
    unit: (row) => ({ id: row.unitId }),
    leader: (row, _, { issues }) => leaders.leaderOf(issues, row.leaderId),
    issues: (row, _, { issues }) => hallVisits.issuesOfHallVisit(issues, row),
  },
  HallDutyQuarter: {
    expected: (view) => view.expected.length,
    served: (view) => view.served.length,
    notServed: (view) => hallVisits.notServed(view),
    withoutPrincipal: (view, _, { issues }) => hallVisits.withoutPrincipal(issues, view),
  },
  SignedProject: {
    investor: (row) => ref('creditCode', row.investorCreditCode),
    daysSinceSigning: (row, _, { issues }) => projects.daysSinceSigning(issues, row),
    district: (row) => ({ code: row.districtCode }),
    responsibleUnit: (row) => ({ id: row.responsibleUnitId }),
    leader: (row, _, { issues }) => leaders.leaderOf(issues, row.leaderId),
    history: (row, _, { issues }) => issues.loaders.eventsByProject.load(row.id),
    issues: (row, _, { issues }) => projects.issuesOfProject(issues, row),
  },
  SignedProjectCount: {
    district: (row) => ({ code: row.districtCode }),
  },
  MonitoringPoint: {
    enterprise: (row) => ref('creditCode', row.enterpriseCreditCode),
    project: (row, _, { issues }) => (row.projectId ? issues.loaders.projectById.load(row.projectId).then((p) => p ?? null) : null),
    responsibleUnit: (row) => ({ id: row.responsibleUnitId }),
    leader: (row, _, { issues }) => leaders.leaderOf(issues, row.leaderId),
    periodFrom: (row, _, { issues }) => points.currentPeriod(row, issues.now()).from,
    periodTo: (row, _, { issues }) => points.currentPeriod(row, issues.now()).to,
    visitedThisPeriod: (row, _, { issues }) => points.visitedThisPeriod(issues, row),
    visits: (row, args, { issues }) => points.visitsOf(issues, row, args),
  },
  MonitoringVisit: {
    leader: (row, _, { issues }) => (row.leaderId ? leaders.leaderOf(issues, row.leaderId) : null),
  },
  PlanDuty: {
    code: (view) => view.duty.code,
    kind: (view) => view.duty.kind,
    title: (view) => view.duty.title,
    dueOn: (view) => view.duty.dueOn,
    dueAt: (view) => view.dueAt,
    expected: (view) => planDuties.dutyCounts(view).expected,
    onTime: (view) => planDuties.dutyCounts(view).onTime,
    late: (view) => planDuties.dutyCounts(view).late,
    missing: (view) => planDuties.dutyCounts(view).missing,
    units: (view, args) => planDuties.dutyUnits(view, args),
  },
  ObserverMembership: {
    subject: (row) => row.memberSubject,
    issuer: (row) => row.memberIssuer,
    active: (row, _, { issues }) => observerTeams.active(issues, row),
  },
  ObserverReport: {
    issue: (row, _, { issues }) => observerTeams.issueOfReport(issues, row),
    membership: (row, _, { issues }) => observerTeams.membershipOf(issues, row),
  },
  PlanDutyUnitStatus: {
    unit: (row) => ({ id: row.unitId }),
  },
  PlanDutyFiling: {
    duty: (row, _, { issues }) => planDuties.dutyOfFiling(issues, row),
    unit: (row) => ({ id: row.unitId }),
    issues: (row, _, { issues }) => planDuties.issuesOfFiling(issues, row),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    name: (unit, _, { issues }) => unit.name ?? reads.unitName(issues, unit.id),
    issues: (unit, args, { issues }, info) => reads.issues(issues, { filter: { ...args.filter, unitId: unit.id } }, pageArgs(args, info)),
    issueStats: (unit, args, { issues }) => stats.unitStats(issues, unit.id, args),
    issueAlerts: (unit, args, { issues }, info) => reads.alerts(issues, { unitId: unit.id }, pageArgs(args, info)),
    supervisionOutcomes: (unit, args, { issues }, info) => reads.supervisionOutcomes(issues, { unitId: unit.id }, pageArgs(args, info)),
    planDutyFigures: (unit, args, { issues }) => planDuties.unitFigures(issues, unit.id, args),
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
    issueStats: (domain, args, { issues }) => stats.domainStats(issues, domain.code, args),
  },
  Issue: {
    effectiveStatus: async (row, _, { issues }) => (await reads.originalOf(issues, row))?.status ?? row.status,
    resolution: async (row, _, { issues }) => (await reads.originalOf(issues, row))?.resolution ?? row.resolution,
    enterprise: (row) => ref('creditCode', row.enterpriseCreditCode),
    district: (row) => ref('code', row.districtCode),
    contact: async (row, _, { issues }) =>
      row.contactName && row.contactPhone && (await issues.access.canSeeContact(row))
        ? { name: row.contactName, phone: row.contactPhone }
        : null,
    responsibleUnit: (row, _, { issues }) => reads.unitWithName(issues, row.responsibleUnitId),
    coHandlers: (row) => row.coHandlerUnitIds.map((id) => ({ id })),
    intakeUnit: (row) => ref('id', row.intakeUnitId),
    proposedUnit: (row) => ref('id', row.proposedUnitId),
    dispatchHours: (row) => (row.firstAssignedAt ? (row.firstAssignedAt.getTime() - row.receivedAt.getTime()) / 3_600_000 : null),
    rating: async (row, _, { issues }) => (await reads.ratings(issues, row.id)).at(-1) ?? null,
    ratings: (row, _, { issues }) => reads.ratings(issues, row.id),
    followUps: (row, _, { issues }) => reads.followUps(issues, row.id),
    supervisionOutcomes: (row, _, { issues }) => reads.issueOutcomes(issues, row.id),
    planDutyFiling: (row, _, { issues }) => planDuties.filingOfIssue(issues, row),
    observerReport: (row, _, { issues }) => observerTeams.reportOfIssue(issues, row),
    likelyDuplicates: (row, args, { issues }) => duplicates.likelyDuplicates(issues, row, args),
    hallVisit: (row, _, { issues }) => hallVisits.hallVisitOfIssue(issues, row),
    signedProject: (row, _, { issues }) => projects.projectOfIssue(issues, row),
    monitoringPoints: (row, _, { issues }) => points.pointsOfIssue(issues, row),
    escalation: (row) =>
      row.escalatedAt
        ? {
            escalatedAt: row.escalatedAt,
            supervisingLeader: present(row.supervisingLeader, 'the leader of an escalated issue'),
            active: row.supervisionEndedAt === null,
            endedAt: row.supervisionEndedAt,
          }
        : null,
    mergedInto: (row, _, { issues }) => reads.visibleIssue(issues, row.mergedIntoId),
    extension: (row, _, { issues }) =>
      row.extensionRequestedAt || row.extensionGrantedWorkingDays
        ? {
            requestedWorkingDays: row.extensionRequestedWorkingDays,
            // The unit's reasons are internal.
            reason: issues.access.canSeeInternal() ? row.extensionReason : null,
            requestedAt: row.extensionRequestedAt,
            pending: row.extensionRequestedAt !== null,
            grantedWorkingDays: row.extensionGrantedWorkingDays,
          }
        : null,
    replan: (row, _, { issues }) =>
      row.replanRequestedAt
        ? {
            milestones: row.replanMilestones as MilestoneInput[],
            reason: issues.access.canSeeInternal() ? row.replanReason : null,
            requestedAt: row.replanRequestedAt,
          }
        : null,
    deadlines: (row, _, { issues }) => reads.deadlines(issues, row.id),
    milestones: async (row, _, { issues }) =>
      (await reads.deadlines(issues, row.id)).filter((d) => d.stage === 'MILESTONE' && !d.cancelledAt),
    history: (row, _, { issues }) => reads.history(issues, row.id),
    reportedBy: (row, _, { issues }) =>
      issues.access.canSeeReporter() ? { subject: row.reporterSubject, role: row.reporterRole, unit: ref('id', row.reporterUnitId) } : null,
    published: (row) => row.publishedAt !== null,
  },
  Deadline: {
    id: (row) => String(row.id),
    unit: (row) => ref('id', row.unitId),
    dueAt: (row) => present(row.dueAt, 'the due time of a deadline'),
    warnAt: (row) => present(row.warnAt, 'the warning time of a deadline'),
    provisional: (row) => row.pendingCalendarYear !== null,
    provisionalUntilYear: (row) => row.pendingCalendarYear,
    closedAt: (row) => row.cancelledAt,
    state: (row, _, { issues }) => present(deadlineState(row, issues.now()), 'the state of a deadline with a due time'),
  },
  IssueRating: {
    by: (row, _, { issues }) => ({
      subject: issues.access.canSeeSubject({ subject: row.raterSubject, role: row.raterRole }) ? row.raterSubject : null,
      role: row.raterRole,
      unit: null,
    }),
  },
  FollowUp: {
    id: (row) => String(row.id),
    by: (row, _, { issues }) => ({
      subject: issues.access.canSeeSubject({ subject: row.actorSubject, role: 'COMMAND_OFFICE' }) ? row.actorSubject : null,
      role: 'COMMAND_OFFICE',
      unit: ref('id', row.actorUnitId),
    }),
  },
  SupervisionOutcome: {
    id: (row) => String(row.id),
    unit: (row) => ({ id: row.unitId }),
    issue: (row, _, { issues }) => reads.visibleIssue(issues, row.issueId),
  },
  UnitRank: {
    unit: (row) => ({ id: row.unitId }),
  },
  IssueEvent: {
    id: (row) => String(row.id),
    actor: (row, _, { issues }) => ({
      subject: issues.access.canSeeEventSubject(row) ? row.actorSubject : null,
      role: row.actorRole,
      unit: issues.access.canSeeEventUnit(row) ? ref('id', row.actorUnitId) : null,
    }),
    note: (row, _, { issues }) => (issues.access.canSeeNote(row) ? row.note : null),
    noteFor: (row) => (row.note ? noteAudienceOf(row) : null),
    unit: (row) => ref('id', details(row)?.unitId ?? null),
    rating: (row) => details(row)?.rating ?? null,
    workingDays: (row) => details(row)?.workingDays ?? null,
  },
  LikelyDuplicate: {
    issue: (view) => view.row,
  },
  IntakeDuplicates: {
    likelyDuplicates: (view, args) => duplicates.intakeItemDuplicates(view, args),
  },
  DuplicateReason: {
    enterprise: (reason) => ref('creditCode', reason.enterprise),
    unit: (reason) => ref('id', reason.unitId),
    district: (reason) => ref('code', reason.districtCode),
  },
  IssueBatchRecord: {
    issueId: (row) => row.id,
  },
  IssueFeedEntry: {
    cursor: (row) => channels.feedCursor(row),
    handlingUnit: (row) => ref('id', row.responsibleUnitId),
  },
  PublishedCase: {
    title: (row) => present(row.publishedTitle, 'the title of a published case'),
    summary: (row) => present(row.publishedSummary, 'the summary of a published case'),
    kind: (row) => row.publishedKind,
    unit: (row) => ref('id', row.responsibleUnitId),
    publishedAt: (row) => present(row.publishedAt, 'the publication time of a published case'),
  },
};
