/**
 * Review limits counted on a provisional calendar (a year the command office had not entered yet:
 * weekends only), settled once the year is there. Not a caller's use case: server.ts runs it when
 * the slice's calendar copy gains a year (platform/calendar-source.ts `onYearsAdded`), and /ready
 * and the start log ask how many reviews still wait.
 */
import type { OfficeHours, WorkingCalendar } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { reviewDues } from './deadlines.ts';
import { reviewActionStore, reviewStore } from './store.ts';

/** How many reviews one transaction of settling takes. */
const SETTLE_BATCH = 500;

/**
 * The command office has entered a calendar year (the slice's calendar copy has just gained it,
 * platform/calendar-source.ts): every bad review whose limits were provisional for want of it gets
 * them (and their warnings) recomputed, and an answer or rectification judged late or on time against a provisional
 * limit is judged again on the final one — once, the only change those records allow (migration
 * 0008); the kept figures follow by trigger. Batches of their own transactions, rows another
 * transaction holds skipped. Returns how many reviews were settled.
 */
export async function settleProvisionalReviewLimits(db: Db, calendar: WorkingCalendar, officeHours: OfficeHours): Promise<number> {
  let settled = 0;
  for (;;) {
    const batch = await db.transaction((tx) => settleBatch(tx, calendar, officeHours));
    settled += batch;
    if (batch < SETTLE_BATCH) return settled;
  }
}

/** One batch of `settleProvisionalReviewLimits`, in its transaction; how many reviews it settled. */
async function settleBatch(tx: Queryable, calendar: WorkingCalendar, officeHours: OfficeHours): Promise<number> {
  const waiting = await reviewStore.lockWaitingForCalendar(tx, calendar.knownYears(), SETTLE_BATCH);
  if (!waiting.length) return 0;
  const dues = new Map(waiting.map((review) => [review.id, reviewDues(calendar, officeHours, review.reviewedAt, review.level)]));
  const duesOf = (reviewId: string) => present(dues.get(reviewId), 'the limits of a review of the batch');
  await reviewStore.setLimits(
    tx,
    waiting.map((review) => ({ id: review.id, ...duesOf(review.id) })),
  );
  const judged = (await reviewActionStore.byReviewIds(tx, [...dues.keys()])).filter(
    (a) => a.lateProvisional && (a.kind === 'ANSWER' || a.kind === 'RECTIFY'),
  );
  await reviewActionStore.settleLateness(
    tx,
    judged
      // Still provisional (a later year is missing too): judged again once that one is entered.
      .filter((a) => duesOf(a.reviewId).pendingCalendarYear === null)
      .map((a) => {
        const due = a.kind === 'ANSWER' ? duesOf(a.reviewId).answerDueAt : duesOf(a.reviewId).rectifyDueAt;
        return { id: a.id, late: due !== null && a.at.getTime() > due.getTime() };
      }),
  );
  return waiting.length;
}

/** For /ready and the start log: 'ok', or a warning naming the years reviews' limits are provisional for. */
export async function provisionalReviewsReadiness(db: Queryable): Promise<string> {
  const waiting = await reviewStore.provisionalYears(db);
  if (!waiting.length) return 'ok';
  const years = waiting.map((w) => w.year);
  const count = waiting.reduce((sum, w) => sum + w.reviews, 0);
  return (
    `warning: no working-day calendar for ${years.join(', ')} — the limits of ${count} bad review(s) reaching it are provisional (weekends only) ` +
    `until the command office enters it (setCalendarYear) / 工作日历缺少 ${years.join('、')} 年，${count} 条差评的处理时限暂按只休周末计算`
  );
}
