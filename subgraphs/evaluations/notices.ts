/**
 * What the evaluations slice tells people (issue #25 §3), without I/O: a poor service review
 * (不满意, 非常不满意) to the reviewed unit — written in the review's transaction — and, written by
 * the worker's sweep, a quarterly report missing at its due date to the unit expected to file it,
 * once per unit and quarter, and a poor review's answer or rectification limit at 80% and overdue
 * to the reviewed unit, once per review, limit and kind. Sample data tells nobody.
 */
import { limitPassedEvent, type NoticeOwner, type OutboxEvent } from '../../platform/outbox.ts';
import type { PassedReviewLimit, ReviewRow } from './store.ts';

/** The event types of this slice: what a webhook may ask for, and what a unit may choose to get by SMS. */
export const EVALUATION_NOTICE_TYPES = ['SERVICE_REVIEW_POOR', 'QUARTERLY_REPORT_MISSING', 'LIMIT_WARNING', 'LIMIT_OVERDUE'] as const;
export type EvaluationNoticeType = (typeof EVALUATION_NOTICE_TYPES)[number];

/** Sent by SMS to a unit's duty contact unless it chose otherwise: a poor review's 1-working-day answer clock is running; a limit overdue. */
export const EVALUATION_SMS_BY_DEFAULT: Partial<Record<NoticeOwner['kind'], EvaluationNoticeType[]>> = {
  UNIT: ['SERVICE_REVIEW_POOR', 'LIMIT_OVERDUE'],
};

const LEVEL_NAMES: Record<string, string> = { UNSATISFIED: '不满意', VERY_UNSATISFIED: '非常不满意' };

/** The event of a review just written, or null unless it is a poor one (its limits run). */
export function reviewNotice(review: ReviewRow): OutboxEvent | null {
  if (review.sample || review.status !== 'AWAITING_ANSWER') return null;
  const due = review.answerDueAt?.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return {
    type: 'SERVICE_REVIEW_POOR',
    recordKey: `review:${review.id}`,
    audience: [{ kind: 'UNIT', id: review.unitId }],
    payload: {
      reviewId: review.id,
      unitId: review.unitId,
      level: review.level,
      serviceItem: review.serviceItem,
      channel: review.channel,
      answerDueAt: review.answerDueAt?.toISOString() ?? null,
      rectifyDueAt: review.rectifyDueAt?.toISOString() ?? null,
    },
    title: `收到差评：${review.serviceItem}`,
    body: `服务事项“${review.serviceItem}”收到“${LEVEL_NAMES[review.level] ?? review.level}”评价，请${due ? `于 ${due} 前` : '在 1 个工作日内'}答复。`,
  };
}

/** The event telling `unitId` its report for `quarter` was not filed by `dueAt`. */
export function reportMissingNotice(unitId: string, quarter: string, dueAt: Date): OutboxEvent {
  const due = dueAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return {
    type: 'QUARTERLY_REPORT_MISSING',
    recordKey: `report:${unitId}:${quarter}`,
    onceKey: `report-missing:${unitId}:${quarter}`,
    audience: [{ kind: 'UNIT', id: unitId }],
    payload: { unitId, quarter, dueAt: dueAt.toISOString() },
    title: `季度报告未报：${quarter}`,
    body: `本单位 ${quarter} 攻坚任务季度报告应于 ${due} 前报送，至今未报，请尽快报送。`,
  };
}

const LIMIT_NAMES: Record<PassedReviewLimit['kind'], string> = { ANSWER: '答复', RECTIFY: '整改' };

/** A poor review's answer or rectification limit that reached its warning (80% of its time) or passed unmet: to the reviewed unit. */
export function reviewLimitNotice(limit: PassedReviewLimit): OutboxEvent {
  const name = LIMIT_NAMES[limit.kind];
  return limitPassedEvent(
    limit,
    {
      title: `差评${name}`,
      subject: `服务事项“${limit.serviceItem}”收到的“${LEVEL_NAMES[limit.level] ?? limit.level}”评价，${name}`,
    },
    {
      recordKey: `review:${limit.reviewId}`,
      onceKey: `limit:${limit.reviewId}:${limit.kind}:${limit.passed}`,
      audience: [{ kind: 'UNIT', id: limit.unitId }],
      payload: {
        reviewId: limit.reviewId,
        unitId: limit.unitId,
        limitKind: limit.kind,
        level: limit.level,
        serviceItem: limit.serviceItem,
        dueAt: limit.dueAt.toISOString(),
      },
    },
  );
}
