/**
 * The time limits of a bad review (不满意 or worse), in working days of the platform's calendar (no
 * I/O), after the national 好差评 rules (国办发〔2019〕51号): the reviewed unit verifies and answers
 * within 1 working day, and rectifies within 15 working days of the review. Counting follows
 * platform/calendar.ts, by the kit's one way (`WorkingCalendar.workingDayLimit`): the day of the
 * review is not counted, a period ends at 24:00 of its last day, and through a year the calendar
 * lacks a limit is provisional — weekends the only days off — with the year named
 * (`pendingCalendarYear`); the slice recomputes it, and judges again whether an answer or a
 * rectification was late, when the command office enters the year (provisional-limits.ts
 * `settleProvisionalReviewLimits`).
 *
 * Abuse limits of submitting, as every write the public may make is limited (platform/write-limits.ts:
 * counted in the database under a lock per reviewer, so they hold across replicas): at most
 * REVIEWS_PER_UNIT_PER_DAY reviews of one unit per reviewer per Beijing day, and REVIEWS_PER_HOUR
 * reviews per reviewer in any hour. A reviewer is the signed-in person, or, for the public, the
 * caller's real network address.
 */
import { earliestYear, type OfficeHours, type WorkingCalendar } from '../../platform/calendar.ts';
import type { WriteLimit } from '../../platform/write-limits.ts';

export const ANSWER_WORKING_DAYS = 1;
export const RECTIFY_WORKING_DAYS = 15;
export const REVIEWS_PER_UNIT_PER_DAY = 3;
export const REVIEWS_PER_HOUR = 10;
export const REVIEW_LIMIT: WriteLimit = {
  perTargetPerDay: REVIEWS_PER_UNIT_PER_DAY,
  perHour: REVIEWS_PER_HOUR,
  writes: { zh: '评价', en: 'reviews' },
  target: { zh: '同一单位', en: 'one unit' },
};

/** Answers to one public survey: as many a day per writer as reviews of one unit, and within the same hourly limit. */
export const SURVEY_LIMIT: WriteLimit = {
  perTargetPerDay: REVIEWS_PER_UNIT_PER_DAY,
  perHour: REVIEWS_PER_HOUR,
  writes: { zh: '答卷', en: 'answer sheets' },
  target: { zh: '同一问卷', en: 'one survey' },
};

export const BAD_LEVELS = ['UNSATISFIED', 'VERY_UNSATISFIED'] as const;
export const SATISFIED_LEVELS = ['VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED'] as const;
export const LEVEL_SCORES = { VERY_SATISFIED: 5, SATISFIED: 4, BASICALLY_SATISFIED: 3, UNSATISFIED: 2, VERY_UNSATISFIED: 1 } as const;
export type ReviewLevel = keyof typeof LEVEL_SCORES;

export const isBad = (level: ReviewLevel) => (BAD_LEVELS as readonly string[]).includes(level);

export interface ReviewDues {
  answerDueAt: Date | null;
  rectifyDueAt: Date | null;
  /** When each limit's yellow warning starts: 80% of its working time, in office hours (`WorkingCalendar.warningAt`). */
  answerWarnAt: Date | null;
  rectifyWarnAt: Date | null;
  pendingCalendarYear: number | null;
}

/** A bad review's limits and their warnings, from the review; none for another. */
export function reviewDues(calendar: WorkingCalendar, officeHours: OfficeHours, reviewedAt: Date, level: ReviewLevel): ReviewDues {
  if (!isBad(level)) return { answerDueAt: null, rectifyDueAt: null, answerWarnAt: null, rectifyWarnAt: null, pendingCalendarYear: null };
  const answer = calendar.warnedWorkingDayLimit(reviewedAt, ANSWER_WORKING_DAYS, officeHours);
  const rectify = calendar.warnedWorkingDayLimit(reviewedAt, RECTIFY_WORKING_DAYS, officeHours);
  return {
    answerDueAt: answer.dueAt,
    rectifyDueAt: rectify.dueAt,
    answerWarnAt: answer.warnAt,
    rectifyWarnAt: rectify.warnAt,
    pendingCalendarYear: earliestYear(answer.provisionalYear, rectify.provisionalYear),
  };
}
