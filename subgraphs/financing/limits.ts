/**
 * 青融通's time limits, in working days of the platform's calendar (platform/calendar.ts, the kit's
 * one way to count them): a demand is claimed within `claimWorkingDays` of posting (else it waits
 * for the regulator's dispatch, 兜底); its holder contacts the enterprise within
 * `contactWorkingDays` and decides within `decisionWorkingDays` of holding it. The regulator sets
 * the days (`setFinancingLimits`, append-only: limits started afterwards use the new ones).
 *
 * Each limit is a row of `financing.demand_limits` kept as evidence: met, or stopped unmet (the
 * claim lapsed and the demand went back to the pool, the enterprise withdrew) with the instant it
 * stopped — at or after its due time it was missed, and counts against that institution for good.
 * Through a year the calendar lacks, the due time is provisional (weekends the only days off) and
 * names the year it waits for.
 */
import type { OfficeHours, WorkingCalendar } from '../../platform/calendar.ts';
import type { Queryable } from '../../db/client.ts';
import { limitSettingsStore, limitStore, type DemandRow, type LimitRow, type LimitSettingsRow } from './store.ts';

export type LimitKind = LimitRow['kind'];

/** The working days of each kind of limit, from the settings in force. */
export function workingDaysOf(settings: LimitSettingsRow, kind: LimitKind): number {
  if (kind === 'CLAIM') return settings.claimWorkingDays;
  if (kind === 'CONTACT') return settings.contactWorkingDays;
  return settings.decisionWorkingDays;
}

/** A limit's due time and warning from its start, on `calendar`. */
export function dueOf(calendar: WorkingCalendar, officeHours: OfficeHours, startsAt: Date, workingDays: number) {
  const limit = calendar.warnedWorkingDayLimit(startsAt, workingDays, officeHours);
  return { dueAt: limit.dueAt, warnAt: limit.warnAt, pendingCalendarYear: limit.provisionalYear };
}

export interface LimitClock {
  calendar: WorkingCalendar;
  officeHours: OfficeHours;
  now(): Date;
  /** The settings in force at now, when read before the transaction (else read in it). */
  settings?: LimitSettingsRow;
}

/** Starts the limits `kinds` of `demand` at now, for the institution (and branch) holding it — none for the claim limit. One statement. */
export async function startLimits(tx: Queryable, clock: LimitClock, demand: DemandRow, kinds: LimitKind[]): Promise<LimitRow[]> {
  const startsAt = clock.now();
  const settings = clock.settings ?? (await limitSettingsStore.inForce(tx, startsAt));
  return limitStore.insertMany(
    tx,
    kinds.map((kind) => {
      const workingDays = workingDaysOf(settings, kind);
      return {
        demandId: demand.id,
        kind,
        institutionId: kind === 'CLAIM' ? null : demand.institutionId,
        branchId: kind === 'CLAIM' ? null : demand.branchId,
        startsAt,
        workingDays,
        ...dueOf(clock.calendar, clock.officeHours, startsAt, workingDays),
      };
    }),
  );
}

/**
 * When the calendar copy gains a year: the running limits whose due time was provisional for a year
 * the calendar now has are recomputed from their start (met and stopped ones keep the due time they
 * were judged by). Answers how many were recomputed.
 */
export async function settleProvisionalLimits(db: Queryable, calendar: WorkingCalendar, officeHours: OfficeHours): Promise<number> {
  const known = calendar.knownYears();
  if (!known.length) return 0;
  const rows = await limitStore.provisional(db, known);
  for (const row of rows) {
    const due = dueOf(calendar, officeHours, row.startsAt, row.workingDays);
    await limitStore.redue(db, row.id, due);
  }
  return rows.length;
}

/** The traffic light of one limit at `now`: running (green), near due, overdue; met on time or late; lapsed or cancelled. */
export function limitState(limit: LimitRow, now: Date) {
  if (limit.metAt) return limit.metAt.getTime() <= limit.dueAt.getTime() ? 'MET' : 'MET_LATE';
  if (limit.endedAt) return limit.endedAt.getTime() >= limit.dueAt.getTime() ? 'LAPSED' : 'CANCELLED';
  if (now.getTime() >= limit.dueAt.getTime()) return 'OVERDUE';
  if (now.getTime() >= limit.warnAt.getTime()) return 'WARNING';
  return 'RUNNING';
}

/** The kinds of limit a holder runs: one that passes unmet returns the demand to the pool. */
export const HOLD_LIMITS: readonly LimitKind[] = ['CONTACT', 'DECISION'];
