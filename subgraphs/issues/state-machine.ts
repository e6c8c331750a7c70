/**
 * The closed loop, in one place: which action may move an issue from which status to which, and
 * who may take it. The service asks `authorize` and `nextStatus` before it changes anything.
 *
 * submitted → accepted | rejected → assigned (⇄ returned, reassigned) → contacted → feedback given
 * → resolved → rated / verified → closed; unsatisfied → reopened; any open issue can be escalated
 * or merged into its original.
 */
import type { Bilingual } from '../shared/errors.ts';

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

export type IssueAction =
  | 'ACCEPT'
  | 'REJECT'
  | 'ASSIGN'
  | 'RETURN'
  | 'CONTACT'
  | 'FEEDBACK'
  | 'RESOLVE'
  | 'RATE'
  | 'CLOSE'
  | 'REOPEN'
  | 'ESCALATE'
  | 'MERGE'
  | 'REQUEST_EXTENSION'
  | 'GRANT_EXTENSION'
  | 'REMIND'
  | 'PLAN_MILESTONES'
  | 'COMPLETE_MILESTONE'
  | 'PUBLISH';

/** How the caller stands to this issue; derived from the token and the issue, never from input. */
export type Standing = 'COMMAND_OFFICE' | 'RESPONSIBLE_UNIT_ADMIN' | 'RESPONSIBLE_UNIT_STAFF' | 'REPORTING_ENTERPRISE' | 'OTHER';

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
export const TERMINAL: IssueStatus[] = ['REJECTED', 'CLOSED', 'MERGED'];

const unitHands: Standing[] = ['COMMAND_OFFICE', 'RESPONSIBLE_UNIT_ADMIN', 'RESPONSIBLE_UNIT_STAFF'];

interface Rule {
  name: Bilingual;
  from: IssueStatus[];
  /** 'SAME' keeps the status (a recorded act that does not move the loop). */
  to: IssueStatus | 'SAME';
  who: Standing[];
}

export const rules: Record<IssueAction, Rule> = {
  ACCEPT: { name: { zh: '受理', en: 'accept' }, from: ['SUBMITTED'], to: 'ACCEPTED', who: ['COMMAND_OFFICE'] },
  REJECT: { name: { zh: '不予受理', en: 'reject' }, from: ['SUBMITTED'], to: 'REJECTED', who: ['COMMAND_OFFICE'] },
  ASSIGN: {
    name: { zh: '派单/转办', en: 'assign' },
    from: ['ACCEPTED', 'RETURNED', 'ASSIGNED', 'REOPENED'],
    to: 'ASSIGNED',
    who: ['COMMAND_OFFICE'],
  },
  RETURN: { name: { zh: '退回', en: 'return' }, from: ['ASSIGNED'], to: 'RETURNED', who: ['RESPONSIBLE_UNIT_ADMIN'] },
  CONTACT: { name: { zh: '联系企业', en: 'record contact' }, from: ['ASSIGNED', 'REOPENED'], to: 'CONTACTED', who: unitHands },
  FEEDBACK: { name: { zh: '初步反馈', en: 'give feedback' }, from: ['CONTACTED'], to: 'FEEDBACK_GIVEN', who: unitHands },
  // Appeals must pass through contact and feedback; self-found problems may be resolved directly (see resolveFrom).
  RESOLVE: {
    name: { zh: '办结', en: 'resolve' },
    from: ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'REOPENED'],
    to: 'RESOLVED',
    who: unitHands,
  },
  // The enterprise rates its own appeal; the command office records the result of its follow-up (回访),
  // e.g. for 12345 callers who are not users of the platform.
  RATE: { name: { zh: '评价', en: 'rate' }, from: ['RESOLVED'], to: 'SAME', who: ['REPORTING_ENTERPRISE', 'COMMAND_OFFICE'] },
  CLOSE: { name: { zh: '销号', en: 'close' }, from: ['RESOLVED'], to: 'CLOSED', who: ['COMMAND_OFFICE'] },
  REOPEN: {
    name: { zh: '重新办理', en: 'reopen' },
    from: ['RESOLVED', 'CLOSED'],
    to: 'REOPENED',
    who: ['COMMAND_OFFICE', 'REPORTING_ENTERPRISE'],
  },
  ESCALATE: { name: { zh: '提级督办', en: 'escalate' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  MERGE: { name: { zh: '合并', en: 'merge' }, from: OPEN, to: 'MERGED', who: ['COMMAND_OFFICE'] },
  REQUEST_EXTENSION: { name: { zh: '申请延期', en: 'request an extension' }, from: IN_HAND, to: 'SAME', who: ['RESPONSIBLE_UNIT_ADMIN'] },
  GRANT_EXTENSION: { name: { zh: '审批延期', en: 'decide an extension' }, from: IN_HAND, to: 'SAME', who: ['COMMAND_OFFICE'] },
  REMIND: { name: { zh: '催办', en: 'remind' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  PLAN_MILESTONES: {
    name: { zh: '制定节点计划', en: 'plan milestones' },
    from: ['ACCEPTED', ...IN_HAND],
    to: 'SAME',
    who: ['COMMAND_OFFICE', 'RESPONSIBLE_UNIT_ADMIN', 'RESPONSIBLE_UNIT_STAFF'],
  },
  COMPLETE_MILESTONE: { name: { zh: '完成节点', en: 'complete a milestone' }, from: IN_HAND, to: 'SAME', who: unitHands },
  PUBLISH: {
    name: { zh: '通报典型案例', en: 'publish as a typical case' },
    from: ['ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED', 'REOPENED'],
    to: 'SAME',
    who: ['COMMAND_OFFICE'],
  },
};

/** Appeals and hotline items run on the 青诉即办 clock: contact, feedback, resolution. */
export function isAppealLike(source: string): boolean {
  return source === 'ENTERPRISE_APPEAL' || source === 'HOTLINE_12345';
}

export type Refusal = { kind: 'FORBIDDEN' | 'INVALID_TRANSITION'; message: Bilingual };

/** Whether `standing` may take `action` on an issue in `status`; null when it may. */
export function check(action: IssueAction, status: IssueStatus, standing: Standing, source: string): Refusal | null {
  const rule = rules[action];
  if (!rule.who.includes(standing)) {
    return {
      kind: 'FORBIDDEN',
      message: { zh: `无权对该问题执行“${rule.name.zh}”`, en: `You may not ${rule.name.en} this issue` },
    };
  }
  const from = action === 'RESOLVE' && isAppealLike(source) ? ['FEEDBACK_GIVEN', 'REOPENED'] : rule.from;
  if (!from.includes(status)) {
    return {
      kind: 'INVALID_TRANSITION',
      message: {
        zh: `问题当前状态为“${statusNames[status]}”(${status})，不能${rule.name.zh}`,
        en: `The issue is ${status}: you cannot ${rule.name.en} it in this state`,
      },
    };
  }
  return null;
}

export function nextStatus(action: IssueAction, status: IssueStatus): IssueStatus {
  const to = rules[action].to;
  return to === 'SAME' ? status : to;
}
