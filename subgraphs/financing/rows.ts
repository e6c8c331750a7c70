/**
 * The financing slice's rows as the kit changes them (platform/change.ts `changeRow`, `createRow`):
 * how each kind of row is named and loaded — locked for the rest of the transaction — and the
 * change log every write appends to, with the row before and after.
 */
import { personOf } from '../../platform/auth.ts';
import type { RowKind } from '../../platform/change.ts';
import { present } from '../../platform/invariant.ts';
import type { Queryable } from '../../db/client.ts';
import type { FinancingContext } from './context.ts';
import { branchStore, changeStore, institutionStore, productStore, type BranchRow, type InstitutionRow, type ProductRow } from './store.ts';

export const INSTITUTION = { zh: '金融机构', en: 'Financial institution' };
export const BRANCH = { zh: '网点', en: 'Branch' };
export const PRODUCT = { zh: '金融产品', en: 'Financial product' };

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
