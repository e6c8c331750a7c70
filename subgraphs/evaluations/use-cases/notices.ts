/**
 * The evaluations slice's notices (issue #25 §3): the caller's inbox (a unit's: poor reviews of it,
 * its missing quarterly reports) and its read state, notice settings (the duty contact, what comes
 * by SMS), the webhooks a unit or connected system registers, their dead letters and replay — the
 * kit's use cases (platform/notices.ts) on this slice's tables, for the owners access.ts allows —
 * and the sweep that writes what time makes: the missing reports' notices, and a poor review's limits
 * at 80% and overdue.
 */
import { beijingDate, endOfBeijingDay } from '../../../platform/calendar.ts';
import { present } from '../../../platform/invariant.ts';
import { noticeUseCases } from '../../../platform/notices.ts';
import { emit } from '../../../platform/outbox.ts';
import type { Queryable } from '../../../db/client.ts';
import { quarter as quarterOf, quartersDueWithin } from '../grading.ts';
import { EVALUATION_NOTICE_TYPES, reportMissingNotice, reviewLimitNotice } from '../notices.ts';
import { evaluationsOutbox, noticeStore } from '../store.ts';

export const { inbox, markRead, settings, setSettings, registerWebhook, webhooks, deadLetters, replay } = noticeUseCases(
  evaluationsOutbox,
  EVALUATION_NOTICE_TYPES,
);

const DAY_MS = 86_400_000;

/**
 * The worker's sweep: for each quarter whose report fell due in the last 14 days (24:00 of the 10th
 * of the next month, Beijing), each unit expected to report that has filed nothing — once per unit
 * and quarter (by its once key); a unit that files before the sweep comes is not told.
 */
export async function sweepMissingReports(tx: Queryable, now: Date): Promise<void> {
  const quarters = quartersDueWithin(beijingDate(new Date(now.getTime() - 15 * DAY_MS)), beijingDate(now));
  for (const quarter of quarters) {
    const dueAt = endOfBeijingDay(present(quarterOf(quarter), `quarter ${quarter}`).dueOn);
    if (dueAt.getTime() > now.getTime() || now.getTime() - dueAt.getTime() > 14 * DAY_MS) continue;
    for (const unitId of await noticeStore.reportsMissing(tx, quarter, dueAt))
      await emit(tx, evaluationsOutbox, reportMissingNotice(unitId, quarter, dueAt), now);
  }
}

/**
 * The worker's sweep of a poor review's limits: each running answer or rectification limit's
 * warning (80%) and its lapse, once each (by its once key), to the reviewed unit.
 */
export async function sweepReviewLimits(tx: Queryable, now: Date): Promise<void> {
  for (const limit of await noticeStore.limitsPassed(tx, now)) await emit(tx, evaluationsOutbox, reviewLimitNotice(limit), now);
}

/** The slice's outbox sweep (server.ts): the missing quarterly reports, then the review limits, in the sweep's one transaction. */
export async function sweepNotices(tx: Queryable, now: Date): Promise<void> {
  await sweepMissingReports(tx, now);
  await sweepReviewLimits(tx, now);
}
