/**
 * 青融通's background sweep of lapsed holds (subgraphs/financing/background.ts), on the platform's
 * clock moved by the test: a hold whose contact limit passed goes back to the pool without anyone
 * reading or acting on the demand; the sweep runs once a minute of the platform's clock; sweepers
 * of several replicas at once return a hold once; the platform's own sweep runs while the slice
 * serves. The platform's background work is off here (OUTBOX_WORKER=false) except where a test
 * starts a platform of its own, so what each sweep does is known.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkingCalendar } from '../platform/calendar.ts';
import { referenceCalendarYears } from '../db/reference/holidays.ts';
import { loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { createLapseSweeper, type LapseSweeper } from '../subgraphs/financing/background.ts';
import { TestClock } from './support/clock.ts';
import { financingWorld, type Bank, type Firm } from './support/financing.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
const world = financingWorld(() => t, 9_000);
const { post, claim, stored } = world;
let firm: Firm;
let bank: Bank;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
  firm = await world.firm();
  bank = await world.bank();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

function sweeper(): LapseSweeper {
  const env = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices);
  return createLapseSweeper({
    db: t.database.handle.forSubgraph('financing').db,
    now: clock.now,
    officeHours: env.officeHours,
    calendar: async () => new WorkingCalendar(referenceCalendarYears()),
    pollMs: 10,
    logger: createLogger({ level: 'silent' }),
  });
}

const returnedSteps = async (id: string) => {
  const db = t.database.handle.forSubgraph('financing').db;
  const result = await db.execute(
    sql`select actor_role, institution_id, at from financing.demand_events where demand_id = ${id} and kind = 'RETURNED' order by id`,
  );
  return ((result as { rows?: unknown[] }).rows ?? result) as { actor_role: string; institution_id: string; at: Date | string }[];
};

describe('the sweep of lapsed holds', () => {
  it('returns a hold whose contact limit passed, with nobody reading the demand; once a minute of the platform clock', async () => {
    clock.set('2026-06-01T10:00:00+08:00'); // a Monday: the contact limit (1 working day) is due 06-03 00:00
    const id = await post(firm);
    await claim(id, bank.staff);
    const sweep = sweeper();

    clock.set('2026-06-02T23:59:30+08:00'); // not yet due
    expect(await sweep.runOnce()).toBe(0);
    expect((await stored(id)).status).toBe('CLAIMED');

    clock.set('2026-06-03T00:00:10+08:00'); // due, but 40 seconds after the last sweep: not swept yet
    expect(await sweep.runOnce()).toBe(0);
    expect((await stored(id)).status).toBe('CLAIMED');

    clock.set('2026-06-03T00:00:40+08:00'); // a minute after the last sweep
    expect(await sweep.runOnce()).toBe(1);
    expect((await stored(id)).status).toBe('OPEN');
    const steps = await returnedSteps(id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ actor_role: 'SYSTEM', institution_id: bank.id });
    expect(new Date(steps[0]?.at ?? 0).toISOString()).toBe('2026-06-02T16:00:40.000Z');

    // Held again, and another: both lapse; a sweeper returns both, and nothing twice.
    await claim(id, bank.staff);
    const again = await post(firm);
    await claim(again, bank.staff);
    clock.set('2026-06-05T09:00:00+08:00');
    expect(await sweeper().runOnce()).toBe(2);
    expect(await sweep.runOnce()).toBe(0);
    expect((await stored(again)).status).toBe('OPEN');
    expect(await returnedSteps(id)).toHaveLength(2);
  });

  it('several replicas sweeping at once return each hold once', async () => {
    clock.set('2026-06-08T10:00:00+08:00');
    const ids = [await post(firm), await post(firm), await post(firm)];
    for (const id of ids) await claim(id, bank.staff);
    clock.set('2026-06-12T10:00:00+08:00');
    const counts = await Promise.all(Array.from({ length: 4 }, () => sweeper().runOnce()));
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(3);
    for (const id of ids) {
      expect((await stored(id)).status).toBe('OPEN');
      expect(await returnedSteps(id)).toHaveLength(1);
    }
  });

  it('runs in the slice’s own process while it serves, and stops with it', async () => {
    const own = new TestClock('2026-06-15T10:00:00+08:00');
    const serving = await startTestPlatform({ now: own.now, env: { OUTBOX_POLL_MS: '20' } });
    try {
      const other = financingWorld(() => serving, 9_500);
      const [ownFirm, ownBank] = [await other.firm(), await other.bank()];
      const held = await other.post(ownFirm);
      await other.claim(held, ownBank.staff);
      own.set('2026-06-18T10:00:00+08:00');
      const db = serving.database.handle.forSubgraph('financing').db;
      const status = async () => {
        const result = await db.execute(sql`select status from financing.demands where id = ${held}`);
        return String((((result as { rows?: unknown[] }).rows ?? result) as { status: string }[])[0]?.status);
      };
      await vi.waitFor(async () => expect(await status()).toBe('OPEN'), { timeout: 30_000, interval: 50 });
    } finally {
      await serving.stop();
    }
  }, 120_000);
});
