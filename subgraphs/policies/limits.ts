/**
 * The time limits of an application, in working days of the platform's calendar (no I/O): review
 * from submission (restarting on resubmission, as 补正 does), payment from approval, the public
 * notice's last day, and the working days a step took. Counting follows platform/calendar.ts: the
 * starting day is not counted, a period ends at 24:00 of its last day. A year the calendar lacks is
 * never guessed: the limit waits for it (`pendingCalendarYear`).
 */
import { beijingDate, CalendarYearMissing, type WorkingCalendar } from '../../platform/calendar.ts';
import type { WriteLimit } from '../../platform/write-limits.ts';

/**
 * The abuse limits of objections, which anyone may file without signing in — as every write of the
 * public is limited (platform/write-limits.ts: counted in the database under a lock per writer, so
 * they hold across replicas): at most 3 objections to one notice per writer per Beijing day, and 10
 * per writer in any hour. A writer is the signed-in person, or the real client address.
 */
export const OBJECTION_LIMIT: WriteLimit = {
  perTargetPerDay: 3,
  perHour: 10,
  writes: { zh: '异议', en: 'objections' },
  target: { zh: '同一公示', en: 'one notice' },
};

export interface Due {
  dueAt: Date | null;
  /** The first year the calendar lacks, when dueAt could not be computed. */
  pendingCalendarYear: number | null;
}

export function dueAfter(calendar: WorkingCalendar, start: Date, workingDays: number): Due {
  try {
    return { dueAt: calendar.dueAfterWorkingDays(start, workingDays), pendingCalendarYear: null };
  } catch (error) {
    if (error instanceof CalendarYearMissing) return { dueAt: null, pendingCalendarYear: error.year };
    throw error;
  }
}

/** The last day of a notice starting at `start` and lasting `workingDays`; null while a year is missing. */
export function noticeLastDay(calendar: WorkingCalendar, start: Date, workingDays: number): string | { pendingCalendarYear: number } {
  try {
    return calendar.nthWorkingDayAfter(beijingDate(start), workingDays);
  } catch (error) {
    if (error instanceof CalendarYearMissing) return { pendingCalendarYear: error.year };
    throw error;
  }
}

/** Working days after the day of `from`, up to and including the day of `to` (0 on the same day). */
export function workingDaysBetween(calendar: WorkingCalendar, from: Date | string, to: Date | string): number | null {
  const first = typeof from === 'string' ? from : beijingDate(from);
  const last = typeof to === 'string' ? to : beijingDate(to);
  if (last <= first) return 0;
  let count = 0;
  try {
    for (let day = nextDay(first); day <= last; day = nextDay(day)) if (calendar.isWorkingDay(day)) count++;
  } catch (error) {
    if (error instanceof CalendarYearMissing) return null;
    throw error;
  }
  return count;
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The limit running now: the review while the reviewing unit has the application, the payment
 * once approved, and during the notice also the answer to any open objection (due when the notice
 * ends). Nothing runs while the application waits for the enterprise, or once it is over.
 */
export function nextDueOf(
  application: { status: string; reviewDueAt: Date | null; paymentDueAt: Date | null; noticeEndsAt: Date | null },
  openObjections: number,
): Date | null {
  switch (application.status) {
    case 'SUBMITTED':
    case 'RESUBMITTED':
    case 'UNDER_REVIEW':
      return application.reviewDueAt;
    case 'APPROVED':
      return application.paymentDueAt;
    case 'PUBLIC_NOTICE': {
      const dues = [application.paymentDueAt, openObjections > 0 ? application.noticeEndsAt : null].filter((d): d is Date => d !== null);
      return dues.sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    }
    default:
      return null;
  }
}
