/**
 * A period as callers give it (two Beijing dates, both days counted) and as every slice counts it
 * (two instants). One reading for every slice's figures and lists.
 */
import { beijingMidnight, endOfBeijingDay } from './calendar.ts';
import { errors } from './errors.ts';

/** A period's dates, as the SDL's `PeriodInput` has them (`YYYY-MM-DD`, Beijing). */
export interface PeriodInput {
  from: string;
  to: string;
}

/** A period as instants: 00:00 Beijing time of the first day, and 24:00 Beijing time of the last day (exclusive). */
export interface Period {
  from: Date;
  to: Date;
}

/** The period a caller asked for; null when none (all time). BAD_USER_INPUT on `period` when it ends before it starts. */
export function period(input: PeriodInput | null | undefined): Period | null {
  if (!input) return null;
  if (input.from > input.to) throw errors.badInput('period', { zh: '期间的开始日期晚于结束日期', en: 'The period starts after it ends' });
  return { from: beijingMidnight(input.from), to: endOfBeijingDay(input.to) };
}
