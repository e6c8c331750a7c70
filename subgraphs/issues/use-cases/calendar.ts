/**
 * The working-day calendar the loop's limits count in: the command office enters a year from the
 * State Council's notice (setCalendarYear) and every deadline running through it moves with it;
 * deadlines reaching a year not yet entered are provisional (weekends only) until it is. Also what
 * /ready and the start banner say about missing years.
 */
import { beijingMidnight, calendarYearProblem, endOfBeijingDay, type CalendarYear, type OfficeHours } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { computeDue, MAX_TOTAL_WORKING_DAYS } from '../deadlines.ts';
import { texts } from '../input.ts';
import type { MutationSetCalendarYearArgs } from '../schema-types.ts';
import { calendarStore, deadlineStore, issueStore, type CalendarRow, type DeadlineRow } from '../store.ts';

const CALENDAR_YEAR = { zh: '工作日历年度', en: 'Calendar year' };

/**
 * Recomputes due times by each deadline's own rule on the calendar as entered (setCalendarYear,
 * and the shipped calendar at start): provisional ones become final once their year is known.
 */
export async function recomputeDueTimes(tx: Queryable, deadlines: DeadlineRow[], officeHours: OfficeHours): Promise<void> {
  const calendar = await calendarStore.working(tx);
  await deadlineStore.updateDueTimes(
    tx,
    deadlines.map((d) => ({
      id: d.id,
      ...computeDue({ startsAt: d.startsAt, hours: d.hours, workingDays: d.workingDays, dueOn: d.dueOn }, calendar, officeHours),
    })),
  );
  await issueStore.refreshNextDue(tx, [...new Set(deadlines.map((d) => d.issueId))]);
}

/** `setCalendarYear`: enters or corrects one year; the deadlines it affects are recomputed in the same transaction. */
export async function setCalendarYear(ctx: IssuesContext, { input }: MutationSetCalendarYearArgs): Promise<CalendarRow> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('KEEP_CALENDAR');
  const year: CalendarYear = {
    year: input.year,
    off: [...new Set(input.off)].sort(),
    workdays: [...new Set(input.workdays)].sort(),
    notice: parseInput(texts.notice, input.notice, 'notice'),
  };
  const problem = calendarYearProblem(year);
  if (problem) throw errors.badInput(problem.field, problem);
  const now = ctx.now();
  return createRow<CalendarRow, Queryable>(
    ctx.db,
    { noun: CALENDAR_YEAR },
    {
      authorize: () => ctx.access.assertLoop('KEEP_CALENDAR'),
      write: (tx) =>
        calendarStore.upsert(tx, {
          year: year.year,
          notice: year.notice,
          off: year.off,
          workdays: year.workdays,
          updatedBy: present(ctx.viewer.subject, 'the subject of the command office'),
          updatedAt: now,
        }),
      // The year keeps who entered it and when (updatedBy, updatedAt); the notice is its source.
      record: () => Promise.resolve(),
      async finish(tx, saved) {
        // Open deadlines running through this year move with it; provisional ones waiting for it —
        // open, met or stopped alike — get their real due time.
        const affected = await deadlineStore.affectedByCalendarYear(
          tx,
          year.year,
          beijingMidnight(`${year.year}-01-01`),
          endOfBeijingDay(`${year.year}-12-31`),
        );
        await recomputeDueTimes(tx, affected, ctx.officeHours);
        return saved;
      },
    },
  );
}

/**
 * The years deadlines reach that the calendar lacks: those open deadlines wait for (provisional),
 * and those the longest limit started today would run into. Empty when every one is entered.
 */
export async function missingCalendarYears(db: Queryable, now: Date): Promise<number[]> {
  const calendar = await calendarStore.working(db);
  const assumed = new Set<number>(await deadlineStore.pendingYears(db));
  calendar.dueAfterWorkingDays(now, MAX_TOTAL_WORKING_DAYS, assumed);
  return [...assumed].filter((year) => !calendar.hasYear(year)).sort();
}

/** For /ready and the start banner: 'ok', or a warning naming the years the command office must enter. */
export async function calendarReadiness(db: Queryable, now: Date): Promise<string> {
  const missing = await missingCalendarYears(db, now);
  if (!missing.length) return 'ok';
  return (
    `warning: no working-day calendar for ${missing.join(', ')} — deadlines reaching it are provisional (weekends only) ` +
    `until the command office enters it from the State Council notice (setCalendarYear) / 工作日历缺少 ${missing.join('、')} 年，相关时限暂按只休周末计算`
  );
}
