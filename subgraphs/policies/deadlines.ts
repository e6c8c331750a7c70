/**
 * The time limits of an application, in working days of the platform's calendar (no I/O): review
 * from submission (restarting on resubmission, as 补正 does), payment from approval, the public
 * notice's last day, and the working days a step took. Each is counted by the kit's one way
 * (`WorkingCalendar.workingDayLimit`, platform/calendar.ts): the starting day is not counted, a
 * period ends at 24:00 of its last day, and through a year the calendar lacks the limit is
 * provisional — weekends the only days off — with the year named (`pendingCalendarYear`), so the
 * slice recomputes it when the command office enters that year (settling.ts
 * `settleProvisionalLimits`).
 *
 * Each limit a step ends — the review at a decision or a return, the payment when paid or stopped,
 * an objection's answer — is judged at that step (`JudgedLimit`) and kept as evidence
 * (`policies.limit_outcomes`); a judgment on a provisional due time is judged again when its year
 * is entered.
 */
import { beijingDate, endOfBeijingDay, type OfficeHours, type WorkingCalendar } from '../../platform/calendar.ts';
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

/** A running limit: its due time and when its yellow warning starts. */
export interface RunningDue extends Due {
  /** 80% of its working time, in office hours of working days (`WorkingCalendar.warningAt`, the kit's one way). */
  warnAt: Date;
}

/** A limit of `workingDays` from `start` with its warning (the kit's `warnedWorkingDayLimit`). */
export function runningDueAfter(calendar: WorkingCalendar, officeHours: OfficeHours, start: Date, workingDays: number): RunningDue {
  const limit = calendar.warnedWorkingDayLimit(start, workingDays, officeHours);
  return { dueAt: limit.dueAt, warnAt: limit.warnAt, pendingCalendarYear: limit.provisionalYear };
}

/**
 * When the answer to an objection filed at `filedAt` reaches its warning: 80% of the office time of
 * working days from the filing to its due time, the end of the notice (`WorkingCalendar.warningAt`).
 */
export const objectionWarnAt = (calendar: WorkingCalendar, officeHours: OfficeHours, filedAt: Date, noticeEndsAt: Date): Date =>
  calendar.warningAt({ startsAt: filedAt, dueAt: noticeEndsAt }, officeHours).warnAt;

/** The last day of a notice starting at `start` and lasting `workingDays`. */
export function noticeLastDay(
  calendar: WorkingCalendar,
  start: Date,
  workingDays: number,
): { lastDay: string; pendingCalendarYear: number | null } {
  const limit = calendar.workingDayLimit(start, workingDays);
  return { lastDay: limit.lastDay, pendingCalendarYear: limit.provisionalYear };
}

/** Working days after the day of `from`, up to and including the day of `to` (0 on the same day). */
export function workingDaysBetween(
  calendar: WorkingCalendar,
  from: Date | string,
  to: Date | string,
): { days: number; pendingCalendarYear: number | null } {
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

export type LimitKind = 'REVIEW' | 'PAYMENT' | 'OBJECTION_ANSWER';

/** A limit a step ended, judged at that step: late when judged after its due time (the database says so too). */
export interface JudgedLimit {
  kind: LimitKind;
  startsAt: Date;
  dueAt: Date;
  /** The step's instant; for a payment, 24:00 of the day paid. */
  judgedAt: Date;
  /** The calendar year the due time is provisional for; null when final. */
  pendingCalendarYear: number | null;
  objectionId?: string | null;
}

export const isLate = (limit: { judgedAt: Date; dueAt: Date }) => limit.judgedAt.getTime() > limit.dueAt.getTime();

type LimitFacts = {
  reviewClockAt: Date | null;
  reviewDueAt: Date | null;
  approvedAt: Date | null;
  paymentDueAt: Date | null;
  noticeStartsAt: Date | null;
  noticeEndsAt: Date | null;
  pendingCalendarYear: number | null;
  noticePendingCalendarYear: number | null;
};

/** The last day (Beijing) of a limit due at 24:00 of it. */
export const lastDayOf = (due: Date): string => beijingDate(new Date(due.getTime() - 1));

/** The year a due time is provisional for: the application's, when the limit reached it (as `reachesPendingYear`). */
const provisionalFor = (pendingCalendarYear: number | null, due: Date) =>
  reachesPendingYear(pendingCalendarYear, lastDayOf(due)) ? pendingCalendarYear : null;

/** The review limit ended at `at`: decided, or stopped by a return for materials (the resubmission starts a new one). */
export function reviewEnded(a: LimitFacts, at: Date): JudgedLimit[] {
  if (!a.reviewClockAt || !a.reviewDueAt) return [];
  return [
    {
      kind: 'REVIEW',
      startsAt: a.reviewClockAt,
      dueAt: a.reviewDueAt,
      judgedAt: at,
      pendingCalendarYear: provisionalFor(a.pendingCalendarYear, a.reviewDueAt),
    },
  ];
}

/** The payment limit ended: paid (judged by the day paid: on its last day is on time), or stopped at `at` by an upheld objection. */
export function paymentEnded(a: LimitFacts, ended: { paidOn: string } | { at: Date }): JudgedLimit[] {
  if (!a.approvedAt || !a.paymentDueAt) return [];
  const judgedAt = 'paidOn' in ended ? endOfBeijingDay(ended.paidOn) : ended.at;
  return [
    {
      kind: 'PAYMENT',
      startsAt: a.approvedAt,
      dueAt: a.paymentDueAt,
      judgedAt,
      pendingCalendarYear: provisionalFor(a.pendingCalendarYear, a.paymentDueAt),
    },
  ];
}

/** An objection answered at `at`: due when the notice ends (provisional with the notice's end). */
export function objectionAnswered(a: LimitFacts, objectionId: string, at: Date): JudgedLimit[] {
  if (!a.noticeStartsAt || !a.noticeEndsAt) return [];
  return [
    {
      kind: 'OBJECTION_ANSWER',
      objectionId,
      startsAt: a.noticeStartsAt,
      dueAt: a.noticeEndsAt,
      judgedAt: at,
      pendingCalendarYear: a.noticePendingCalendarYear,
    },
  ];
}
