/**
 * The working-day calendar shipped with the platform (2023–2026, from the State Council's
 * notices). Inserted when missing, never overwritten: the command office keeps it from then on.
 * Deadlines that were provisional for want of a year this release ships get their real due time.
 * The plan's dated duties (方案备案 3/31, 自查问题清单 4/20) are inserted once each.
 */
import type { Db } from '../../db/client.ts';
import holidays from '../../db/reference/holidays.json' with { type: 'json' };
import type { OfficeHours } from '../../platform/calendar.ts';
import type { PlatformEnv } from '../../platform/env.ts';
import { defaultOfficeHours } from './context.ts';
import { calendarStore, deadlineStore, planDutyStore } from './store.ts';
import { recomputeDueTimes } from './use-cases/calendar.ts';
import { referencePlanDuties } from './use-cases/plan-duties.ts';

/**
 * On every start, after the shipped calendar is in place: provisional due times whose year is now
 * known become final, and an open deadline without a warning gets it (migration 0013).
 */
async function settleProvisionalDeadlines(db: Db, officeHours: OfficeHours): Promise<void> {
  await db.transaction(async (tx) => {
    const calendar = await calendarStore.working(tx);
    const waiting = (await deadlineStore.provisional(tx)).filter(
      (d) => d.pendingCalendarYear === null || calendar.hasYear(d.pendingCalendarYear) || (d.warnAt === null && !d.metAt && !d.cancelledAt),
    );
    if (waiting.length) await recomputeDueTimes(tx, waiting, officeHours);
  });
}

export async function applyIssuesReferenceData(db: Db, env?: PlatformEnv): Promise<void> {
  await calendarStore.insertMissing(
    db,
    Object.entries(holidays.years).map(([year, data]) => ({
      year: Number(year),
      notice: data.notice,
      off: data.off,
      workdays: data.workdays,
      updatedBy: 'reference-data',
    })),
  );
  // The plan's own dated duties (campaign.json), inserted once each: duties are never rewritten.
  await planDutyStore.insertMissing(db, referencePlanDuties());
  await settleProvisionalDeadlines(db, env?.officeHours ?? defaultOfficeHours());
}
