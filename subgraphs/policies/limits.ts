/**
 * The time limits of an application, in working days of the platform's calendar (no I/O): review
 * from submission (restarting on resubmission, as 补正 does), payment from approval, the public
 * notice's last day, and the working days a step took. Each is counted by the kit's one way
 * (`WorkingCalendar.workingDayLimit`, platform/calendar.ts): the starting day is not counted, a
 * period ends at 24:00 of its last day, and through a year the calendar lacks the limit is
 * provisional — weekends the only days off — with the year named (`pendingCalendarYear`), so the
 * slice recomputes it when the command office enters that year (service.ts
 * `settleProvisionalLimits`).
 */
import type { WorkingCalendar } from '../../platform/calendar.ts';
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
  dueAt: Date;
  /** The calendar year the due time is provisional for; null when final. */
  pendingCalendarYear: number | null;
}

export function dueAfter(calendar: WorkingCalendar, start: Date, workingDays: number): Due {
  const limit = calendar.workingDayLimit(start, workingDays);
  return { dueAt: limit.dueAt, pendingCalendarYear: limit.provisionalYear };
}

/** The last day of a notice starting at `start` and lasting `workingDays`. */
export function noticeLastDay(calendar: WorkingCalendar, start: Date, workingDays: number): { lastDay: string; pendingCalendarYear: number | null } {
  const limit = calendar.workingDayLimit(start, workingDays);
  return { lastDay: limit.lastDay, pendingCalendarYear: limit.provisionalYear };
}

/** Working days after the day of `from`, up to and including the day of `to` (0 on the same day). */
export function workingDaysBetween(calendar: WorkingCalendar, from: Date | string, to: Date | string): { days: number; pendingCalendarYear: number | null } {
  const count = calendar.workingDaysBetween(from, to);
  return { days: count.days, pendingCalendarYear: count.provisionalYear };
}

/**
 * Whether a value counted up to `lastDay` may be provisional for the year the application waits for
 * (`pendingCalendarYear`): only one that reached that year. A limit ending before it was final.
 */
export function reachesPendingYear(pendingCalendarYear: number | null, lastDay: string | null): boolean {
  return pendingCalendarYear !== null && lastDay !== null && Number(lastDay.slice(0, 4)) >= pendingCalendarYear;
}

/** The notice end is provisional while the notice runs on a counted last day through a missing year; once over, it stands as held. */
export function noticeProvisional(application: { status: string; noticePendingCalendarYear: number | null }): boolean {
  return application.status === 'PUBLIC_NOTICE' && application.noticePendingCalendarYear !== null;
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
