/**
 * What callers send to the issues slice, as schemas: every argument is parsed here before a
 * use case uses it, and a refusal names the field in Chinese and English. (GraphQL has already
 * checked types and enum values; these check what GraphQL cannot. Whether a unit or district
 * exists is asked of the directory, in the use cases.)
 */
import { createHash } from 'node:crypto';
import { normalizeCreditCode } from '../../platform/credit-code.ts';
import { clientRequestId, creditCode, enumValue, integer, optionalText, searchText, text, uuid, z } from '../../platform/input.ts';
import { present } from '../../platform/invariant.ts';
import { isValidDate } from '../../platform/scalars.ts';
import { MAX_TOTAL_WORKING_DAYS } from './deadlines.ts';
import { MAX_DUPLICATES } from './duplicates.ts';
import type { EventRow, IssueRow, RatingRow, SupervisionOutcomeRow } from './store.ts';

type AppealKind = NonNullable<IssueRow['appealKind']>;
type EnvironmentCode = IssueRow['environment'];
type IssueSource = IssueRow['source'];
type IssueStatus = IssueRow['status'];
type RectificationMode = NonNullable<IssueRow['rectificationMode']>;
type Rating = RatingRow['rating'];
type ResolutionOutcome = NonNullable<IssueRow['resolutionOutcome']>;
type SupervisionOutcomeKind = SupervisionOutcomeRow['kind'];
/** Who a note is written for. */
export type NoteAudienceValue = NonNullable<EventRow['noteAudience']>;

const MAX_MILESTONES = 20;

const instant = z.instanceof(Date);
const title = text({ zh: '标题', en: 'Title' }, { max: 200 });
const note = optionalText({ zh: '备注', en: 'Note' });
const leader = (label: { zh: string; en: string }) => optionalText(label, { max: 100 });
const district = z.string().nullish();

export const issueId = uuid({ zh: '问题 id', en: 'Issue id' });
export const unitId = uuid({ zh: '单位', en: 'unitId' });

// Mobile (1[3-9]x, 11 digits, optional +86) or landline with area code (0532-88886666, extension allowed).
const PHONE = /^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:[- ]?(?:转|ext\.?|x)?\d{1,6})?)$/;

/** Whom the handling unit calls within 2 office hours. */
export const contact = z.object({
  name: text({ zh: '联系人', en: 'Contact name' }, { max: 50 }),
  phone: z
    .string()
    .transform((value) => value.trim())
    .refine((value) => PHONE.test(value), {
      message: 'bad phone',
      params: {
        zh: '联系电话须为手机号（如 13800000000）或带区号的座机（如 0532-88886666）',
        en: 'The phone must be a mobile number (13800000000) or a landline with its area code (0532-88886666)',
      },
    }),
});

export const submitAppealInput = z.object({
  clientRequestId,
  kind: enumValue<AppealKind>(),
  environment: enumValue<EnvironmentCode>(),
  title,
  description: text({ zh: '诉求内容', en: 'Description' }, { max: 5000 }),
  districtCode: district,
  contact: contact.nullish(),
});

export const reportIssueInput = z.object({
  clientRequestId,
  source: enumValue<IssueSource>(),
  environment: enumValue<EnvironmentCode>(),
  title,
  description: text({ zh: '问题描述', en: 'Description' }, { max: 5000 }),
  unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
  receivedAt: instant.nullish(),
  handlingUnitId: uuid({ zh: '原承办单位', en: 'handlingUnitId' }).nullish(),
  contact: contact.nullish(),
  appealKind: enumValue<AppealKind>().nullish(),
  enterpriseCreditCode: creditCode.nullish(),
  districtCode: district,
  responsibleLeader: leader({ zh: '包保领导', en: 'Responsible leader' }),
});

const milestone = z.object({
  title: text({ zh: '节点名称', en: 'Milestone title' }, { max: 200 }),
  dueOn: z
    .string()
    .refine(isValidDate, { message: 'bad date', params: { zh: '节点日期须为 YYYY-MM-DD', en: 'A milestone date is YYYY-MM-DD' } }),
});
export const milestones = z
  .array(milestone)
  .nullish()
  .refine((list) => Boolean(list?.length), {
    message: 'no milestones',
    params: { zh: '持续改问题至少需要一个节点', en: 'An ONGOING rectification needs at least one milestone' },
  })
  .refine((list) => (list?.length ?? 0) <= MAX_MILESTONES, {
    message: 'too many',
    params: { zh: `节点不能超过 ${MAX_MILESTONES} 个`, en: `At most ${MAX_MILESTONES} milestones` },
  })
  .transform((list) => present(list, 'a plan that passed the check for milestones'));
export type MilestoneInput = z.output<typeof milestone>;

export const acceptIssueInput = z.object({
  rectificationMode: enumValue<RectificationMode>().nullish(),
  immediateWorkingDays: z.number().nullish(),
  milestones: z.array(z.unknown()).nullish(),
  responsibleLeader: leader({ zh: '包保领导', en: 'Responsible leader' }),
  note,
});

export const immediateWorkingDays = integer(
  { zh: '立即改时限（工作日）', en: 'The IMMEDIATE limit in working days' },
  1,
  MAX_TOTAL_WORKING_DAYS,
);

/** How many likely duplicates a field lists. */
export const duplicatesFirst = integer({ zh: '疑似重复条数', en: 'first (likely duplicates)' }, 1, MAX_DUPLICATES);

export const issueFilter = z.object({
  unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
  domainCode: z.string().nullish(),
  districtCode: district,
  environment: enumValue<EnvironmentCode>().nullish(),
  source: enumValue<IssueSource>().nullish(),
  status: z.array(enumValue<IssueStatus>()).nullish(),
  overdue: z.boolean().nullish(),
  escalated: z.boolean().nullish(),
  enterpriseCreditCode: z.string().transform(normalizeCreditCode).nullish(),
  monitoringPointId: uuid({ zh: '监测点', en: 'monitoringPointId' }).nullish(),
  receivedFrom: instant.nullish(),
  receivedTo: instant.nullish(),
  text: searchText({ zh: '搜索词', en: 'Search text' }),
});

export const coHandlerIds = z
  .array(unitId)
  .nullish()
  .transform((list) => [...new Set(list ?? [])])
  .refine((list) => list.length <= 10, {
    message: 'too many',
    params: { zh: '协办单位不能超过 10 个', en: 'At most 10 co-handling units' },
  });

export const followUpInput = z.object({
  reached: z.boolean(),
  rating: enumValue<Rating>().nullish(),
  solved: z.boolean().nullish(),
  note: optionalText({ zh: '回访情况', en: 'Note' }),
});

export const supervisionOutcomeInput = z.object({
  kind: enumValue<SupervisionOutcomeKind>(),
  unitId: unitId.nullish(),
  issueId: issueId.nullish(),
  reason: text({ zh: '理由', en: 'Reason' }, { max: 2000 }),
  decidedOn: z
    .string()
    .refine(isValidDate, { message: 'bad date', params: { zh: '决定日期须为 YYYY-MM-DD', en: 'decidedOn is YYYY-MM-DD' } }),
});

export const resolutionOutcome = enumValue<ResolutionOutcome>()
  .nullish()
  .transform((value) => value ?? 'SOLVED');

export const texts = {
  rejectionReason: text({ zh: '不予受理理由', en: 'Reason' }),
  returnReason: text({ zh: '退回理由', en: 'Reason' }),
  reopenReason: text({ zh: '重办理由', en: 'Reason' }),
  extensionReason: text({ zh: '延期理由', en: 'Reason' }),
  contactNote: optionalText({ zh: '联系情况', en: 'Note' }),
  feedback: text({ zh: '初步反馈', en: 'Feedback' }),
  resolution: text({ zh: '办理结果', en: 'Resolution' }, { max: 5000 }),
  comment: optionalText({ zh: '评价意见', en: 'Comment' }),
  verification: optionalText({ zh: '回访核实情况', en: 'Verification note' }),
  supervisingLeader: text({ zh: '督办领导', en: 'Supervising leader' }, { max: 100 }),
  decision: optionalText({ zh: '审批意见', en: 'Note' }),
  reminder: optionalText({ zh: '催办意见', en: 'Reminder' }),
  milestoneNote: text({ zh: '完成情况', en: 'Note' }),
  caseTitle: text({ zh: '案例标题', en: 'Title' }, { max: 200 }),
  caseSummary: text({ zh: '案例摘要', en: 'Summary' }, { max: 5000 }),
  notice: text({ zh: '通知文号', en: 'Notice' }, { max: 200 }),
  contribution: text({ zh: '协办情况', en: 'Note' }, { max: 5000 }),
  replanReason: text({ zh: '调整理由', en: 'Reason' }),
  note,
};

/** Fingerprint of a submission, to tell a retry from a reused request id. */
export function fingerprint(input: object): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

/** A self-check list holds at most this many problems per filing (a longer list is filed in parts). */
export const MAX_SELF_CHECK_PROBLEMS = 200;

const selfCheckProblem = z.object({
  environment: enumValue<EnvironmentCode>(),
  title,
  description: text({ zh: '问题描述', en: 'Description' }, { max: 5000 }),
  responsibleLeader: leader({ zh: '包保领导', en: 'Responsible leader' }),
  districtCode: district,
});

export const filePlanDutyInput = z.object({
  clientRequestId,
  dutyCode: text({ zh: '职责编号', en: 'dutyCode' }, { max: 100 }),
  documentReference: text({ zh: '文件编号', en: 'Document reference' }, { max: 200 }),
  note,
  problems: z
    .array(selfCheckProblem)
    .nullish()
    .refine((list) => !list || list.length <= MAX_SELF_CHECK_PROBLEMS, {
      message: 'too many',
      params: {
        zh: `一次报送至多 ${MAX_SELF_CHECK_PROBLEMS} 个问题，请分次报送`,
        en: `At most ${MAX_SELF_CHECK_PROBLEMS} problems per filing; file the rest as a correction`,
      },
    }),
});

export const declarePlanDutyInput = z.object({
  kind: enumValue<'PLAN_DOCUMENT' | 'SELF_CHECK_LIST'>(),
  title,
  dueOn: z.string().refine(isValidDate, { message: 'bad date', params: { zh: '截止日期须为 YYYY-MM-DD', en: 'dueOn is YYYY-MM-DD' } }),
});

// ───────────── the three observer teams (三支队伍) ─────────────

const memberDay = (label: { zh: string; en: string }) =>
  z.string().refine(isValidDate, { message: 'bad date', params: { zh: `${label.zh}须为 YYYY-MM-DD`, en: `${label.en} is YYYY-MM-DD` } });

export const observerMembershipId = uuid({ zh: '任职 id', en: 'Membership id' });
export const membershipEndDay = memberDay({ zh: '最后一天', en: 'until' });

export const observerMembershipInput = z
  .object({
    team: z.enum(['EXPERT_COMMITTEE', 'MEDIA_OBSERVER', 'EXPERIENCE_OFFICER']),
    subject: text({ zh: '观察员令牌的 sub', en: 'subject' }, { max: 200 }),
    issuer: z.string().max(500).nullish(),
    name: text({ zh: '姓名', en: 'Name' }, { max: 100 }),
    since: memberDay({ zh: '起始日期', en: 'since' }),
    until: memberDay({ zh: '最后一天', en: 'until' }).nullish(),
  })
  .refine((value) => !value.until || value.until >= value.since, {
    message: 'until before since',
    path: ['until'],
    params: { zh: '最后一天不能早于起始日期', en: 'The last day cannot be before the first' },
  });
/** A day (YYYY-MM-DD) that exists. */
const day = (label: { zh: string; en: string }) =>
  z.string().refine(isValidDate, { message: 'bad date', params: { zh: `${label.zh}须为 YYYY-MM-DD`, en: `${label.en} is YYYY-MM-DD` } });

/** `2026-Q4`. */
export const quarterInput = z.string().refine((value) => /^20\d{2}-Q[1-4]$/.test(value), {
  message: 'bad quarter',
  params: { zh: '季度须写作 2026-Q4', en: 'A quarter is written 2026-Q4' },
});

export const recordUnitLeaderInput = z.object({
  clientRequestId,
  unitId: uuid({ zh: '单位', en: 'unitId' }),
  name: text({ zh: '姓名', en: 'Name' }, { max: 50 }),
  post: text({ zh: '职务', en: 'Post' }, { max: 100 }),
  principal: z.boolean(),
});

export const recordLeaderDepartureInput = z.object({
  leaderId: uuid({ zh: '领导记录', en: 'leaderId' }),
  leftOn: day({ zh: '离任日期', en: 'leftOn' }),
  reason: text({ zh: '离任原因', en: 'Reason' }, { max: 500 }),
  successorId: uuid({ zh: '继任者', en: 'successorId' }).nullish(),
});

/** A hall day lists at most this many problems found (a longer list is another record). */
export const MAX_FOUND_PROBLEMS = 50;

const foundProblem = z.object({
  environment: enumValue<EnvironmentCode>(),
  title,
  description: text({ zh: '问题描述', en: 'Description' }, { max: 5000 }),
  districtCode: district,
});

export const recordHallVisitInput = z.object({
  clientRequestId,
  unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
  leaderId: uuid({ zh: '领导记录', en: 'leaderId' }),
  hall: text({ zh: '大厅', en: 'Hall' }, { max: 100 }),
  servedOn: day({ zh: '值守日期', en: 'servedOn' }),
  handled: text({ zh: '办理事项', en: 'What was handled' }, { max: 2000 }),
  found: optionalText({ zh: '发现情况', en: 'What was found' }, { max: 2000 }),
  problems: z
    .array(foundProblem)
    .nullish()
    .refine((list) => !list || list.length <= MAX_FOUND_PROBLEMS, {
      message: 'too many',
      params: { zh: `一次至多 ${MAX_FOUND_PROBLEMS} 个问题`, en: `At most ${MAX_FOUND_PROBLEMS} problems per record` },
    }),
});

export const hallVisitsArgs = z.object({
  quarter: quarterInput.nullish(),
  unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
});

const obstacle = z.object({
  environment: enumValue<EnvironmentCode>(),
  title,
  description: text({ zh: '障碍描述', en: 'Description' }, { max: 5000 }),
});

export const registerSignedProjectInput = z.object({
  clientRequestId,
  name: text({ zh: '项目名称', en: 'Project name' }, { max: 200 }),
  investorCreditCode: creditCode,
  amountWanYuan: z.number().refine((n) => Number.isFinite(n) && n > 0 && n < 1e12, {
    message: 'bad amount',
    params: { zh: '签约金额（万元）须为正数', en: 'amountWanYuan must be a positive number' },
  }),
  signedOn: day({ zh: '签约日期', en: 'signedOn' }),
  industry: text({ zh: '行业', en: 'Industry' }, { max: 100 }),
  districtCode: district,
  status: enumValue<'NOT_STARTED' | 'STARTED' | 'IN_PRODUCTION' | 'TERMINATED'>(),
  responsibleUnitId: uuid({ zh: '责任单位', en: 'responsibleUnitId' }),
  leaderId: uuid({ zh: '包保领导', en: 'leaderId' }),
  obstacle: obstacle.nullish(),
});

export const reportProjectObstacleInput = z.object({
  clientRequestId,
  projectId: uuid({ zh: '项目', en: 'projectId' }),
  obstacle,
  expectedVersion: z.number().int().nullish(),
});

export const changeSignedProjectStatusInput = z.object({
  projectId: uuid({ zh: '项目', en: 'projectId' }),
  status: enumValue<'NOT_STARTED' | 'STARTED' | 'IN_PRODUCTION' | 'TERMINATED'>(),
  note,
  expectedVersion: z.number().int().nullish(),
});

export const signedProjectFilter = z.object({
  districtCode: district,
  status: z.array(enumValue<'NOT_STARTED' | 'STARTED' | 'IN_PRODUCTION' | 'TERMINATED'>()).nullish(),
  responsibleUnitId: uuid({ zh: '责任单位', en: 'responsibleUnitId' }).nullish(),
});

export const designateMonitoringPointInput = z.object({
  clientRequestId,
  kind: enumValue<'ENTERPRISE' | 'PROJECT'>(),
  name: optionalText({ zh: '名称', en: 'Name' }, { max: 200 }),
  enterpriseCreditCode: creditCode.nullish(),
  projectId: uuid({ zh: '项目', en: 'projectId' }).nullish(),
  responsibleUnitId: uuid({ zh: '责任单位', en: 'responsibleUnitId' }),
  leaderId: uuid({ zh: '包保领导', en: 'leaderId' }),
  frequency: enumValue<'MONTHLY' | 'QUARTERLY'>(),
});

export const recordMonitoringVisitInput = z.object({
  clientRequestId,
  pointId: uuid({ zh: '监测点', en: 'pointId' }),
  visitedOn: day({ zh: '走访日期', en: 'visitedOn' }),
  leaderId: uuid({ zh: '领导记录', en: 'leaderId' }).nullish(),
  summary: text({ zh: '走访情况', en: 'Summary' }, { max: 2000 }),
  expectedVersion: z.number().int().nullish(),
});

export const monitoringPointFilter = z.object({
  unvisitedOnly: z.boolean().nullish(),
  responsibleUnitId: uuid({ zh: '责任单位', en: 'responsibleUnitId' }).nullish(),
});
