/**
 * The State Council's working-day calendar as shipped (holidays.json): each year's days off and
 * the weekend days worked instead (调休). The issues slice enters it as reference data; other slices'
 * sample data counts their limits on it.
 */
import holidays from './holidays.json' with { type: 'json' };

export function referenceCalendarYears(): { year: number; off: string[]; workdays: string[] }[] {
  return Object.entries(holidays.years).map(([year, days]) => ({ year: Number(year), off: days.off, workdays: days.workdays }));
}
