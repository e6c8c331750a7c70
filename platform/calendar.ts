/**
 * China's official working-day calendar: weekends, the State Council's public holidays, and the
 * adjusted working days (调休). A year the calendar lacks is never silently guessed: holiday
 * arrangements change every year and are only known from that year's notice (published in November
 * or December for the next year). A limit always has a due time, though — the platform must keep
 * working on 1 January whether or not the command office has entered the year — so every slice
 * counts its working-day limits with `workingDayLimit`, which answers a provisional limit through a
 * missing year (weekends the only days off) and names that year; the slice marks the limit
 * provisional and recomputes it when the year is entered.
 *
 * Time limits follow the Civil Code (arts. 201, 203): the day something starts is not counted, and
 * a period ends at 24:00 of its last day. So "N working days from receipt" ends at 24:00 of the Nth
 * working day after the day of receipt, in Beijing time.
 */
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
const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
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

/** The half year an instant falls in, in Beijing time: `2026-H2`. */
export function halfYearOf(instant: Date): string {
  const date = beijingDate(instant);
  return `${date.slice(0, 4)}-H${Number(date.slice(5, 7)) <= 6 ? 1 : 2}`;
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the month `months` after a date's month. */
function firstOfMonthAfter(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
}

/**
 * Where a period's figures kept per day and per month are read (a slice keeps both): the whole
 * months from the monthly rows, the days before the first and after the last whole month from the
 * daily rows — a year is 12 rows per key. Ranges are [from, until), dates as YYYY-MM-DD.
 */
export function keptRanges(days: { from: string; to: string }): {
  months: { from: string; until: string } | null;
  days: { from: string; until: string }[];
} {
  const end = nextDate(days.to);
  const firstWhole = days.from.endsWith('-01') ? days.from : firstOfMonthAfter(days.from, 1);
  const lastWholeEnd = end.endsWith('-01') ? end : `${days.to.slice(0, 8)}01`;
  if (firstWhole >= lastWholeEnd) return { months: null, days: [{ from: days.from, until: end }] };
  const edges = [
    { from: days.from, until: firstWhole },
    { from: lastWholeEnd, until: end },
  ].filter((range) => range.from < range.until);
  return { months: { from: firstWhole, until: lastWholeEnd }, days: edges };
}

/** Office hours of a working day, as blocks of minutes after midnight (Beijing), in order. */
export interface OfficeHours {
  blocks: { start: number; end: number }[];
}

/** Government offices' usual day: 08:30–12:00 and 13:30–17:30 (configurable: OFFICE_HOURS). */
export const DEFAULT_OFFICE_HOURS = '08:30-12:00,13:30-17:30';

/** `08:30-12:00,13:30-17:30` → blocks; null when the text is not ordered, non-overlapping HH:MM-HH:MM blocks. */
export function parseOfficeHours(text: string): OfficeHours | null {
  const blocks: OfficeHours['blocks'] = [];
  for (const part of text.split(',')) {
    const match = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*$/.exec(part);
    if (!match) return null;
    const start = Number(match[1]) * 60 + Number(match[2]);
    const end = Number(match[3]) * 60 + Number(match[4]);
    if (end <= start || end > 24 * 60 || start < (blocks.at(-1)?.end ?? -1)) return null;
    blocks.push({ start, end });
  }
  return blocks.length ? { blocks } : null;
}

export class CalendarYearMissing extends Error {
  constructor(readonly year: number) {
    super(`working-day calendar lacks ${year}`);
  }
}

/**
 * Where a calendar lacking a year may assume weekends only: every year assumed is added here. Without
 * one, a missing year throws CalendarYearMissing.
 */
export type AssumedYears = Set<number>;

const isWeekday = (date: string) => {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
};

export class WorkingCalendar {
  private readonly years = new Map<number, { off: Set<string>; workdays: Set<string> }>();

  constructor(years: Iterable<CalendarYear>) {
    for (const year of years) {
      this.years.set(year.year, { off: new Set(year.off), workdays: new Set(year.workdays) });
    }
  }

  hasYear(year: number): boolean {
    return this.years.has(year);
  }

  /** The years it holds, in order. */
  knownYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  /**
   * This calendar as a provisional count saw it, every year from `year` on not yet entered: counting
   * a provisional limit's days again on it gives back the working days it was set with.
   */
  withoutYearsFrom(year: number): WorkingCalendar {
    const kept = new WorkingCalendar([]);
    for (const [known, days] of this.years) if (known < year) kept.years.set(known, days);
    return kept;
  }

  /** Throws CalendarYearMissing for a date in a year the calendar lacks, unless `assumed` is given. */
  isWorkingDay(date: string, assumed?: AssumedYears): boolean {
    const year = Number(date.slice(0, 4));
    const known = this.years.get(year);
    if (!known) {
      if (!assumed) throw new CalendarYearMissing(year);
      assumed.add(year);
      return isWeekday(date);
    }
    if (known.workdays.has(date)) return true;
    if (known.off.has(date)) return false;
    return isWeekday(date);
  }

  /** The Nth working day after `date` (the start day itself is never counted). */
  nthWorkingDayAfter(date: string, n: number, assumed?: AssumedYears): string {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`working days must be a positive integer, got ${n}`);
    let day = date;
    for (let counted = 0; counted < n;) {
      day = nextDate(day);
      if (this.isWorkingDay(day, assumed)) counted++;
    }
    return day;
  }

  /** 24:00 (Beijing) of the Nth working day after the day `start` falls on. */
  dueAfterWorkingDays(start: Date, n: number, assumed?: AssumedYears): Date {
    return endOfBeijingDay(this.nthWorkingDayAfter(beijingDate(start), n, assumed));
  }

  /**
   * The instant `hours` of office time have passed since `start`, counting only the office hours of
   * working days: received on Saturday at 22:00, two hours run out on Monday at 10:30 (office
   * hours 08:30–12:00, 13:30–17:30).
   */
  addOfficeHours(start: Date, hours: number, officeHours: OfficeHours, assumed?: AssumedYears): Date {
    if (!(hours > 0)) throw new RangeError(`office hours must be positive, got ${hours}`);
    let remaining = Math.round(hours * HOUR_MS);
    let day = beijingDate(start);
    let cursor = start.getTime() - beijingMidnight(day).getTime();
    // A year has at most ~250 working days; no office-time limit here runs for years.
    for (let guard = 0; guard < 3_700; guard++) {
      if (this.isWorkingDay(day, assumed)) {
        const midnight = beijingMidnight(day).getTime();
        for (const block of officeHours.blocks) {
          const from = Math.max(block.start * MINUTE_MS, cursor);
          const until = block.end * MINUTE_MS;
          if (from >= until) continue;
          if (remaining <= until - from) return new Date(midnight + from + remaining);
          remaining -= until - from;
        }
      }
      day = nextDate(day);
      cursor = 0;
    }
    throw new RangeError('office hours never add up: no working day for ten years');
  }

  /**
   * The office time of working days between two instants, in milliseconds (0 when `to` is not after
   * `from`).
   */
  officeTimeBetween(from: Date, to: Date, officeHours: OfficeHours, assumed?: AssumedYears): number {
    let total = 0;
    for (let day = beijingDate(from); beijingMidnight(day).getTime() < to.getTime(); day = nextDate(day)) {
      if (!this.isWorkingDay(day, assumed)) continue;
      const midnight = beijingMidnight(day).getTime();
      for (const block of officeHours.blocks) {
        const start = Math.max(midnight + block.start * MINUTE_MS, from.getTime());
        const end = Math.min(midnight + block.end * MINUTE_MS, to.getTime());
        if (end > start) total += end - start;
      }
    }
    return total;
  }

  /**
   * The instant the yellow warning of a limit starts: when `WARNING_SHARE` of its working time has
   * elapsed — the one way every slice that warns computes it. Working time is the office time of
   * working days, so a warning never falls at night, on a weekend or on a holiday:
   * - an office-hour limit (`hours`): that share of its office hours;
   * - a working-day limit (`workingDays`): that share of the office hours of its N working days,
   *   counted as the limit is (the start day not counted): 80% of 15 working days is the close of
   *   the 12th, 80% of one is 16:00 of it (office hours 08:30–12:00, 13:30–17:30);
   * - a limit ending at a given instant (`dueAt`, e.g. a milestone's date): that share of the office
   *   time between its start and its end (at its start when there is none).
   * Through a year the calendar lacks, weekends are the only days off and `provisionalYear` names
   * the first such year, as `workingDayLimit` does: the slice recomputes the warning with the limit.
   */
  warningAt(limit: WarnedLimit, officeHours: OfficeHours): Warning {
    const assumed: AssumedYears = new Set();
    let warnAt: Date;
    if ('hours' in limit) {
      warnAt = this.addOfficeHours(limit.startsAt, limit.hours * WARNING_SHARE, officeHours, assumed);
    } else if ('workingDays' in limit) {
      const firstDay = beijingMidnight(nextDate(beijingDate(limit.startsAt)));
      warnAt = this.addOfficeHours(
        firstDay,
        (limit.workingDays * officeDayMs(officeHours) * WARNING_SHARE) / HOUR_MS,
        officeHours,
        assumed,
      );
    } else {
      const span = this.officeTimeBetween(limit.startsAt, limit.dueAt, officeHours, assumed);
      warnAt = span > 0 ? this.addOfficeHours(limit.startsAt, (span * WARNING_SHARE) / HOUR_MS, officeHours, assumed) : limit.startsAt;
    }
    return { warnAt, provisionalYear: earliestYear(...assumed) };
  }

  /**
   * A limit of `workingDays` working days from `start`, as every slice counts one: its last day (the
   * Nth working day after the start day) and its due time (24:00 of that day). It never refuses: in
   * a year the calendar lacks, weekends are taken as the only days off, and `provisionalYear` names
   * the first such year, so the slice can recompute the limit when the command office enters it.
   */
  workingDayLimit(start: Date | string, workingDays: number): WorkingDayLimit {
    const assumed: AssumedYears = new Set();
    const lastDay = this.nthWorkingDayAfter(typeof start === 'string' ? start : beijingDate(start), workingDays, assumed);
    return { lastDay, dueAt: endOfBeijingDay(lastDay), provisionalYear: earliestYear(...assumed) };
  }

  /**
   * A working-day limit with its yellow warning, as every slice that keeps one stores it:
   * `workingDayLimit`'s due time and `warningAt`'s warning, provisional for the earliest year either
   * assumed.
   */
  warnedWorkingDayLimit(startsAt: Date, workingDays: number, officeHours: OfficeHours): WarnedWorkingDayLimit {
    const limit = this.workingDayLimit(startsAt, workingDays);
    const warning = this.warningAt({ startsAt, workingDays }, officeHours);
    return { ...limit, warnAt: warning.warnAt, provisionalYear: earliestYear(limit.provisionalYear, warning.provisionalYear) };
  }

  /**
   * The working days after the day of `from` up to and including the day of `to` (0 on the same day
   * or before it), provisional through a missing year the same way as `workingDayLimit`.
   */
  workingDaysBetween(from: Date | string, to: Date | string): WorkingDayCount {
    const first = typeof from === 'string' ? from : beijingDate(from);
    const last = typeof to === 'string' ? to : beijingDate(to);
    const assumed: AssumedYears = new Set();
    let days = 0;
    for (let day = nextDate(first); day <= last; day = nextDate(day)) if (this.isWorkingDay(day, assumed)) days++;
    return { days, provisionalYear: earliestYear(...assumed) };
  }
}

/** The yellow warning starts when this share of a limit's working time has elapsed (`WorkingCalendar.warningAt`). */
const WARNING_SHARE = 0.8;

/** A limit as `WorkingCalendar.warningAt` reads it: office hours, working days, or an end instant, from its start. */
export type WarnedLimit = { startsAt: Date; hours: number } | { startsAt: Date; workingDays: number } | { startsAt: Date; dueAt: Date };

/** When a limit's yellow warning starts (`WorkingCalendar.warningAt`). */
export interface Warning {
  warnAt: Date;
  /** As in `WorkingDayLimit`. */
  provisionalYear: number | null;
}

/** The office time of one working day, in milliseconds. */
function officeDayMs(officeHours: OfficeHours): number {
  return officeHours.blocks.reduce((sum, block) => sum + (block.end - block.start) * MINUTE_MS, 0);
}

/** A limit counted in working days (`WorkingCalendar.workingDayLimit`). */
export interface WorkingDayLimit {
  /** The Nth working day after the start day (Beijing), YYYY-MM-DD. */
  lastDay: string;
  /** 24:00 (Beijing) of the last day. */
  dueAt: Date;
  /** The first year the calendar lacked, counted with weekends as its only days off; null when final. */
  provisionalYear: number | null;
}

/** A working-day limit and its warning (`WorkingCalendar.warnedWorkingDayLimit`). */
export interface WarnedWorkingDayLimit extends WorkingDayLimit {
  warnAt: Date;
}

/** Working days between two days (`WorkingCalendar.workingDaysBetween`). */
export interface WorkingDayCount {
  days: number;
  /** As in `WorkingDayLimit`. */
  provisionalYear: number | null;
}

/** The earliest of the years given (nulls ignored), or null: the year a row's provisional limits wait for. */
export function earliestYear(...years: (number | null | undefined)[]): number | null {
  const known = years.filter((year): year is number => typeof year === 'number');
  return known.length ? Math.min(...known) : null;
}

/** Checks one year's data before it goes into the calendar; returns a problem or null. */
export function calendarYearProblem(year: CalendarYear): { field: string; zh: string; en: string } | null {
  if (!Number.isInteger(year.year) || year.year < 2000 || year.year > 2100) {
    return { field: 'year', zh: '年份应在 2000–2100 之间', en: 'The year must be between 2000 and 2100' };
  }
  for (const [field, dates] of [
    ['off', year.off],
    ['workdays', year.workdays],
  ] as const) {
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
