/**
 * The issues slice, as the registry knows it: the closed loop of problems and enterprise appeals
 * (查摆问题 → 整治整改 → 销号), their deadlines, history and figures. Run by the command office,
 * worked by every unit.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { issuesExamples } from './examples.ts';
import { applyIssuesReferenceData } from './reference-data.ts';
import { loadIssuesSampleData } from './sample-data.ts';
import { createIssuesSubgraph } from './server.ts';

export const issues: SliceDefinition = {
  name: 'issues',
  title: { zh: '问题', en: 'Issues' },
  port: 4002,
  provides: ['calendar'],
  build: createIssuesSubgraph,
  referenceData: applyIssuesReferenceData,
  sampleData: loadIssuesSampleData,
  examples: issuesExamples,
  batchMutations: ['importIssueBatch'],
  mappers: {
    Issue: './store.ts#IssueRow',
    PublishedCase: './store.ts#IssueRow',
    Deadline: './store.ts#DeadlineRow',
    IssueEvent: './store.ts#EventRow',
    DeadlineAlert: './store.ts#AlertRow',
    CalendarYear: './store.ts#CalendarRow',
    IssueStats: './figures.ts#IssueStats',
    IssueRating: './store.ts#RatingRow',
    FollowUp: './store.ts#FollowUpRow',
    SupervisionOutcome: './store.ts#SupervisionOutcomeRow',
    UnitRank: './store.ts#RankRow',
    IssueStatsGroup: './store.ts#StatsGroupRow',
    IssueFeedEntry: './store.ts#FeedRow',
    PlanDuty: './store.ts#PlanDutyView',
    PlanDutyUnitStatus: './store.ts#PlanDutyUnitStatusRow',
    PlanDutyFiling: './store.ts#PlanDutyFilingRow',
    ObserverMembership: './store.ts#ObserverMembershipRow',
    ObserverReport: './store.ts#ObserverReportRow',
    LikelyDuplicate: './duplicates.ts#DuplicateView',
    DuplicateReason: './duplicates.ts#DuplicateReasonView',
    IntakeDuplicates: './duplicates.ts#IntakeDuplicatesView',
    UnitLeader: './store.ts#UnitLeaderRow',
    UnitLeaderDeparture: './store.ts#LeaderDepartureRow',
    HallVisit: './store.ts#HallVisitRow',
    HallDutyQuarter: './store.ts#HallDutyView',
    SignedProject: './store.ts#SignedProjectRow',
    SignedProjectEvent: './store.ts#SignedProjectEventRow',
    SignedProjectCount: './store.ts#SignedProjectCountRow',
    MonitoringPoint: './store.ts#MonitoringPointRow',
    MonitoringVisit: './store.ts#MonitoringVisitRow',
    IssueBatchRecord: '../../platform/batch.ts#RecordResult',
    Unit: './store.ts#UnitReference',
    Domain: './store.ts#DomainReference',
    Enterprise: './store.ts#EnterpriseReference',
    District: './store.ts#DistrictReference',
  },
};
