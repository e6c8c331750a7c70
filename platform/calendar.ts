/**
 * China's official working-day calendar: weekends, the State Council's public holidays, and the
 * adjusted working days (调休). A year the calendar lacks is an error, never a guess: holiday
 * arrangements change every year and are only known from that year's notice.
 *
 * Time limits follow the Civil Code (arts. 201, 203): the day something starts is not counted, and
 * a period ends at 24:00 of its last day. So "N working days from receipt" ends at 24:00 of the Nth
 * working day after the day of receipt, in Beijing time.
 */
import { errors } from './errors.ts';
import { isValidDate } from './scalars.ts';

export interface CalendarYear {
  year: number;
  /** Days off that would otherwise be working days, or that fall in a holiday block. */
  off: string[];
  /** Weekend days that are working days (调休). */
  workdays: string[];
  notice?: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The Beijing calendar date of an instant, as YYYY-MM-DD. */
export function beijingDate(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00 Beijing time of a calendar date. */
export function beijingMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - BEIJING_OFFSET_MS);
}

/** 24:00 Beijing time of a date, i.e. 00:00 of the next day: the end of a period's last day. */
export function endOfBeijingDay(date: string): Date {
  return new Date(beijingMidnight(date).getTime() + DAY_MS);
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

export class CalendarYearMissing extends Error {
  constructor(readonly year: number) {
    super(`working-day calendar lacks ${year}`);
  }
}

export class WorkingCalendar {
  private readonly years = new Map<number, { off: Set<string>; workdays: Set<string> }>();

  constructor(years: Iterable<CalendarYear>) {
    for (const year of years) {
      this.years.set(year.year, { off: new Set(year.off), workdays: new Set(year.workdays) });
    }
  }


  /** Throws CalendarYearMissing for a date in a year the calendar lacks. */
  isWorkingDay(date: string): boolean {
    const year = Number(date.slice(0, 4));
    const known = this.years.get(year);
    if (!known) throw new CalendarYearMissing(year);
    if (known.workdays.has(date)) return true;
    if (known.off.has(date)) return false;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The Nth working day after `date` (the start day itself is never counted). */
  nthWorkingDayAfter(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`working days must be a positive integer, got ${n}`);
    let day = date;
    for (let counted = 0; counted < n; ) {
      day = nextDate(day);
      if (this.isWorkingDay(day)) counted++;
    }
    return day;
  }

  /** 24:00 (Beijing) of the Nth working day after the day `start` falls on. */
  dueAfterWorkingDays(start: Date, n: number): Date {
    return endOfBeijingDay(this.nthWorkingDayAfter(beijingDate(start), n));
  }

  /** As `dueAfterWorkingDays`, but a missing year becomes the API's coded error. */
  dueAfterWorkingDaysOrError(start: Date, n: number): Date {
    try {
      return this.dueAfterWorkingDays(start, n);
    } catch (error) {
      if (error instanceof CalendarYearMissing) throw errors.calendarYearMissing(error.year);
      throw error;
    }
  }
}

/** Checks one year's data before it goes into the calendar; returns a problem or null. */
export function calendarYearProblem(year: CalendarYear): { field: string; zh: string; en: string } | null {
  if (!Number.isInteger(year.year) || year.year < 2000 || year.year > 2100) {
    return { field: 'year', zh: '年份应在 2000–2100 之间', en: 'The year must be between 2000 and 2100' };
  }
  for (const [field, dates] of [['off', year.off], ['workdays', year.workdays]] as const) {
    for (const date of dates) {
      if (!isValidDate(date) || !date.startsWith(`${year.year}-`)) {
        return { field, zh: `${date} 不是 ${year.year} 年的有效日期`, en: `${date} is not a valid date in ${year.year}` };
      }
    }
  }
  for (const date of year.workdays) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) {
      return { field: 'workdays', zh: `调休上班日 ${date} 不是周末`, en: `Adjusted working day ${date} is not a weekend day` };
    }
    if (year.off.includes(date)) {
      return { field: 'workdays', zh: `${date} 同时被列为休息日和上班日`, en: `${date} is listed both as a day off and as a working day` };
    }
  }
  return null;
}
