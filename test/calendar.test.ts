import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../platform/env.ts';
import holidays from '../db/reference/holidays.json' with { type: 'json' };
import {
  beijingDate,
  calendarYearProblem,
  CalendarYearMissing,
  DEFAULT_OFFICE_HOURS,
  parseOfficeHours,
  WorkingCalendar,
} from '../platform/calendar.ts';
import { formatBeijing } from '../platform/scalars.ts';

const calendar = new WorkingCalendar(
  Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })),
);
const due = (received: string, days: number) => formatBeijing(calendar.dueAfterWorkingDays(new Date(received), days));

describe('the working-day calendar', () => {
  it('treats the National Day block as days off and its adjusted Saturday and Sunday as working days', () => {
    expect(calendar.isWorkingDay('2023-09-29')).toBe(false); // Friday, 中秋
    expect(calendar.isWorkingDay('2023-10-02')).toBe(false); // Monday, 国庆
    expect(calendar.isWorkingDay('2023-10-07')).toBe(true); // Saturday, 调休
    expect(calendar.isWorkingDay('2023-10-08')).toBe(true); // Sunday, 调休
    expect(calendar.isWorkingDay('2023-10-14')).toBe(false); // an ordinary Saturday
    expect(calendar.isWorkingDay('2023-10-09')).toBe(true);
  });

  it('ends one working day after a Thursday before the holiday at 24:00 of the adjusted Saturday', () => {
    expect(due('2023-09-28T10:00:00+08:00', 1)).toBe('2023-10-08T00:00:00+08:00');
  });

  it('counts fifteen working days across the holiday, the adjusted days included', () => {
    // 10-07, 10-08, 10-09 … 10-13, 10-16 … 10-20, 10-23, 10-24, 10-25 → the 15th is Wednesday 10-25.
    expect(due('2023-09-28T10:00:00+08:00', 15)).toBe('2023-10-26T00:00:00+08:00');
  });

  it('does not count the day of receipt, even when received just after midnight', () => {
    expect(due('2023-10-09T00:05:00+08:00', 1)).toBe('2023-10-11T00:00:00+08:00');
    // 23:30 UTC on the 8th is already the 9th in Beijing.
    expect(beijingDate(new Date('2023-10-08T23:30:00Z'))).toBe('2023-10-09');
  });

  it('starts from the next working day when received on a day off', () => {
    expect(due('2023-10-01T09:00:00+08:00', 1)).toBe('2023-10-08T00:00:00+08:00');
  });

  it('crosses from one year into the next when both years are known', () => {
    // 2023-12-29 (Fri): 2024-01-01 is off, so the first working day after is 2024-01-02.
    expect(due('2023-12-29T15:00:00+08:00', 1)).toBe('2024-01-03T00:00:00+08:00');
  });

  it('refuses to guess a year it does not have when asked for a plain answer', () => {
    expect(() => calendar.dueAfterWorkingDays(new Date('2026-12-30T10:00:00+08:00'), 5)).toThrow(CalendarYearMissing);
    expect(() => calendar.isWorkingDay('2027-03-02')).toThrow(CalendarYearMissing);
  });

  it('ships 2026 from the State Council notice of 2025-11-04: Spring Festival off, its Saturdays worked', () => {
    expect(calendar.isWorkingDay('2026-02-17')).toBe(false); // 春节
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true); // Saturday, 调休
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休
    expect(due('2026-11-23T10:00:00+08:00', 15)).toBe('2026-12-15T00:00:00+08:00');
  });

  it('gives a provisional answer for a missing year only when asked, counting weekends alone and naming the year', () => {
    const assumed = new Set<number>();
    // 2026-12-30 (Wed): 12-31, then 2027-01-01 (Fri, a holiday in any real year, but not known yet), 01-04, 01-05, 01-06.
    expect(formatBeijing(calendar.dueAfterWorkingDays(new Date('2026-12-30T10:00:00+08:00'), 5, assumed))).toBe(
      '2027-01-07T00:00:00+08:00',
    );
    expect([...assumed]).toEqual([2027]);
  });
});

describe('a working-day limit, as every slice counts one', () => {
  it('is final inside the years the calendar has: its last day, and 24:00 of it as its due time', () => {
    const limit = calendar.workingDayLimit(new Date('2023-09-28T10:00:00+08:00'), 15);
    expect(limit).toEqual({ lastDay: '2023-10-25', dueAt: new Date('2023-10-26T00:00:00+08:00'), provisionalYear: null });
    expect(calendar.workingDayLimit('2023-09-28', 1)).toMatchObject({ lastDay: '2023-10-07', provisionalYear: null });
  });

  it('never refuses a year the calendar lacks: weekends are the only days off there, and the year is named', () => {
    // From Monday 2026-12-28: 29, 30, 31, then 2027-01-01 (a Friday, counted: the notice is not known).
    const limit = calendar.workingDayLimit(new Date('2026-12-28T10:00:00+08:00'), 5);
    expect(limit).toEqual({ lastDay: '2027-01-04', dueAt: new Date('2027-01-05T00:00:00+08:00'), provisionalYear: 2027 });
    // Wholly inside a missing year, and into the one after it: the first missing year is named.
    expect(calendar.workingDayLimit('2027-06-30', 3)).toMatchObject({ lastDay: '2027-07-05', provisionalYear: 2027 });
    expect(calendar.workingDayLimit('2027-12-30', 3)).toMatchObject({ lastDay: '2028-01-04', provisionalYear: 2027 });
  });

  it('becomes final, with the entered holidays, once the year is in the calendar', () => {
    const withYear = new WorkingCalendar([
      ...Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })),
      { year: 2027, off: ['2027-01-01'], workdays: [] },
    ]);
    expect(withYear.workingDayLimit(new Date('2026-12-28T10:00:00+08:00'), 5)).toEqual({
      lastDay: '2027-01-05',
      dueAt: new Date('2027-01-06T00:00:00+08:00'),
      provisionalYear: null,
    });
  });

  it('counts the working days between two days the same way, provisional through a missing year', () => {
    expect(calendar.workingDaysBetween(new Date('2026-09-30T10:00:00+08:00'), '2026-10-09')).toEqual({ days: 2, provisionalYear: null });
    expect(calendar.workingDaysBetween('2026-11-23', '2026-11-23')).toEqual({ days: 0, provisionalYear: null });
    expect(calendar.workingDaysBetween('2026-12-30', '2027-01-05')).toEqual({ days: 4, provisionalYear: 2027 });
  });
});

describe('office hours', () => {
  const hours = parseOfficeHours(DEFAULT_OFFICE_HOURS)!;
  const after = (start: string, h: number) => formatBeijing(calendar.addOfficeHours(new Date(start), h, hours));

  it('is configured by OFFICE_HOURS, whose default the README states, and a bad value stops the start', () => {
    const dev = { DEVELOPMENT_MODE: 'true' };
    expect(loadEnv(dev).officeHours).toEqual(hours);
    expect(loadEnv({ ...dev, OFFICE_HOURS: '09:00-17:00' }).officeHours.blocks).toEqual([{ start: 540, end: 1020 }]);
    expect(() => loadEnv({ ...dev, OFFICE_HOURS: '9-5' })).toThrow(/OFFICE_HOURS/);
    expect(fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(
      `| \`OFFICE_HOURS\` | \`${DEFAULT_OFFICE_HOURS}\` |`,
    );
  });

  it('reads the configured blocks and refuses what is not ordered HH:MM-HH:MM', () => {
    expect(hours.blocks).toEqual([
      { start: 510, end: 720 },
      { start: 810, end: 1050 },
    ]);
    expect(parseOfficeHours('09:00-17:00')?.blocks).toEqual([{ start: 540, end: 1020 }]);
    expect(parseOfficeHours('13:00-12:00')).toBeNull();
    expect(parseOfficeHours('08:00-12:00,11:00-17:00')).toBeNull();
    expect(parseOfficeHours('nine to five')).toBeNull();
  });

  it('counts two hours inside office hours on a working day', () => {
    expect(after('2026-11-23T10:00:00+08:00', 2)).toBe('2026-11-23T12:00:00+08:00');
    expect(after('2026-11-23T11:30:00+08:00', 2)).toBe('2026-11-23T15:00:00+08:00'); // over lunch
    expect(after('2026-11-23T16:30:00+08:00', 2)).toBe('2026-11-24T09:30:00+08:00'); // into the next morning
  });

  it('does not run through the night or the weekend: received Saturday 22:00, due Monday 10:30', () => {
    expect(after('2026-11-21T22:00:00+08:00', 2)).toBe('2026-11-23T10:30:00+08:00');
    expect(after('2026-11-23T07:00:00+08:00', 2)).toBe('2026-11-23T10:30:00+08:00');
  });

  it('skips public holidays and works the adjusted Saturdays', () => {
    // Friday 2026-10-09 17:00: half an hour left; Saturday 10-10 is an adjusted working day.
    expect(after('2026-10-09T17:00:00+08:00', 2)).toBe('2026-10-10T10:00:00+08:00');
    // 2026-09-30 (Wed) 17:00: the National Day block runs to 10-07.
    expect(after('2026-09-30T17:00:00+08:00', 2)).toBe('2026-10-08T10:00:00+08:00');
  });

  it('counts the office time of working days between two instants', () => {
    const between = (from: string, to: string) => calendar.officeTimeBetween(new Date(from), new Date(to), hours) / 3_600_000;
    expect(between('2026-11-23T10:00:00+08:00', '2026-11-23T15:00:00+08:00')).toBe(3.5); // over lunch
    expect(between('2026-09-30T16:00:00+08:00', '2026-10-09T00:00:00+08:00')).toBe(1.5 + 7.5); // the holiday block counts nothing
    expect(between('2026-11-23T15:00:00+08:00', '2026-11-23T10:00:00+08:00')).toBe(0);
  });
});

describe('the yellow warning: 80% of a limit’s working time, the one way every slice computes it', () => {
  const hours = parseOfficeHours(DEFAULT_OFFICE_HOURS)!;
  const warn = (limit: Parameters<WorkingCalendar['warningAt']>[0], on = calendar) => {
    const warning = on.warningAt(limit, hours);
    return [formatBeijing(warning.warnAt), warning.provisionalYear];
  };
  const start = new Date('2026-09-30T16:00:00+08:00'); // Wednesday before the National Day block

  it('takes 80% of the office time of an office-hour limit', () => {
    expect(warn({ startsAt: start, hours: 2 })).toEqual(['2026-10-08T08:36:00+08:00', null]);
  });

  it('takes 80% of the office hours of a working-day limit’s working days, the start day not counted', () => {
    // One working day (10-08): 6 of its 7.5 office hours, so 16:00 — the clock's 80% was 08:00 of holiday 10-07.
    expect(warn({ startsAt: start, workingDays: 1 })).toEqual(['2026-10-08T16:00:00+08:00', null]);
    // Fifteen: the close of the 12th working day (10-08, 10-09, Saturday 10-10, 10-12 … 10-22).
    expect(warn({ startsAt: start, workingDays: 15 })).toEqual(['2026-10-22T17:30:00+08:00', null]);
    // Where in the start day the limit began does not matter: that day is not counted.
    expect(warn({ startsAt: new Date('2026-09-30T00:01:00+08:00'), workingDays: 1 })).toEqual(['2026-10-08T16:00:00+08:00', null]);
  });

  it('takes 80% of the office time up to a dated limit’s end, and warns at once when there is none', () => {
    // 1.5 hours on 09-30 and 7.5 on 10-08 to the end of 10-08: 7.2 hours in, at 15:42 on 10-08.
    expect(warn({ startsAt: start, dueAt: new Date('2026-10-09T00:00:00+08:00') })).toEqual(['2026-10-08T15:42:00+08:00', null]);
    expect(warn({ startsAt: new Date('2026-10-03T10:00:00+08:00'), dueAt: new Date('2026-10-04T00:00:00+08:00') })).toEqual([
      '2026-10-03T10:00:00+08:00',
      null,
    ]);
  });

  it('never falls at night, on a weekend or on a holiday', () => {
    for (let minutes = 0; minutes < 14 * 24 * 60; minutes += 97) {
      const startsAt = new Date(Date.parse('2026-09-24T00:00:00+08:00') + minutes * 60_000);
      for (const limit of [
        { startsAt, hours: 2 },
        { startsAt, workingDays: 1 },
        { startsAt, workingDays: 15 },
        { startsAt, dueAt: new Date('2026-10-31T00:00:00+08:00') },
      ]) {
        const { warnAt } = calendar.warningAt(limit, hours);
        const minute = (warnAt.getTime() - Date.parse(`${beijingDate(warnAt)}T00:00:00+08:00`)) / 60_000;
        expect(calendar.isWorkingDay(beijingDate(warnAt)), formatBeijing(warnAt)).toBe(true);
        expect(
          hours.blocks.some((b) => minute >= b.start && minute <= b.end),
          formatBeijing(warnAt),
        ).toBe(true);
      }
    }
  });

  it('is provisional through a year the calendar lacks, and moves with the year once entered', () => {
    const thursday = new Date('2026-12-31T16:00:00+08:00');
    expect(warn({ startsAt: thursday, workingDays: 1 })).toEqual(['2027-01-01T16:00:00+08:00', 2027]);
    expect(warn({ startsAt: thursday, hours: 2 })).toEqual(['2027-01-01T08:36:00+08:00', 2027]);
    const withYear = new WorkingCalendar([
      ...Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })),
      { year: 2027, off: ['2027-01-01'], workdays: [] },
    ]);
    expect(warn({ startsAt: thursday, workingDays: 1 }, withYear)).toEqual(['2027-01-04T16:00:00+08:00', null]);
  });

  it('comes with its working-day limit in one call, provisional when either is (warnedWorkingDayLimit)', () => {
    const limit = calendar.warnedWorkingDayLimit(start, 15, hours);
    // The same as its two parts: the 15th working day (10-27), the warning at the close of the 12th.
    expect(limit).toEqual({
      ...calendar.workingDayLimit(start, 15),
      warnAt: calendar.warningAt({ startsAt: start, workingDays: 15 }, hours).warnAt,
    });
    expect([limit.lastDay, formatBeijing(limit.dueAt), formatBeijing(limit.warnAt), limit.provisionalYear]).toEqual([
      '2026-10-27',
      '2026-10-28T00:00:00+08:00',
      '2026-10-22T17:30:00+08:00',
      null,
    ]);
    const across = calendar.warnedWorkingDayLimit(new Date('2026-12-31T16:00:00+08:00'), 1, hours);
    expect([formatBeijing(across.dueAt), formatBeijing(across.warnAt), across.provisionalYear]).toEqual([
      '2027-01-02T00:00:00+08:00',
      '2027-01-01T16:00:00+08:00',
      2027,
    ]);
  });
});

describe('calendar data', () => {
  it('rejects calendar data that cannot be right', () => {
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-17'], workdays: [] })).toBeNull();
    expect(calendarYearProblem({ year: 2026, off: ['2025-02-17'], workdays: [] })?.field).toBe('off');
    expect(calendarYearProblem({ year: 2026, off: [], workdays: ['2026-02-16'] })?.field).toBe('workdays'); // a Monday
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-14'], workdays: ['2026-02-14'] })?.field).toBe('workdays');
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-30'], workdays: [] })?.field).toBe('off');
  });
});
