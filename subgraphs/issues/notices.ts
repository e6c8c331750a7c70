/**
 * What the issues slice tells people (issue #25 §3), without I/O: which history entries become an
 * outbox event, for whom, and the Chinese text of the notice (inbox and SMS). rows.ts emits them in
 * the transaction that records the entry; the deadline sweep (store.ts `noticeStore.deadlinesPassed`)
 * emits the warnings and lapses time makes.
 */
import type { NoticeOwner, OutboxEvent } from '../../platform/outbox.ts';
import { personKey } from '../../platform/auth.ts';
import type { IssueRow, PassedDeadline } from './store.ts';

/** The event types of this slice: what a webhook may ask for, and what a unit may choose to get by SMS. */
export const ISSUE_NOTICE_TYPES = [
  'ISSUE_ASSIGNED',
  'ISSUE_FEEDBACK',
  'ISSUE_RESOLVED',
  'ISSUE_RATED_UNSATISFIED',
  'DEADLINE_WARNING',
  'DEADLINE_OVERDUE',
  'HALL_DUTY_REMINDER',
] as const;
export type IssueNoticeType = (typeof ISSUE_NOTICE_TYPES)[number];

/** Sent by SMS unless the owner chose otherwise: a unit's duty contact hears of a new issue at once (the 2-hour contact clock runs). */
export const ISSUE_SMS_BY_DEFAULT: Partial<Record<NoticeOwner['kind'], IssueNoticeType[]>> = {
  UNIT: ['ISSUE_ASSIGNED', 'DEADLINE_OVERDUE'],
  ENTERPRISE: ['ISSUE_FEEDBACK', 'ISSUE_RESOLVED'],
};

/** The history actions that tell someone. */
export const NOTIFYING_ACTIONS = new Set(['ASSIGN', 'REASSIGN', 'FEEDBACK', 'RESOLVE', 'RATE', 'RATE_AND_REOPEN']);

const label = (issue: IssueRow) => `（受理编号 ${issue.number}）`;

/**
 * The inbox key of a reporter as a person. A report kept before issuers were recorded (issuer null)
 * is its reporter's whatever the token's issuer (platform/auth.ts `isPerson`): its notices are keyed
 * with a null issuer, which access.ts `noticeOwners` gives every signed-in person of that role and
 * subject — never with '', the issuer of a token that names none.
 */
export function reporterKey(reporter: { issuer: string | null; role: string; subject: string }): string {
  if (reporter.issuer === null) return JSON.stringify([null, reporter.role, reporter.subject]);
  return personKey({ issuer: reporter.issuer, role: reporter.role, subject: reporter.subject });
}

/** The reporting enterprise, or the reporter as a person when no enterprise raised it. */
function reporter(issue: IssueRow): NoticeOwner[] {
  if (issue.enterpriseCreditCode) return [{ kind: 'ENTERPRISE', id: issue.enterpriseCreditCode }];
  return [{ kind: 'PERSON', id: reporterKey({ issuer: issue.reporterIssuer, role: issue.reporterRole, subject: issue.reporterSubject }) }];
}

/** The event an entry of an issue's history makes, or null when it tells nobody. */
export function issueNotice(action: string, issue: IssueRow, details: Record<string, unknown> | null | undefined): OutboxEvent | null {
  const base = { recordKey: `issue:${issue.id}`, payload: { issueId: issue.id, number: issue.number, status: issue.status, action } };
  switch (action) {
    case 'ASSIGN':
    case 'REASSIGN':
      if (!issue.responsibleUnitId) return null;
      return {
        ...base,
        type: 'ISSUE_ASSIGNED',
        audience: [{ kind: 'UNIT', id: issue.responsibleUnitId }],
        payload: { ...base.payload, unitId: issue.responsibleUnitId },
        title: `新派单：${issue.title}`,
        body: `${label(issue)}已派至本单位，请于 2 个办公小时内联系企业。`,
      };
    case 'FEEDBACK':
      return {
        ...base,
        type: 'ISSUE_FEEDBACK',
        audience: reporter(issue),
        title: `诉求已初步反馈：${issue.title}`,
        body: `${label(issue)}承办单位已初步反馈，请登录平台查看。`,
      };
    case 'RESOLVE':
      return {
        ...base,
        type: 'ISSUE_RESOLVED',
        audience: reporter(issue),
        payload: { ...base.payload, outcome: issue.resolutionOutcome },
        title: `诉求已办结：${issue.title}`,
        body: `${label(issue)}已办结，请登录平台评价。`,
      };
    case 'RATE':
    case 'RATE_AND_REOPEN':
      if (details?.rating !== 'UNSATISFIED' || !issue.responsibleUnitId) return null;
      return {
        ...base,
        type: 'ISSUE_RATED_UNSATISFIED',
        audience: [{ kind: 'UNIT', id: issue.responsibleUnitId }],
        payload: { ...base.payload, unitId: issue.responsibleUnitId, rating: 'UNSATISFIED' },
        title: `收到差评：${issue.title}`,
        body: `${label(issue)}企业评价为“不满意”${action === 'RATE_AND_REOPEN' ? '，已重新办理' : ''}。`,
      };
    default:
      return null;
  }
}

export function deadlineNotice(deadline: PassedDeadline): OutboxEvent {
  const warning = deadline.kind === 'WARNING';
  const due = deadline.dueAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return {
    type: warning ? 'DEADLINE_WARNING' : 'DEADLINE_OVERDUE',
    recordKey: `issue:${deadline.issueId}`,
    onceKey: `deadline:${deadline.id}:${deadline.kind}`,
    audience: [{ kind: 'UNIT', id: deadline.unitId }],
    payload: {
      issueId: deadline.issueId,
      number: deadline.number,
      deadlineId: deadline.id,
      stage: deadline.stage,
      dueAt: deadline.dueAt.toISOString(),
    },
    title: `${warning ? '时限预警' : '已超时'}：${deadline.title}`,
    body: `（受理编号 ${deadline.number}）${warning ? `办理时限已过 80%，将于 ${due} 到期。` : `已于 ${due} 超过办理时限。`}`,
  };
}

/** 局长进大厅: a unit whose principal has not served this quarter, a month and a week before it ends (once each). */
export function hallReminder(unitId: string, quarter: string, stage: 'MONTH' | 'WEEK', endsAt: Date): OutboxEvent {
  const last = new Date(endsAt.getTime() - 1).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });
  return {
    type: 'HALL_DUTY_REMINDER',
    recordKey: `hall-duty:${unitId}:${quarter}`,
    onceKey: `hall-duty:${unitId}:${quarter}:${stage}`,
    audience: [{ kind: 'UNIT', id: unitId }],
    payload: { unitId, quarter, stage, endsAt: endsAt.toISOString() },
    title: `局长进大厅提醒：${quarter} 尚未值守`,
    body: `本单位主要负责人本季度尚未到一线服务大厅值守，本季度于 ${last} 结束，请${stage === 'WEEK' ? '在一周内' : '在本月内'}安排。`,
  };
}
