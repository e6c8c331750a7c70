/**
 * The financing slice's rows as the kit changes them (platform/change.ts `changeRow`, `createRow`):
 * how each kind of row is named and loaded — locked for the rest of the transaction — and the
 * change log every write appends to, with the row before and after.
 */
import { personOf } from '../../platform/auth.ts';
import type { RowKind } from '../../platform/change.ts';
import { present } from '../../platform/invariant.ts';
import { emit } from '../../platform/outbox.ts';
import type { Queryable } from '../../db/client.ts';
import type { FinancingContext } from './context.ts';
import { changesOfStep } from './figures.ts';
import { demandNotice } from './notices.ts';
import { demandStateNames } from './rules.ts';
import {
  branchStore,
  changeStore,
  demandStore,
  eventStore,
  figureStore,
  financingOutbox,
  institutionStore,
  productStore,
  type BranchRow,
  type DemandEventRow,
  type DemandRow,
  type InstitutionRow,
  type ProductRow,
} from './store.ts';

export const INSTITUTION = { zh: '金融机构', en: 'Financial institution' };
export const BRANCH = { zh: '网点', en: 'Branch' };
export const PRODUCT = { zh: '金融产品', en: 'Financial product' };
export const DEMAND = { zh: '融资需求', en: 'Financing demand' };

const stateOf = (row: { suspendedAt: Date | null }) => (row.suspendedAt ? 'SUSPENDED' : 'ACTIVE');

/** An institution, by id. */
export const institutionRow: RowKind<InstitutionRow, Queryable> = {
  noun: INSTITUTION,
  load: (tx, id) => institutionStore.lock(tx, id),
  version: (row) => row.version,
  state: stateOf,
};

/** A branch, by id. */
export const branchRow: RowKind<BranchRow, Queryable> = {
  noun: BRANCH,
  load: (tx, id) => branchStore.lock(tx, id),
  version: (row) => row.version,
  state: stateOf,
};

/** A product, by id. */
export const productRow: RowKind<ProductRow, Queryable> = {
  noun: PRODUCT,
  load: (tx, id) => productStore.lock(tx, id),
  version: (row) => row.version,
  state: (row) => row.status,
};

/** A demand, by id. */
export const demandRow: RowKind<DemandRow, Queryable> = {
  noun: DEMAND,
  load: (tx, id) => demandStore.lock(tx, id),
  version: (row) => row.version,
  state: (row) => row.status,
  stateName: (row) => demandStateNames[row.status],
};

/**
 * One step of a demand, as a use case records it. What `data` holds, by kind (the kept figures
 * read it, so every use case writes it this way):
 * - POSTED, IMPORTED: `{ amount }` (yuan asked);
 * - ROUTED: `{ institutions }` (how many it was routed to);
 * - CLAIMED, DISPATCHED, CHOSEN: `{ hoursToClaim }` (hours from posting to the hold, a number);
 * - APPROVED: `{ amount, workingDaysToDecision }`; DECLINED: `{ reasonCode, workingDaysToDecision }`
 *   (working days from the hold to the decision, on the platform's calendar);
 * - DISBURSED: `{ loanId, amount, rateBp, termMonths, pureCredit, firstLoan }`;
 * - RETURNED (a holder's limit lapsed; the demand went back to the pool): `{ limitKind }`, with the
 *   institution and branch that held it;
 * - RECEIVED: `{ loanId }`; RATED: `{ rating, score }` (score 5 = very satisfied … 1);
 * - WITHDRAWN, CONTACTED: none needed.
 * The figures (figures.ts) read DISBURSED's `amount`, `rateBp`, `pureCredit`, `firstLoan`,
 * APPROVED's and DECLINED's `workingDaysToDecision` (a whole number) and RATED's `rating`: a step
 * without them fails (an internal error, nothing written). The amount asked, the minutes to claim
 * (from the demand's postedAt to the step) and the limits past due they take from the rows.
 */
export interface DemandStep {
  kind: DemandEventRow['kind'];
  institutionId?: string | null;
  branchId?: string | null;
  note?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * Appends a step of `demand` (the row as the step left it) to its append-only history, as the
 * caller of this request (or as the platform, for a step no person took), at the platform's clock —
 * in the transaction of the step. The one way every step is recorded, and the one place the kept
 * figures move (figures.ts says what each kind counts): in the same transaction, the step's event
 * names the institution and branch it concerns (the step's, else the demand's holder after the
 * step), any limit of the demand found stopped past its due time is recorded once as late
 * (limit_lateness) and counted, the kept rows of the day, the month and all time are added to (the
 * all-time rows' versions move), and the step's outbox event, when it tells someone (notices.ts: the
 * enterprise, the holder), is written.
 *
 * So that the figures see what the step did, record the step AFTER its changes: the routes inserted
 * before ROUTED, the limits met or ended before the step that met or ended them. The kept rows are
 * locked city's row first; a transaction that steps several demands locks them all before its first step.
 */
export async function recordDemandStep(
  ctx: Pick<FinancingContext, 'viewer' | 'now'>,
  tx: Queryable,
  demand: DemandRow,
  step: DemandStep,
): Promise<DemandEventRow> {
  const person = personOf(ctx.viewer);
  const institutionId = step.institutionId !== undefined ? step.institutionId : demand.institutionId;
  const branchId =
    step.branchId !== undefined ? step.branchId : institutionId !== null && institutionId === demand.institutionId ? demand.branchId : null;
  const event = await eventStore.append(tx, {
    demandId: demand.id,
    kind: step.kind,
    at: ctx.now(),
    institutionId,
    branchId,
    actorIssuer: person?.issuer ?? null,
    actorRole: person?.role ?? 'SYSTEM',
    actorSubject: person?.subject ?? 'platform',
    actorUnitId: ctx.viewer.unitId,
    note: step.note ?? null,
    data: step.data ?? null,
  });
  const routes = step.kind === 'ROUTED' ? await figureStore.routesOf(tx, demand.id) : [];
  const late = await figureStore.recordLateness(tx, demand.id);
  const changes = changesOfStep(demand, event, routes, late);
  await figureStore.apply(tx, changes.figures, changes.values);
  // The step's notice (notices.ts says which steps tell whom): committed with the step or not at all.
  const notice = demandNotice(demand, event);
  if (notice) await emit(tx, financingOutbox, notice, event.at);
  return event;
}

/** One entry of the change log: what changed, how, from what to what. */
export interface Change {
  entity: 'institution' | 'branch' | 'product';
  key: string;
  action: 'create' | 'update' | 'suspend';
  before: object | null;
  after: object | null;
}

/** Rows as the change log keeps them: plain JSON (dates as ISO strings). */
const snapshot = (row: object) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>;

/** Appends `change` to the change log (append-only, by trigger), as the caller of this request. */
export async function recordChange(ctx: FinancingContext, tx: Queryable, change: Change): Promise<void> {
  const person = present(personOf(ctx.viewer), 'the person of a caller allowed to write');
  await changeStore.append(tx, {
    entity: change.entity,
    entityKey: change.key,
    action: change.action,
    actorIssuer: person.issuer,
    actorRole: person.role,
    actorSubject: person.subject,
    actorUnitId: ctx.viewer.unitId,
    before: change.before ? snapshot(change.before) : null,
    after: change.after ? snapshot(change.after) : null,
    at: ctx.now(),
  });
}
