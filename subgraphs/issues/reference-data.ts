/**
 * The working-day calendar shipped with the platform (2023–2026, from the State Council's
 * notices). Inserted when missing, never overwritten: the command office keeps it from then on.
 */
import type { Db } from '../../db/client.ts';
import holidays from '../../db/reference/holidays.json' with { type: 'json' };
import { calendarStore } from './store.ts';

export async function applyIssuesReferenceData(db: Db): Promise<void> {
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
}
