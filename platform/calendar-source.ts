/**
 * The platform's working-day calendar as every slice reads it: the command office keeps it in the
 * slice that provides the calendar (`provides: ['calendar']` in its registry entry — today issues;
 * `calendarYears`, public), and the others ask that public API — cached like the unit directory, a
 * stale copy while that slice restarts, never inside a transaction. The kit names no slice: which
 * one provides it comes from the registry (`providersOf`).
 *
 * A slice's limits through a year the calendar lacks are provisional (platform/calendar.ts
 * `workingDayLimit`). The slice recomputes them itself, from its own tables, when its copy of the
 * calendar gains a year (`onYearsAdded`): no slice reads another's tables, and the provider need not know
 * who else counts working days.
 */
import { WorkingCalendar, type CalendarYear } from './calendar.ts';
import type { Logger } from './log.ts';
import { askSlice } from './slice-client.ts';

export const CALENDAR_QUERY = /* GraphQL */ `
  query WorkingCalendar {
    calendarYears {
      year
      off
      workdays
    }
  }
`;

/** The platform's working-day calendar, as a slice reads it. */
export interface CalendarSource {
  /** The current copy; a copy that has just gained a year has had `onYearsAdded` run first. */
  current(): Promise<WorkingCalendar>;
}

export interface RemoteCalendarOptions {
  /** The slice that provides the calendar (SliceDeps.providers.calendar), named when it is unavailable. */
  provider: string;
  url: () => string;
  ttlMs: number;
  now?: () => number;
  /**
   * Run when a fetched copy holds a year no copy before it had (the first copy included: a year
   * may have been entered while this slice was down), before the copy is handed out — the slice
   * recomputes the limits that were provisional for want of it. A failure is logged, and the call
   * is made again with the next copy fetched.
   */
  onYearsAdded?: (calendar: WorkingCalendar, added: number[]) => Promise<void>;
  logger?: Logger;
}

/** The calendar from the slice that provides it, cached for `ttlMs`; without any copy yet, an empty calendar (every limit provisional). */
export function remoteCalendar(options: RemoteCalendarOptions): CalendarSource {
  const now = options.now ?? Date.now;
  let cached: { calendar: WorkingCalendar; at: number } | undefined;
  let loading: Promise<WorkingCalendar> | undefined;
  /** Years `onYearsAdded` has been run for. */
  const seen = new Set<number>();
  const added = async (calendar: WorkingCalendar): Promise<void> => {
    const years = calendar.knownYears().filter((year) => !seen.has(year));
    if (!years.length || !options.onYearsAdded) return;
    try {
      await options.onYearsAdded(calendar, years);
      for (const year of years) seen.add(year);
    } catch (error) {
      options.logger?.error(
        { err: error, years },
        `recomputing provisional limits for ${years.join(', ')} failed; tried again with the next calendar copy`,
      );
    }
  };
  const load = () =>
    (loading ??= askSlice<{ calendarYears: CalendarYear[] }>({
      slice: options.provider,
      url: options.url(),
      query: CALENDAR_QUERY,
      timeoutMs: 5_000,
    })
      .then(async ({ calendarYears }) => {
        const calendar = new WorkingCalendar(calendarYears);
        await added(calendar);
        cached = { calendar, at: now() };
        return calendar;
      })
      .finally(() => {
        loading = undefined;
      }));
  return {
    async current() {
      if (cached && now() - cached.at <= options.ttlMs) return cached.calendar;
      try {
        return await load();
      } catch {
        return cached?.calendar ?? new WorkingCalendar([]);
      }
    },
  };
}

/** A fixed calendar (sample data, unit tests). */
export function staticCalendar(years: CalendarYear[]): CalendarSource {
  const calendar = new WorkingCalendar(years);
  return { current: async () => calendar };
}

/** What `providedCalendar` needs of a slice's dependencies (SliceDeps has it all). */
export interface CalendarDeps {
  name: string;
  providers: { calendar: string };
  sliceUrl(name: string): string;
  env: { directoryTtlMs: number };
  logger: Logger;
}

/**
 * A slice's copy of the platform's calendar, from the slice that provides it; when the copy gains a
 * year, `settle` recomputes the slice's provisional limits from its own tables and says how many
 * (`what`: "review(s)", "application(s)"), and the log says so.
 */
export function providedCalendar(deps: CalendarDeps, settle: (calendar: WorkingCalendar) => Promise<number>, what: string): CalendarSource {
  return remoteCalendar({
    provider: deps.providers.calendar,
    url: () => deps.sliceUrl(deps.providers.calendar),
    ttlMs: deps.env.directoryTtlMs,
    logger: deps.logger,
    onYearsAdded: async (current, years) => {
      const settled = await settle(current);
      if (settled) {
        deps.logger.info(
          { service: deps.name, years, settled },
          `${deps.name}: provisional limits of ${settled} ${what} recomputed on the calendar of ${years.join(', ')}`,
        );
      }
    },
  });
}
