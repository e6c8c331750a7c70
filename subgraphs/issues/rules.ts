/**
 * The closed loop, in one table: which action may move an issue from which status to which, and who
 * may take it. Beside it, the actions that do not act on one issue (entering the loop, statistics,
 * the calendar). The access module works out the caller's standings; the service asks before it
 * changes anything.
 *
 * submitted → accepted | rejected → assigned (⇄ returned, reassigned) → contacted → feedback given
 * → resolved → rated / verified → closed; unsatisfied → reopened; any open issue can be escalated
 * or merged into its original.
 */
import type { Rule } from '../../platform/rules.ts';

export type IssueStatus =
  | 'SUBMITTED'
  | 'REJECTED'
  | 'ACCEPTED'
  | 'ASSIGNED'
  | 'RETURNED'
  | 'CONTACTED'
  | 'FEEDBACK_GIVEN'
  | 'RESOLVED'
  | 'CLOSED'
  | 'REOPENED'
  | 'MERGED';

/** How the caller stands to an issue (or to the loop); derived from the token and the issue, never from input. */
export type IssueStanding =
  /** a token of an active command office */
  | 'COMMAND_OFFICE'
  /** admin or staff of the issue's (active) responsible unit */
  | 'RESPONSIBLE_UNIT_ADMIN'
  | 'RESPONSIBLE_UNIT_STAFF'
  /** the enterprise that submitted the appeal */
  | 'REPORTING_ENTERPRISE'
  /** admin or staff of any active unit */
  | 'UNIT_MEMBER'
  | 'ENTERPRISE'
  | 'OBSERVER'
  /** signed in, none of the above (e.g. the token's unit is archived) */
  | 'SIGNED_IN';

export const statusNames: Record<IssueStatus, string> = {
  SUBMITTED: '待受理',
  REJECTED: '不予受理',
  ACCEPTED: '已受理',
  ASSIGNED: '已派单',
  RETURNED: '已退回',
  CONTACTED: '已联系',
  FEEDBACK_GIVEN: '已初步反馈',
  RESOLVED: '已办结',
  CLOSED: '已销号',
  REOPENED: '重新办理',
  MERGED: '已合并',
};

const OPEN: IssueStatus[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'REOPENED'];
const IN_HAND: IssueStatus[] = ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'REOPENED'];
const UNIT_HANDS: IssueStanding[] = ['COMMAND_OFFICE', 'RESPONSIBLE_UNIT_ADMIN', 'RESPONSIBLE_UNIT_STAFF'];

/** Actions on one issue: each moves it (or keeps its status and is recorded). */
export const issueRules = {
  ACCEPT: { name: { zh: '受理', en: 'accept the issue' }, from: ['SUBMITTED'], to: 'ACCEPTED', who: ['COMMAND_OFFICE'] },
  REJECT: { name: { zh: '不予受理', en: 'reject the issue' }, from: ['SUBMITTED'], to: 'REJECTED', who: ['COMMAND_OFFICE'] },
  ASSIGN: { name: { zh: '派单/转办', en: 'assign the issue' }, from: ['ACCEPTED', 'RETURNED', 'ASSIGNED', 'REOPENED'], to: 'ASSIGNED', who: ['COMMAND_OFFICE'] },
  RETURN: { name: { zh: '退回', en: 'return the issue' }, from: ['ASSIGNED'], to: 'RETURNED', who: ['RESPONSIBLE_UNIT_ADMIN'] },
  CONTACT: { name: { zh: '联系企业', en: 'record contact with the enterprise' }, from: ['ASSIGNED', 'REOPENED'], to: 'CONTACTED', who: UNIT_HANDS },
  FEEDBACK: { name: { zh: '初步反馈', en: 'give feedback on the issue' }, from: ['CONTACTED'], to: 'FEEDBACK_GIVEN', who: UNIT_HANDS },
  // Appeals pass through contact and feedback first (see resolveFrom); self-found problems may be resolved directly.
  RESOLVE: { name: { zh: '办结', en: 'resolve the issue' }, from: ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'REOPENED'], to: 'RESOLVED', who: UNIT_HANDS },
  // The enterprise rates its own appeal; the command office records the result of its follow-up (回访),
  // e.g. for 12345 callers who are not users of the platform.
  RATE: { name: { zh: '评价', en: 'rate the handling' }, from: ['RESOLVED'], to: 'SAME', who: ['REPORTING_ENTERPRISE', 'COMMAND_OFFICE'] },
  CLOSE: { name: { zh: '销号', en: 'close the issue' }, from: ['RESOLVED'], to: 'CLOSED', who: ['COMMAND_OFFICE'] },
  REOPEN: { name: { zh: '重新办理', en: 'reopen the issue' }, from: ['RESOLVED', 'CLOSED'], to: 'REOPENED', who: ['COMMAND_OFFICE', 'REPORTING_ENTERPRISE'] },
  ESCALATE: { name: { zh: '提级督办', en: 'escalate the issue' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  MERGE: { name: { zh: '合并', en: 'merge the issue' }, from: OPEN, to: 'MERGED', who: ['COMMAND_OFFICE'] },
  REQUEST_EXTENSION: { name: { zh: '申请延期', en: 'request an extension of the deadline' }, from: IN_HAND, to: 'SAME', who: ['RESPONSIBLE_UNIT_ADMIN'] },
  GRANT_EXTENSION: { name: { zh: '审批延期', en: 'decide on an extension' }, from: IN_HAND, to: 'SAME', who: ['COMMAND_OFFICE'] },
  REMIND: { name: { zh: '催办', en: 'send a reminder on the issue' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  PLAN_MILESTONES: { name: { zh: '制定节点计划', en: 'plan the milestones' }, from: ['ACCEPTED', ...IN_HAND], to: 'SAME', who: UNIT_HANDS },
  COMPLETE_MILESTONE: { name: { zh: '完成节点', en: 'complete a milestone' }, from: IN_HAND, to: 'SAME', who: UNIT_HANDS },
  PUBLISH: {
    name: { zh: '通报典型案例', en: 'publish the issue as a typical case' },
    from: ['ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED', 'REOPENED'],
    to: 'SAME',
    who: ['COMMAND_OFFICE'],
  },
} satisfies Record<string, Rule<IssueStatus, IssueStanding>>;

export type IssueAction = keyof typeof issueRules;

/** Actions that do not act on one issue. */
export const loopRules = {
  SUBMIT_APPEAL: { name: { zh: '提交诉求（仅企业；其他渠道请用 reportIssue）', en: 'submit an appeal (enterprises only; other channels use reportIssue)' }, who: ['ENTERPRISE'] },
  REPORT_ISSUE: { name: { zh: '报告问题（企业请用 submitAppeal）', en: 'report an issue (enterprises use submitAppeal)' }, who: ['COMMAND_OFFICE', 'UNIT_MEMBER', 'OBSERVER'] },
  READ_CITY_STATS: { name: { zh: '查看全市统计（仅市指挥部办公室）', en: 'read city-wide statistics (command office only)' }, who: ['COMMAND_OFFICE'] },
  KEEP_CALENDAR: { name: { zh: '维护工作日历（仅市指挥部办公室）', en: 'keep the working-day calendar (command office only)' }, who: ['COMMAND_OFFICE'] },
} satisfies Record<string, Rule<IssueStatus, IssueStanding>>;

export type LoopAction = keyof typeof loopRules;

/** Appeals and hotline items run on the 青诉即办 clock: contact, feedback, resolution. */
export function isAppealLike(source: string): boolean {
  return source === 'ENTERPRISE_APPEAL' || source === 'HOTLINE_12345';
}

/** Statuses an issue may be resolved from: an appeal only after contact and feedback. */
export function resolveFrom(source: string): readonly IssueStatus[] {
  return isAppealLike(source) ? ['FEEDBACK_GIVEN', 'REOPENED'] : issueRules.RESOLVE.from;
}
