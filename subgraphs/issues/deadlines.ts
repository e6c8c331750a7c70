/**
 * Time limits. Each deadline keeps its rule (office hours, working days, or a date), the unit whose
 * clock it is and the instant that clock runs from (the unit's receipt of the item, or a
 * reopening), so it can be recomputed when the command office enters or corrects the calendar.
 *
 * A deadline always has a due time. While the calendar lacks a year the limit runs through, the
 * due time is provisional — counted with weekends as the only days off — and it is recomputed,
 * open or met alike, when that year is entered.
 *
 * Lateness is never erased: a deadline that stops running unmet (the item is reassigned, returned,
 * merged, or its plan replaced) keeps its due time and the instant it is judged at; if that instant
 * is at or after the due time, the deadline was missed (LAPSED) and counts as late in every figure.
 */
import { earliestYear, endOfBeijingDay, type AssumedYears, type OfficeHours, type WorkingCalendar } from '../../platform/calendar.ts';
import type { DeadlineState } from './schema-types.ts';

/** 青诉即办 (003): contact within 2 office hours, initial feedback within 1 working day, resolution within 15. */
export const APPEAL_LIMITS = { contactOfficeHours: 2, feedbackWorkingDays: 1, resolutionWorkingDays: 15 } as const;
/** An extension can bring the resolution limit to at most this many working days in all. */
export const MAX_TOTAL_WORKING_DAYS = 30;

export interface DeadlineRule {
  startsAt: Date;
  /** Office hours of working days (the contact limit). */
  hours?: number | null;
  workingDays?: number | null;
  dueOn?: string | null;
}

export interface ComputedDue {
  dueAt: Date;
  warnAt: Date;
  /** The first year the calendar lacked, when the due time is provisional; null otherwise. */
  pendingCalendarYear: number | null;
}

export function computeDue(rule: DeadlineRule, calendar: WorkingCalendar, officeHours: OfficeHours): ComputedDue {
  const assumed: AssumedYears = new Set();
  let dueAt: Date;
  if (rule.hours) {
    dueAt = calendar.addOfficeHours(rule.startsAt, rule.hours, officeHours, assumed);
  } else if (rule.workingDays) {
    // The kit's one way to count a working-day limit, as every slice does.
    const limit = calendar.workingDayLimit(rule.startsAt, rule.workingDays);
    dueAt = limit.dueAt;
    if (limit.provisionalYear !== null) assumed.add(limit.provisionalYear);
  } else if (rule.dueOn) dueAt = endOfBeijingDay(rule.dueOn);
  else throw new Error('a deadline needs hours, working days or a date');
  // The yellow warning: 80% of the working time (office time of working days), the kit's one way.
  const warning = calendar.warningAt(
    rule.hours
      ? { startsAt: rule.startsAt, hours: rule.hours }
      : rule.workingDays
        ? { startsAt: rule.startsAt, workingDays: rule.workingDays }
        : { startsAt: rule.startsAt, dueAt },
    officeHours,
  );
  return { dueAt, warnAt: warning.warnAt, pendingCalendarYear: earliestYear(...assumed, warning.provisionalYear) };
}

export interface DeadlineFacts {
  dueAt: Date | null;
  warnAt: Date | null;
  metAt: Date | null;
  cancelledAt: Date | null;
  judgedAt?: Date | null;
}

/** Stopped unmet at or after its due time: missed, and counted as late. */
export function isLapsed(deadline: DeadlineFacts): boolean {
  return Boolean(deadline.cancelledAt && deadline.judgedAt && deadline.dueAt && deadline.judgedAt.getTime() >= deadline.dueAt.getTime());
}

/** The traffic light of one deadline at `now`. */
export function deadlineState(deadline: DeadlineFacts, now: Date): DeadlineState | null {
  if (deadline.cancelledAt) return isLapsed(deadline) ? 'LAPSED' : 'CANCELLED';
  if (!deadline.dueAt) return null;
  if (deadline.metAt) return deadline.metAt.getTime() < deadline.dueAt.getTime() ? 'MET' : 'MET_LATE';
  if (now.getTime() >= deadline.dueAt.getTime()) return 'OVERDUE';
  if (deadline.warnAt && now.getTime() >= deadline.warnAt.getTime()) return 'WARNING';
  return 'ON_TIME';
}
