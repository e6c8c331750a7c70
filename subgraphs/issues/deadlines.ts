/**
 * Time limits. Each deadline keeps its rule (hours, working days, or a date) and the instant its
 * clock runs from, so it can be recomputed when the command office corrects the calendar.
 */
import { CalendarYearMissing, endOfBeijingDay, type WorkingCalendar } from '../../platform/calendar.ts';

/** 青诉即办: contact within 2 hours, initial feedback within 1 working day, resolution within 15. */
export const APPEAL_LIMITS = { contactHours: 2, feedbackWorkingDays: 1, resolutionWorkingDays: 15 } as const;
/** An extension can bring the resolution limit to at most this many working days in all. */
export const MAX_TOTAL_WORKING_DAYS = 30;
/** The yellow warning starts when this share of the allowed time has passed. */
export const WARNING_SHARE = 0.8;

export type DeadlineStage = 'CONTACT' | 'FEEDBACK' | 'RESOLUTION' | 'MILESTONE';
export type DeadlineState = 'ON_TIME' | 'WARNING' | 'OVERDUE' | 'MET' | 'MET_LATE' | 'CANCELLED';

export interface DeadlineRule {
  startsAt: Date;
  hours?: number | null;
  workingDays?: number | null;
  dueOn?: string | null;
}

export interface ComputedDue {
  dueAt: Date | null;
  warnAt: Date | null;
  pendingCalendarYear: number | null;
}

export function computeDue(rule: DeadlineRule, calendar: WorkingCalendar): ComputedDue {
  let dueAt: Date;
  try {
    if (rule.hours) dueAt = new Date(rule.startsAt.getTime() + rule.hours * 3_600_000);
    else if (rule.workingDays) dueAt = calendar.dueAfterWorkingDays(rule.startsAt, rule.workingDays);
    else if (rule.dueOn) dueAt = endOfBeijingDay(rule.dueOn);
    else throw new Error('a deadline needs hours, working days or a date');
  } catch (error) {
    if (error instanceof CalendarYearMissing) return { dueAt: null, warnAt: null, pendingCalendarYear: error.year };
    throw error;
  }
  const span = Math.max(0, dueAt.getTime() - rule.startsAt.getTime());
  return { dueAt, warnAt: new Date(rule.startsAt.getTime() + Math.floor(span * WARNING_SHARE)), pendingCalendarYear: null };
}

export interface DeadlineFacts {
  dueAt: Date | null;
  warnAt: Date | null;
  metAt: Date | null;
  cancelledAt: Date | null;
}

/** The traffic light of one deadline at `now`; null while its due time is unknown. */
export function deadlineState(deadline: DeadlineFacts, now: Date): DeadlineState | null {
  if (deadline.cancelledAt) return 'CANCELLED';
  if (!deadline.dueAt) return null;
  if (deadline.metAt) return deadline.metAt.getTime() < deadline.dueAt.getTime() ? 'MET' : 'MET_LATE';
  if (now.getTime() >= deadline.dueAt.getTime()) return 'OVERDUE';
  if (deadline.warnAt && now.getTime() >= deadline.warnAt.getTime()) return 'WARNING';
  return 'ON_TIME';
}
