/**
 * The platform's working-day calendar as every slice reads it: the command office keeps it in the
 * issues slice (`calendarYears`, public), and the others ask that public API — cached like the unit
 * directory, a stale copy while issues restarts, never inside a transaction. Like directory.ts, the
 * one place the kit names a slice, because every slice's time limits need it.
 */
import { WorkingCalendar, type CalendarYear } from './calendar.ts';
import { askSlice } from './slice-client.ts';

export const CALENDAR_SLICE = 'issues';

const CALENDAR_QUERY = /* GraphQL */ `
  query WorkingCalendar { calendarYears { year off workdays } }
`;

/** The platform's working-day calendar, as a slice reads it. */
export interface CalendarSource {
  current(): Promise<WorkingCalendar>;
  /** The last year the calendar holds (0 when none). */
  lastYear(): Promise<number>;
}

/** The calendar from the issues slice, cached for `ttlMs`; without any copy yet, an empty calendar (every limit waits). */
export function remoteCalendar(options: { url: () => string; ttlMs: number; now?: () => number }): CalendarSource {
  const now = options.now ?? Date.now;
  let cached: { years: CalendarYear[]; at: number } | undefined;
  let loading: Promise<CalendarYear[]> | undefined;
  const load = () =>
    (loading ??= askSlice<{ calendarYears: CalendarYear[] }>({ slice: CALENDAR_SLICE, url: options.url(), query: CALENDAR_QUERY, timeoutMs: 5_000 })
      .then(({ calendarYears }) => {
        cached = { years: calendarYears, at: now() };
        return calendarYears;
      })
      .finally(() => {
        loading = undefined;
      }));
  const years = async (): Promise<CalendarYear[]> => {
    if (cached && now() - cached.at <= options.ttlMs) return cached.years;
    try {
      return await load();
    } catch {
      return cached?.years ?? [];
    }
  };
  return {
    current: async () => new WorkingCalendar(await years()),
    lastYear: async () => Math.max(0, ...(await years()).map((y) => y.year)),
  };
}

/** A fixed calendar (sample data, unit tests). */
export function staticCalendar(years: CalendarYear[]): CalendarSource {
  return { current: async () => new WorkingCalendar(years), lastYear: async () => Math.max(0, ...years.map((y) => y.year)) };
}

