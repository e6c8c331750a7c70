/**
 * What the policies slice tells people (issue #25 §3), without I/O: the outbox events of 政策找企业
 * — an item published (or its criteria changed) tells every enterprise newly eligible, the same
 * enterprises its `policy_notices` rows name — and of an application changing state, to its
 * enterprise; with the Chinese text of the notice (inbox and SMS). rows.ts emits them in the
 * transaction that writes the notices or records the step. The worker's sweep
 * (use-cases/notices.ts) emits what time makes: an application's review or payment limit at 80%
 * and overdue, and the answer to each open objection to its notice at 80% and overdue, to the
 * reviewing unit, which decides, pays and answers. Sample rows tell nobody.
 */
import { limitPassedEvent, type NoticeOwner, type OutboxEvent } from '../../platform/outbox.ts';
import type { ApplicationRow, ItemRow, PassedLimit } from './store.ts';

/** The event types of this slice: what a webhook may ask for, and what an owner may choose to get by SMS. */
export const POLICY_NOTICE_TYPES = ['POLICY_ITEM_PUBLISHED', 'APPLICATION_STATUS_CHANGED', 'LIMIT_WARNING', 'LIMIT_OVERDUE'] as const;
export type PolicyNoticeType = (typeof POLICY_NOTICE_TYPES)[number];

/** Sent by SMS unless the owner chose otherwise (inbox only is an empty list, kept): the reviewing unit hears of an overdue limit. */
export const POLICY_SMS_BY_DEFAULT: Partial<Record<NoticeOwner['kind'], PolicyNoticeType[]>> = {
  ENTERPRISE: ['POLICY_ITEM_PUBLISHED', 'APPLICATION_STATUS_CHANGED'],
  UNIT: ['LIMIT_OVERDUE'],
};

/** At most this many enterprises per event: a city-wide item becomes several events, each its notices in one dispatch. */
export const ENTERPRISES_PER_EVENT = 1_000;

const STATUS_NAMES: Record<ApplicationRow['status'], string> = {
  DRAFT: '草稿',
  SUBMITTED: '已提交',
  UNDER_REVIEW: '审核中',
  RETURNED: '退回补正',
  RESUBMITTED: '已重新提交',
  APPROVED: '审核通过',
  REJECTED: '未通过',
  PUBLIC_NOTICE: '公示中',
  STOPPED: '已终止',
  DISBURSED: '已兑现',
};

/** The events telling `codes` (enterprises newly noticed) of `item`: one per `ENTERPRISES_PER_EVENT`. */
export function itemNotices(item: Pick<ItemRow, 'id' | 'name' | 'policyId' | 'sample'>, codes: readonly string[]): OutboxEvent[] {
  if (item.sample) return [];
  const events: OutboxEvent[] = [];
  for (let start = 0; start < codes.length; start += ENTERPRISES_PER_EVENT) {
    const part = codes.slice(start, start + ENTERPRISES_PER_EVENT);
    events.push({
      type: 'POLICY_ITEM_PUBLISHED',
      recordKey: `item:${item.id}`,
      audience: part.map((code) => ({ kind: 'ENTERPRISE', id: code })),
      payload: { itemId: item.id, policyId: item.policyId, name: item.name, enterprises: part },
      title: `政策找企业：${item.name}`,
      body: `贵企业符合政策项目“${item.name}”的申报条件，请登录平台查看并申报。`,
    });
  }
  return events;
}

/** The event of an application's step, or null when its state did not change (or it is a draft, or sample data). */
export function applicationNotice(
  application: Pick<ApplicationRow, 'id' | 'number' | 'itemId' | 'enterpriseCreditCode' | 'approvedAmount' | 'disbursedAmount' | 'sample'>,
  step: { action: string; fromStatus: ApplicationRow['status'] | null; toStatus: ApplicationRow['status'] },
): OutboxEvent | null {
  if (application.sample || step.fromStatus === step.toStatus || step.toStatus === 'DRAFT') return null;
  return {
    type: 'APPLICATION_STATUS_CHANGED',
    recordKey: `application:${application.id}`,
    audience: [{ kind: 'ENTERPRISE', id: application.enterpriseCreditCode }],
    payload: {
      applicationId: application.id,
      number: application.number,
      itemId: application.itemId,
      action: step.action,
      fromStatus: step.fromStatus,
      status: step.toStatus,
      approvedAmount: application.approvedAmount,
      disbursedAmount: application.disbursedAmount,
    },
    title: `申报${STATUS_NAMES[step.toStatus]}（申报编号 ${application.number}）`,
    body: `您的政策申报（申报编号 ${application.number}）状态已变为“${STATUS_NAMES[step.toStatus]}”，请登录平台查看。`,
  };
}

const LIMIT_NAMES: Record<PassedLimit['kind'], string> = { REVIEW: '审核', PAYMENT: '兑现', OBJECTION_ANSWER: '公示异议答复' };

/**
 * A review or payment limit, or the answer to an objection, that reached its warning (80% of its time) or passed unmet: to the
 * reviewing unit, which decides, pays and answers.
 */
export function limitNotice(limit: PassedLimit): OutboxEvent {
  const name = LIMIT_NAMES[limit.kind];
  return limitPassedEvent(
    limit,
    { title: `政策申报${name}`, subject: `政策申报“${limit.itemName}”（申报编号 ${limit.number}）的${name}` },
    {
      recordKey: `application:${limit.applicationId}`,
      onceKey: limit.onceKey,
      audience: [{ kind: 'UNIT', id: limit.reviewingUnitId }],
      payload: {
        applicationId: limit.applicationId,
        number: limit.number,
        itemId: limit.itemId,
        limitKind: limit.kind,
        ...(limit.objectionId ? { objectionId: limit.objectionId } : {}),
        reviewingUnitId: limit.reviewingUnitId,
        startsAt: limit.startsAt.toISOString(),
        dueAt: limit.dueAt.toISOString(),
      },
    },
  );
}
