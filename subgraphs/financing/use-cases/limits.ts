/**
 * 青融通's time limits as callers meet them: the regulator sets the working days (`setFinancingLimits`,
 * append-only: limits started afterwards use them, running ones keep theirs), anyone reads those in
 * force; the regulator, the command office and the institutions read the limits near or past due
 * (`financingLimitAlerts`).
 *
 * A holder that lets its contact or decision limit pass unmet loses the demand: `returnLapsedHolds`
 * puts it back in the pool (OPEN, no holder, a new claim limit), ends the holder's limits at that
 * instant — at or after their due time, so they stay LAPSED, counted against that institution for
 * good — and records the step RETURNED with the institution and branch that held it. The return
 * runs, idempotently, in the slice's background sweep once a minute of the platform's clock
 * (background.ts), and before whatever would act on or list a held demand (see the slice README,
 * "Time limits").
 */
import { GraphQLError } from 'graphql';
import { anonymous, personOf } from '../../../platform/auth.ts';
import type { WorkingCalendar } from '../../../platform/calendar.ts';
import { changeRow, type RowKind } from '../../../platform/change.ts';
import { ErrorCode } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { Queryable } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { limitsInput } from '../input.ts';
import { HOLD_LIMITS, startLimits, type LimitKind } from '../limits.ts';
import { demandRow, recordDemandStep } from '../rows.ts';
import { HELD_STATES } from '../rules.ts';
import type { MutationSetFinancingLimitsArgs } from '../schema-types.ts';
import {
  demandStore,
  lapseStore,
  limitAlertStore,
  limitSettingsStore,
  limitStore,
  type DemandRow,
  type LimitSettingsRow,
} from '../store.ts';

/** How many lapsed holds one pass returns at most; the next pass (the next request, or the sweep's next pass) takes the rest. */
const RETURN_BATCH = 100;

/** What a return of lapsed holds needs: a request's context, or the background sweep's (background.ts). */
export type LapseDeps = Pick<FinancingContext, 'db' | 'now' | 'workingCalendar' | 'officeHours'>;

/**
 * Returns to the pool every demand (or only `demandId`) whose holder let a contact or decision
 * limit pass unmet by now; answers how many it returned. Idempotent and safe across replicas: each
 * demand in a transaction of its own, locked with SKIP LOCKED (one another transaction is changing
 * is left to it) and judged again once locked, so a hold is returned once. The calendar (which may
 * be asked over HTTP) is read before any transaction, and only when there is something to return.
 */
export async function returnLapsedHolds(ctx: LapseDeps, demandId?: string): Promise<number> {
  const now = ctx.now();
  const lapsed = await lapseStore.lapsedHolds(ctx.db, now, RETURN_BATCH, demandId);
  if (!lapsed.length) return 0;
  const calendar = await ctx.workingCalendar();
  let returned = 0;
  for (const id of lapsed) if (await returnHold(ctx, id, calendar, now)) returned++;
  return returned;
}

/** A hold judged, once locked, not to be returned (met meanwhile, or returned by another pass): nothing is written. */
class HoldStays extends Error {}

/** The demand, locked unless another transaction holds it (then missing here: that transaction changes or returns it). */
const lapsedDemand: RowKind<DemandRow, Queryable> = { ...demandRow, load: (tx, id) => lapseStore.lockUnlessBusy(tx, id) };

/**
 * One demand back to the pool, as the platform (no person took this step), at `now`: one
 * `changeRow`, judged on the locked row — the platform's own step, so no caller is asked.
 */
async function returnHold(ctx: LapseDeps, id: string, calendar: WorkingCalendar, now: Date): Promise<boolean> {
  let passed: LimitKind | undefined;
  const platform = { viewer: anonymous, now: () => now };
  try {
    await changeRow(ctx.db, lapsedDemand, {
      key: id,
      async authorize(demand, tx) {
        if (!HELD_STATES.includes(demand.status)) throw new HoldStays();
        passed = (await limitStore.running(tx, id))
          .filter((limit) => HOLD_LIMITS.includes(limit.kind) && limit.dueAt.getTime() <= now.getTime())
          .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0]?.kind;
        if (!passed) throw new HoldStays();
      },
      async write(tx, demand) {
        await limitStore.end(tx, id, now);
        return demandStore.update(tx, id, demand.version, {
          status: 'OPEN',
          institutionId: null,
          branchId: null,
          heldBy: null,
          heldAt: null,
          approvedAmount: null,
        });
      },
      record: (tx, before, after) =>
        recordDemandStep(platform, tx, after, {
          kind: 'RETURNED',
          institutionId: before.institutionId,
          branchId: before.branchId,
          data: { limitKind: passed },
        }),
      async finish(tx, after) {
        await startLimits(tx, { calendar, officeHours: ctx.officeHours, now: () => now }, after, ['CLAIM']);
        return after;
      },
    });
    return true;
  } catch (error) {
    const busy = error instanceof GraphQLError && error.extensions.code === ErrorCode.NOT_FOUND;
    if (error instanceof HoldStays || busy) return false;
    throw error;
  }
}

/** `setFinancingLimits`: the regulator; each 1–30 working days; appended, in force from now on. */
export async function setFinancingLimits(ctx: FinancingContext, { input }: MutationSetFinancingLimitsArgs): Promise<LimitSettingsRow> {
  await ctx.access.assertDemand('SET_LIMITS');
  const given = parseInput(limitsInput, input, 'input');
  const person = present(personOf(ctx.viewer), 'the person of a caller allowed to set the limits');
  return limitSettingsStore.insert(ctx.db, { ...given, since: ctx.now(), actorSubject: person.subject, actorUnitId: ctx.viewer.unitId });
}

/** `financingLimits`: the limits in force (public). */
export function financingLimits(ctx: FinancingContext): Promise<LimitSettingsRow> {
  return limitSettingsStore.inForce(ctx.db, ctx.now());
}

/**
 * `financingLimitAlerts`: the running limits in WARNING or OVERDUE, earliest due first — the
 * regulator and the command office all, an institution its own clocks, a branch its own. Lapsed
 * holds are returned first, so what is listed is still running.
 */
export async function financingLimitAlerts(ctx: FinancingContext, page: PageArgs) {
  const scope = await ctx.access.limitAlertScope();
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'serial') : null;
  await returnLapsedHolds(ctx);
  const now = ctx.now();
  const count = countBeside(page.counted, () => limitAlertStore.count(ctx.db, scope, now, exactCountLimit(ctx)));
  const rows = await limitAlertStore.page(ctx.db, scope, now, size + 1, after);
  for (const row of rows) ctx.loaders.demandById.prime(row.demand.id, row.demand);
  return toConnection(rows, size, (row) => [row.limit.dueAt.toISOString(), row.limit.id], count, after !== null);
}
