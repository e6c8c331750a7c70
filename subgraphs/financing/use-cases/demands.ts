/**
 * 融资需求 from posting to the hold: an enterprise posts a demand (or the regulator imports one
 * collected elsewhere), it is routed at once to every fitting institution (一键直达, routing.ts),
 * and the first institution to claim it wins (抢单) — exactly one, however many claim at once:
 * the claim locks the demand's row, and every claimer after the winner finds it held (CONFLICT).
 * The enterprise may instead choose an institution, and the regulator dispatches what nobody
 * claimed (兜底). Each hold meets the claim limit and starts the holder's contact and decision limits.
 *
 * What other slices know (the enterprise's profile, the working-day calendar) is asked before the
 * transaction; the steps are recorded in it (rows.ts `recordDemandStep`).
 */
import { beijingDate, type WorkingCalendar } from '../../../platform/calendar.ts';
import { changeRow, createRow, type RowKind } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { isUuid, parseInput, uuid } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { gatherReportBasis, keepReportBasis, type ReportBasis } from '../credit-report.ts';
import type { EnterpriseProfile } from '../eligibility.ts';
import { holdTarget, importDemandInput, postDemandInput } from '../input.ts';
import { startLimits } from '../limits.ts';
import { categoryOf, fits, routesFor, type DemandAsk, type Route } from '../routing.ts';
import { DEMAND, demandRow, INSTITUTION, recordDemandStep } from '../rows.ts';
import type {
  MutationChooseFinancialInstitutionArgs,
  MutationClaimFinancingDemandArgs,
  MutationDispatchFinancingDemandArgs,
  MutationImportFinancingDemandArgs,
  MutationPostFinancingDemandArgs,
} from '../schema-types.ts';
import { HELD_STATES } from '../rules.ts';
import { returnLapsedHolds } from './limits.ts';
import { branchStore, demandStore, lapseStore, limitStore, productStore, routeStore, type DemandRow, type ProductRow } from '../store.ts';

const ENTERPRISE = { zh: '企业', en: 'Enterprise' };
/** Built once: a zod schema costs more to build than to run (each of 57 claimers at once parses the id). */
const DEMAND_ID = uuid(DEMAND);
const demandId = (id: string) => parseInput(DEMAND_ID, id, 'id');

/** What a caller asked for, as the fields a retry must repeat. */
type Asked = DemandAsk & { creditCode: string; purpose: string; contact: string; creditReportConsent: boolean; wantedProductIds: string[] };

const sameAsk = (row: DemandRow, asked: Asked) =>
  row.creditCode === asked.creditCode &&
  row.amount === asked.amount &&
  row.termMonths === asked.termMonths &&
  row.purpose === asked.purpose &&
  row.guaranteeOffered === asked.guaranteeOffered &&
  row.firstLoan === asked.firstLoan &&
  row.contact === asked.contact &&
  row.creditReportConsent === asked.creditReportConsent &&
  [...row.wantedProductIds].sort().join() === [...asked.wantedProductIds].sort().join();

/** A retry (the same client request id, or the same source and reference) answers the first demand; a different ask under the same key is a CONFLICT. */
function sameRequest(existing: DemandRow, asked: Asked, key: Bilingual): DemandRow {
  if (!sameAsk(existing, asked)) {
    throw errors.conflict(
      { zh: `${key.zh}已用于另一条内容不同的融资需求`, en: `${key.en} was already used for a different demand` },
      { existingId: existing.id },
    );
  }
  return existing;
}

/** The products the enterprise named: each must exist and be on offer, by an active institution. */
async function namedProducts(ctx: FinancingContext, ids: string[]): Promise<ProductRow[]> {
  const rows = await Promise.all(ids.map((id) => ctx.loaders.productById.load(id)));
  const found: ProductRow[] = [];
  for (const [i, row] of rows.entries()) {
    const institution = row ? await ctx.loaders.institutionById.load(row.institutionId) : null;
    if (!row || row.status !== 'ACTIVE' || !institution || institution.suspendedAt) {
      throw errors.badInput(`input.productIds[${i}]`, {
        zh: '指定的产品不存在或未在售',
        en: 'A product named does not exist or is not on offer',
      });
    }
    found.push(row);
  }
  return found;
}

/** Where a demand goes: the named products' institutions, else every institution with a fitting product. */
async function routeDemand(ctx: FinancingContext, ask: DemandAsk, profile: EnterpriseProfile, named: ProductRow[]): Promise<Route[]> {
  const today = beijingDate(ctx.now());
  const products = named.length
    ? named
    : (await productStore.offeredIn(ctx.db, profile.districtCode)).filter((p) => fits(p, ask, profile, today));
  const institutions = [...new Set(products.map((product) => product.institutionId))];
  const branches = await branchStore.ofInstitutions(ctx.db, institutions);
  return routesFor(products, branches, profile.districtCode);
}

interface NewDemand {
  values: Omit<
    DemandRow,
    | 'id'
    | 'status'
    | 'routedCount'
    | 'institutionId'
    | 'branchId'
    | 'heldBy'
    | 'heldAt'
    | 'approvedAmount'
    | 'declineReason'
    | 'declineText'
    | 'rating'
    | 'ratingComment'
    | 'closedAt'
    | 'version'
    | 'createdAt'
    | 'updatedAt'
    | 'sample'
  >;
  asked: Asked;
  routes: Route[];
  /** The credit report's basis, gathered with the enterprise's token as it consents (credit-report.ts); kept with the demand. */
  basis: ReportBasis | null;
  /** How a retry finds the demand: its client request id, or its source and reference. */
  existing(tx: Queryable): Promise<DemandRow | undefined>;
  key: Bilingual;
}

/** Creates the demand with its routes, steps and claim limit — or answers the one a retry already made. */
async function createDemand(ctx: FinancingContext, made: NewDemand): Promise<DemandRow> {
  const calendar = await ctx.workingCalendar();
  const written = await createRow<{ demand: DemandRow; created: boolean }, Queryable>(
    ctx.db,
    { noun: DEMAND },
    {
      // Asked before: whether the caller may post for this enterprise, or import.
      authorize: () => undefined,
      async write(tx) {
        const earlier = await made.existing(tx);
        if (earlier) return { demand: sameRequest(earlier, made.asked, made.key), created: false };
        const now = ctx.now();
        const created = await demandStore.insert(tx, { ...made.values, routedCount: made.routes.length, createdAt: now, updatedAt: now });
        if (created) return { demand: created, created: true };
        // A concurrent retry committed it while this one waited on the unique key.
        const committed = present(await made.existing(tx), 'the demand a concurrent retry committed');
        return { demand: sameRequest(committed, made.asked, made.key), created: false };
      },
      async record(tx, { demand, created }) {
        if (!created) return;
        const now = ctx.now();
        await recordDemandStep(ctx, tx, demand, {
          kind: demand.source === 'PLATFORM' ? 'POSTED' : 'IMPORTED',
          data: { amount: demand.amount },
        });
        await routeStore.insertMany(
          tx,
          made.routes.map((route) => ({
            demandId: demand.id,
            institutionId: route.institutionId,
            branchId: route.branchId,
            routedAt: now,
          })),
        );
        if (made.routes.length) await recordDemandStep(ctx, tx, demand, { kind: 'ROUTED', data: { institutions: made.routes.length } });
        await startLimits(tx, { calendar, officeHours: ctx.officeHours, now: ctx.now }, demand, ['CLAIM']);
        if (made.basis) await keepReportBasis(tx, demand, made.basis);
      },
    },
  );
  return written.demand;
}

/** `postFinancingDemand`: the enterprise itself; routed at once. A retry with the same clientRequestId is the same demand. */
export async function postFinancingDemand(ctx: FinancingContext, { input }: MutationPostFinancingDemandArgs): Promise<DemandRow> {
  const given = parseInput(postDemandInput, input, 'input');
  await ctx.access.assertPostFor(given.creditCode);
  const asked: Asked = { ...given, source: 'PLATFORM', wantedProductIds: given.productIds };
  const key = { zh: `请求号 ${given.clientRequestId} `, en: `clientRequestId ${given.clientRequestId}` };
  const existing = (tx: Queryable) => demandStore.existing(tx, { creditCode: given.creditCode, clientRequestId: given.clientRequestId });
  const earlier = await existing(ctx.db);
  if (earlier) return sameRequest(earlier, asked, key);
  return postOrImport(ctx, asked, { clientRequestId: given.clientRequestId, externalRef: null, postedAt: ctx.now() }, existing, key);
}

/** `importFinancingDemand`: the regulator; the same source and external reference is one demand, however often imported. */
export async function importFinancingDemand(ctx: FinancingContext, { input }: MutationImportFinancingDemandArgs): Promise<DemandRow> {
  await ctx.access.assertDemand('IMPORT_DEMAND');
  const given = parseInput(importDemandInput, input, 'input');
  const asked: Asked = { ...given, wantedProductIds: [] };
  const key = { zh: `${given.source} 编号 ${given.externalRef} `, en: `${given.source} reference ${given.externalRef}` };
  const existing = (tx: Queryable) => demandStore.existing(tx, { source: given.source, externalRef: given.externalRef });
  const earlier = await existing(ctx.db);
  if (earlier) return sameRequest(earlier, asked, key);
  const postedAt = given.postedAt && given.postedAt.getTime() < ctx.now().getTime() ? given.postedAt : ctx.now();
  return postOrImport(ctx, asked, { clientRequestId: null, externalRef: given.externalRef, postedAt }, existing, key);
}

async function postOrImport(
  ctx: FinancingContext,
  asked: Asked,
  keys: { clientRequestId: string | null; externalRef: string | null; postedAt: Date },
  existing: (tx: Queryable) => Promise<DemandRow | undefined>,
  key: Bilingual,
): Promise<DemandRow> {
  const profile = await ctx.enterprises.profile(asked.creditCode);
  if (!profile) throw errors.notFound(ENTERPRISE, asked.creditCode);
  const named = await namedProducts(ctx, asked.wantedProductIds);
  const routes = await routeDemand(ctx, asked, profile, named);
  const basis = asked.source === 'PLATFORM' && asked.creditReportConsent ? await gatherReportBasis(ctx, asked.creditCode) : null;
  return createDemand(ctx, {
    values: {
      ...keys,
      source: asked.source,
      creditCode: asked.creditCode,
      enterpriseName: profile.name ?? asked.creditCode,
      contact: asked.contact,
      industryCode: profile.industryCode,
      districtCode: profile.districtCode,
      sizeClass: profile.sizeClass,
      amount: asked.amount,
      termMonths: asked.termMonths,
      purpose: asked.purpose,
      guaranteeOffered: asked.guaranteeOffered,
      firstLoan: asked.firstLoan,
      wantedProductIds: asked.wantedProductIds,
      category: categoryOf(asked, named),
      creditReportConsent: asked.creditReportConsent,
    },
    asked,
    routes,
    basis,
    existing,
    key,
  });
}

type HoldKind = NonNullable<DemandRow['heldBy']>;
const HOLD_ACTION = { CLAIMED: 'CLAIM_DEMAND', CHOSEN: 'CHOOSE_INSTITUTION', DISPATCHED: 'DISPATCH_DEMAND' } as const;

const heldAlready: Bilingual = {
  zh: '该融资需求已被其他金融机构承接',
  en: 'Another institution holds the demand already',
};

/** The demand is locked by another transaction (a claim in flight): wait for it to end, then judge again. */
class DemandBusy extends Error {}

/** A demand locked unless another transaction holds it; held elsewhere, `DemandBusy` (nothing was locked). */
const demandUnlessBusy: RowKind<DemandRow, Queryable> = {
  ...demandRow,
  async load(tx, id) {
    const row = await lapseStore.lockUnlessBusy(tx, id);
    if (!row) throw new DemandBusy();
    return row;
  },
};

/** Turns a holder waits for a busy demand before it queues on the lock as any other change does. */
const BUSY_TURNS = 5;

/**
 * The one way a demand comes to be held: locked, asked of access on the locked row, set to CLAIMED
 * for `target`, the claim limit met and the holder's limits started, the step recorded. A claimer
 * who finds it held already lost the race: CONFLICT, nothing changed.
 *
 * The race (57 institutions at one instant): within one process, only one claimer at a time tries in
 * the database; the others wait for it holding nothing (holds-in-flight.ts) and are judged on the row
 * it committed. Between processes (replicas) the demand is locked `SKIP LOCKED`. A claimer that finds
 * it locked holds nothing and waits, outside any transaction, for the one that has it (store.ts
 * `settled`: such waits do not queue behind each other) and judges the row that one left — held by
 * the winner: CONFLICT, answered at once. So the losers never take the lock in turn, each for a round
 * trip and a rollback, after the winner: they are answered together when the winner commits. Only
 * when the row is still OPEN (the one holding it did not hold the demand) does it try again, and
 * after a few turns it waits on the lock like any change.
 */
async function hold(
  ctx: FinancingContext,
  id: string,
  kind: HoldKind,
  target: { institutionId: string; branchId: string | null; note?: string | null },
) {
  const key = demandId(id);
  const action = HOLD_ACTION[kind];
  // Before the transaction: the calendar, and the caller's standings (so the lock is held for no lookup).
  const calendar = await ctx.workingCalendar();
  let committed = await ctx.loaders.demandById.load(key);
  // A hold whose limit passed goes back to the pool first (use-cases/limits.ts): it can be held anew.
  // Only a held demand has a hold to lapse: an open one costs no look.
  if (committed && HELD_STATES.includes(committed.status) && (await returnLapsedHolds(ctx, key))) {
    committed = await ctx.loaders.demandById.clear(key).load(key);
  }
  if (committed) await ctx.access.canDemand(action, committed);
  const authorize = async (current: DemandRow) => {
    if (kind === 'CLAIMED' && current.status !== 'OPEN' && (await ctx.access.canDemand('CLAIM_DEMAND', { ...current, status: 'OPEN' }))) {
      throw errors.conflict(heldAlready, { currentState: current.status });
    }
    await ctx.access.assertDemand(action, current);
  };
  // Held already as committed (and not lapsed): refused on that row, without a transaction — what the
  // locked row would answer at this instant (a claimer arriving after the race is answered at once).
  if (committed && committed.status !== 'OPEN') await authorize(committed);
  // Another request of this process is holding it now (holds-in-flight.ts): wait for it, holding
  // nothing, and be judged on the row it committed; try in the database only if it failed.
  for (let other = ctx.holds.current(key); other; other = ctx.holds.current(key)) {
    const settled = await other.catch(() => null);
    if (settled && settled.status !== 'OPEN') await authorize(settled);
  }
  return ctx.holds.run(key, () => attemptHold(ctx, key, kind, target, calendar, Boolean(committed), authorize));
}

/** hold()'s attempt in the database, the one in flight for the demand in this process. */
async function attemptHold(
  ctx: FinancingContext,
  key: string,
  kind: HoldKind,
  target: { institutionId: string; branchId: string | null; note?: string | null },
  calendar: WorkingCalendar,
  /** Whether the demand was read as committed (else it is locked as any change: a missing one is NOT_FOUND). */
  read: boolean,
  authorize: (current: DemandRow) => Promise<void>,
): Promise<DemandRow> {
  for (let turn = 0; ; turn++) {
    try {
      return await changeRow(ctx.db, read && turn < BUSY_TURNS ? demandUnlessBusy : demandRow, {
        key,
        authorize,
        write: (tx, current) =>
          demandStore.update(tx, key, current.version, {
            status: 'CLAIMED',
            institutionId: target.institutionId,
            branchId: target.branchId,
            heldBy: kind,
            heldAt: ctx.now(),
          }),
        async record(tx, before, after) {
          const hoursToClaim = (ctx.now().getTime() - before.postedAt.getTime()) / 3_600_000;
          // The claim limit met first, so the step's figures see it (met late: past its limit).
          await limitStore.meet(tx, key, ['CLAIM'], ctx.now());
          await recordDemandStep(ctx, tx, after, {
            kind,
            institutionId: target.institutionId,
            branchId: target.branchId,
            note: target.note ?? null,
            data: { hoursToClaim },
          });
          await startLimits(tx, { calendar, officeHours: ctx.officeHours, now: ctx.now }, after, ['CONTACT', 'DECISION']);
        },
      });
    } catch (error) {
      if (!(error instanceof DemandBusy)) throw error;
    }
    // Busy: wait for the transaction holding it, holding nothing; a demand it left held is refused
    // here on the committed row, as it would be on the locked one (nothing is written either way).
    const settled = await demandStore.settled(ctx.db, key);
    if (settled && settled.status !== 'OPEN') await authorize(settled);
  }
}

/** Reads what a claim needs as committed in one statement (store.ts `claimBasis`) into the request's loaders, by the keys access asks them. */
async function primeClaimBasis(ctx: FinancingContext, key: string): Promise<void> {
  const { institution, branch } = ctx.viewer;
  if (!institution || !isUuid(institution) || (branch && !isUuid(branch))) return;
  const basis = await demandStore.claimBasis(ctx.db, key, institution.toLowerCase(), branch?.toLowerCase() ?? null);
  if (!basis) return;
  ctx.loaders.institutionById.prime(institution, basis.institution);
  ctx.loaders.demandById.prime(key, basis.demand);
  ctx.loaders.route.prime(`${key}|${institution.toLowerCase()}`, basis.route);
  if (branch) ctx.loaders.branchById.prime(branch, basis.branch);
}

/** `claimFinancingDemand` (抢单): an institution or branch it was routed to; the first wins. */
export async function claimFinancingDemand(ctx: FinancingContext, { id }: MutationClaimFinancingDemandArgs): Promise<DemandRow> {
  const key = demandId(id);
  const claimed = ctx.viewer.institution?.toLowerCase();
  // The caller's institution (its standing), its route, its branch and the demand in one statement,
  // primed into the loaders access and hold() read them from: one statement each of the 57 in a race.
  await primeClaimBasis(ctx, key);
  const [institutionId] = await Promise.all([
    ctx.access.institutionId(),
    claimed ? ctx.loaders.route.load(`${key}|${claimed}`) : null,
    ctx.loaders.demandById.load(key),
  ]);
  if (!institutionId) {
    await ctx.access.assertDemand('CLAIM_DEMAND');
    throw errors.internal();
  }
  const route = await ctx.loaders.route.load(`${key}|${institutionId}`);
  // A branch's token holds it for that branch; an institution's for its branch in the enterprise's district, if any.
  const branchId = (await ctx.access.branchId()) ?? route?.branchId ?? null;
  return hold(ctx, key, 'CLAIMED', { institutionId, branchId });
}

/** An active institution, and an active branch of it when one is named: BAD_USER_INPUT otherwise. */
async function activeTarget(ctx: FinancingContext, institutionId: string, branchId: string | null | undefined) {
  const institution = await ctx.loaders.institutionById.load(institutionId);
  if (!institution || institution.suspendedAt) {
    throw errors.badInput('institutionId', { zh: '金融机构不存在或已暂停', en: 'The institution does not exist or is suspended' });
  }
  if (!branchId) return { institutionId, branchId: null };
  const branch = await ctx.loaders.branchById.load(branchId);
  if (!branch || branch.suspendedAt || branch.institutionId !== institution.id) {
    throw errors.badInput('branchId', {
      zh: '网点不存在、已暂停或不属于该金融机构',
      en: 'The branch does not exist, is suspended or is not of the institution',
    });
  }
  return { institutionId, branchId };
}

/** `chooseFinancialInstitution`: the enterprise itself picks an institution (and branch) for its unclaimed demand. */
export async function chooseFinancialInstitution(ctx: FinancingContext, args: MutationChooseFinancialInstitutionArgs): Promise<DemandRow> {
  const given = parseInput(holdTarget, { institutionId: args.institutionId, branchId: args.branchId });
  await returnLapsedHolds(ctx, demandId(args.id));
  const committed = await ctx.loaders.demandById.load(demandId(args.id));
  if (committed) await ctx.access.assertDemand('CHOOSE_INSTITUTION', committed);
  const target = await activeTarget(ctx, given.institutionId.toLowerCase(), given.branchId?.toLowerCase());
  return hold(ctx, args.id, 'CHOSEN', target);
}

/** `dispatchFinancingDemand` (兜底): the regulator gives a demand nobody holds to an institution. */
export async function dispatchFinancingDemand(ctx: FinancingContext, args: MutationDispatchFinancingDemandArgs): Promise<DemandRow> {
  await ctx.access.assertDemand('DISPATCH_DEMAND');
  const given = parseInput(holdTarget, { institutionId: args.institutionId, branchId: args.branchId, note: args.note });
  const target = await activeTarget(ctx, given.institutionId.toLowerCase(), given.branchId?.toLowerCase());
  if (!(await ctx.loaders.institutionById.load(target.institutionId))) throw errors.notFound(INSTITUTION, target.institutionId);
  return hold(ctx, args.id, 'DISPATCHED', { ...target, note: given.note ?? null });
}
