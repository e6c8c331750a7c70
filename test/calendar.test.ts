import { describe, expect, it } from 'vitest';
import holidays from '../db/reference/holidays.json' with { type: 'json' };
import { beijingDate, calendarYearProblem, CalendarYearMissing, WorkingCalendar } from '../platform/calendar.ts';
import { formatBeijing } from '../platform/scalars.ts';

const calendar = new WorkingCalendar(Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })));
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

  it('refuses to guess a year it does not have', () => {
    expect(() => calendar.dueAfterWorkingDays(new Date('2026-12-30T10:00:00+08:00'), 5)).toThrow(CalendarYearMissing);
    try {
      calendar.dueAfterWorkingDaysOrError(new Date('2027-03-02T10:00:00+08:00'), 1);
      expect.unreachable();
    } catch (error) {
      expect((error as { extensions: { code: string; year: number } }).extensions).toMatchObject({ code: 'CALENDAR_YEAR_MISSING', year: 2027 });
    }
  });

  it('rejects calendar data that cannot be right', () => {
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-17'], workdays: [] })).toBeNull();
    expect(calendarYearProblem({ year: 2026, off: ['2025-02-17'], workdays: [] })?.field).toBe('off');
    expect(calendarYearProblem({ year: 2026, off: [], workdays: ['2026-02-16'] })?.field).toBe('workdays'); // a Monday
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-14'], workdays: ['2026-02-14'] })?.field).toBe('workdays');
    expect(calendarYearProblem({ year: 2026, off: ['2026-02-30'], workdays: [] })?.field).toBe('off');
  });
});
