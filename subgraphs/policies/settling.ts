/**
 * Settling provisional limits: not a caller's use case but the calendar's — when the slice's copy of
 * the working-day calendar gains a year the command office entered, server.ts runs
 * `settleProvisionalLimits`, and /ready reports what still waits (`provisionalLimitsReadiness`).
 * Its batches lock what they settle and skip what another transaction holds, so it works in
 * transactions of its own rather than through the rules of one row (rows.ts).
 */
import { earliestYear, endOfBeijingDay, type OfficeHours, type WorkingCalendar } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import type { Db, Queryable } from '../../db/client.ts';
import {
  dueAfter,
  lastDayOf,
  nextDueOf,
  noticeLastDay,
  noticeProvisional,
  objectionWarnAt,
  reachesPendingYear,
  runningDueAfter,
  workingDaysBetween,
} from './deadlines.ts';
import {
  applicationStore,
  isOpenObjection,
  limitOutcomeStore,
  objectionStore,
  type ApplicationRow,
  type LimitOutcomeRow,
} from './store.ts';

/** How many applications one transaction of settling takes. */
const SETTLE_BATCH = 500;

/**
 * The command office has entered a calendar year (the slice's calendar copy has just gained it,
 * platform/calendar-source.ts): every application whose limits were provisional for want of it gets
 * them recomputed — review and payment due times and their warnings, met or not (whether they were
 * met is read from them, never stored); a counted notice end while the notice runs (once it is over, the notice as
 * held stands); the payment cycle — each with the working days it was set with. Batches of their
 * own transactions, rows another transaction holds skipped. Returns how many were settled.
 */
export async function settleProvisionalLimits(db: Db, calendar: WorkingCalendar, officeHours: OfficeHours): Promise<number> {
  let settled = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const waiting = await applicationStore.lockWaitingForCalendar(tx, calendar.knownYears(), SETTLE_BATCH);
      if (!waiting.length) return 0;
      const ids = waiting.map((a) => a.id);
      const objections = await objectionStore.byApplicationIds(tx, ids);
      const judgments = (await limitOutcomeStore.byApplicationIds(tx, ids)).filter((o) => o.pendingCalendarYear !== null);
      const recounted = waiting.map((application) => {
        const open = objections.filter((o) => o.applicationId === application.id && isOpenObjection(o));
        const settled = settledLimits(
          application,
          { calendar, officeHours },
          open.length,
          judgments.filter((o) => o.applicationId === application.id),
        );
        // The open objections' answer warnings are counted again with a notice end counted again (as settledLimits decides).
        const endsAt = settled.limits.noticeEndsAt;
        const warnings =
          endsAt && noticeProvisional(application)
            ? open.map((o) => ({ id: o.id, answerWarnAt: objectionWarnAt(calendar, officeHours, o.filedAt, endsAt) }))
            : [];
        return { ...settled, warnings };
      });
      await applicationStore.setLimits(
        tx,
        recounted.map((r) => r.limits),
      );
      await objectionStore.setWarnings(
        tx,
        recounted.flatMap((r) => r.warnings),
      );
      await limitOutcomeStore.judgeAgain(
        tx,
        recounted.flatMap((r) => r.judgedAgain),
      );
      return waiting.length;
    });
    settled += batch;
    if (batch < SETTLE_BATCH) return settled;
  }
}

/**
 * One application's limits on `calendar`, recounting only those that may have been provisional, and
 * its steps' provisional judgments judged again: each limit counted again with the working days it
 * was set with; an objection's answer against the notice's end as recomputed while the notice runs
 * (once the notice is over, as it was held). A judgment whose year is still missing waits on.
 */
function settledLimits(
  a: ApplicationRow,
  { calendar, officeHours }: { calendar: WorkingCalendar; officeHours: OfficeHours },
  openObjections: number,
  judgments: LimitOutcomeRow[],
) {
  const waitedFor = present(a.pendingCalendarYear, 'the year a waiting application waits for');
  // As the provisional count saw the calendar: counting a limit again on it gives its working days,
  // whatever the item says now.
  const before = calendar.withoutYearsFrom(waitedFor);
  // A limit whose last day is before the year waited for never reached it: it was final.
  const reached = (lastDay: string | null): lastDay is string => reachesPendingYear(waitedFor, lastDay);
  const again = (
    start: Date | null,
    due: Date | null,
    warn: Date | null,
  ): { dueAt: Date | null; warnAt: Date | null; pendingCalendarYear: number | null } => {
    const lastDay = due ? lastDayOf(due) : null;
    if (!start || !reached(lastDay)) return { dueAt: due, warnAt: warn, pendingCalendarYear: null };
    return runningDueAfter(calendar, officeHours, start, before.workingDaysBetween(start, lastDay).days);
  };
  const review = again(a.reviewClockAt, a.reviewDueAt, a.reviewWarnAt);
  const payment = again(a.approvedAt, a.paymentDueAt, a.paymentWarnAt);
  let notice = { endsOn: a.noticeEndsOn, endsAt: a.noticeEndsAt, pendingCalendarYear: null as number | null };
  const noticeStart = a.noticeStartsAt;
  const noticeEnd = a.noticeEndsOn;
  const noticeRecounted =
    a.noticePendingCalendarYear !== null && a.status === 'PUBLIC_NOTICE' && noticeStart !== null && noticeEnd !== null;
  if (noticeRecounted) {
    const counted = noticeLastDay(calendar, noticeStart, before.workingDaysBetween(noticeStart, noticeEnd).days);
    notice = { endsOn: counted.lastDay, endsAt: endOfBeijingDay(counted.lastDay), pendingCalendarYear: counted.pendingCalendarYear };
  }
  const cycle =
    a.cycleWorkingDays !== null && a.submittedAt && reached(a.paidOn)
      ? workingDaysBetween(calendar, a.submittedAt, a.paidOn)
      : { days: a.cycleWorkingDays, pendingCalendarYear: null };
  // Only provisional judgments are handed in: each has the year it waits for.
  const yearOf = (o: LimitOutcomeRow) => present(o.pendingCalendarYear, 'the year a provisional judgment waits for');
  const waiting = judgments.filter((o) => !calendar.hasYear(yearOf(o)));
  const judgedAgain = judgments
    .filter((o) => calendar.hasYear(yearOf(o)))
    .map((o) => {
      if (o.kind === 'OBJECTION_ANSWER') {
        return noticeRecounted
          ? { id: o.id, dueAt: present(notice.endsAt, 'the end of a recounted notice'), pendingCalendarYear: notice.pendingCalendarYear }
          : { id: o.id, dueAt: o.dueAt, pendingCalendarYear: null };
      }
      const days = calendar.withoutYearsFrom(yearOf(o)).workingDaysBetween(o.startsAt, lastDayOf(o.dueAt)).days;
      const due = dueAfter(calendar, o.startsAt, days);
      return { id: o.id, dueAt: due.dueAt, pendingCalendarYear: due.pendingCalendarYear };
    });
  const limits = {
    id: a.id,
    reviewDueAt: review.dueAt,
    reviewWarnAt: review.warnAt,
    paymentDueAt: payment.dueAt,
    paymentWarnAt: payment.warnAt,
    noticeEndsOn: notice.endsOn,
    noticeEndsAt: notice.endsAt,
    noticePendingCalendarYear: notice.pendingCalendarYear,
    cycleWorkingDays: cycle.days,
    pendingCalendarYear: earliestYear(
      review.pendingCalendarYear,
      payment.pendingCalendarYear,
      notice.pendingCalendarYear,
      cycle.pendingCalendarYear,
      ...judgedAgain.map((o) => o.pendingCalendarYear),
      ...waiting.map((o) => o.pendingCalendarYear),
    ),
    nextDueAt: nextDueOf(
      { status: a.status, reviewDueAt: review.dueAt, paymentDueAt: payment.dueAt, noticeEndsAt: notice.endsAt },
      openObjections,
    ),
  };
  return { limits, judgedAgain };
}

/**
 * For /ready and the start log: 'ok', or a warning naming the years applications' limits are
 * provisional for, until the command office enters them.
 */
export async function provisionalLimitsReadiness(db: Queryable): Promise<string> {
  const waiting = await applicationStore.provisionalYears(db);
  if (!waiting.length) return 'ok';
  const years = waiting.map((w) => w.year);
  const count = waiting.reduce((sum, w) => sum + w.applications, 0);
  return (
    `warning: no working-day calendar for ${years.join(', ')} — the limits of ${count} application(s) reaching it are provisional (weekends only) ` +
    `until the command office enters it (setCalendarYear) / 工作日历缺少 ${years.join('、')} 年，${count} 件申报的相关时限暂按只休周末计算`
  );
}
