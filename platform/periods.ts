/**
 * A period as callers give it (two Beijing dates, both days counted) and as every slice counts it
 * (two instants). One reading for every slice's figures and lists; half years (`2026-H1`) read one
 * way too, by the slices and by the gateway's files.
 */
import { personOf, type Viewer } from './auth.ts';
import { beijingMidnight, endOfBeijingDay, halfYearOf } from './calendar.ts';
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

/** The years a half year may name: a name outside them names nothing (it was once accepted, then read as an internal error). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2199;

/** How a half year is written: `2026-H1` (January–June), `2026-H2` (July–December). */
export const HALF_YEAR = /^(\d{4})-H([12])$/;

/** `2026-H1` → its first and last day (Beijing dates); null for anything else, a year outside FIRST_YEAR–LAST_YEAR included. */
export function halfYear(name: string): PeriodInput | null {
  const match = HALF_YEAR.exec(name);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return null;
  return match[2] === '1' ? { from: `${year}-01-01`, to: `${year}-06-30` } : { from: `${year}-07-01`, to: `${year}-12-31` };
}

/** A half year by name, with its first and last day. */
export interface HalfYear extends PeriodInput {
  name: string;
}

/**
 * What a request for a half year's file (the board's CSV, workbook, printable page; a link to one)
 * must carry, checked in one place for every such request: a half year — the one named, or the
 * current one (Beijing time) when none is — and a person to make it for. Whether this person may
 * read the file is the rule of the slice that owns it, asked by the query that fills the file; this
 * tests no role. BAD_USER_INPUT on `period` for a name that is no half year (checked first);
 * UNAUTHENTICATED for a caller who is nobody in particular (no token).
 */
export function halfYearFile(
  viewer: Viewer,
  asked: string | null | undefined,
  at: Date,
): { halfYear: HalfYear; person: NonNullable<ReturnType<typeof personOf>> } {
  const name = asked ?? halfYearOf(at);
  const days = halfYear(name);
  if (!days) {
    throw errors.badInput('period', {
      zh: `period 须形如 2026-H1（年份 ${FIRST_YEAR}–${LAST_YEAR}）`,
      en: `period must look like 2026-H1 (a year in ${FIRST_YEAR}–${LAST_YEAR})`,
    });
  }
  const person = personOf(viewer);
  if (!person) throw errors.unauthenticated();
  return { halfYear: { name, ...days }, person };
}
