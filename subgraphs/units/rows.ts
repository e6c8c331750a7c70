/**
 * The units slice's rows as the kit changes them (platform/change.ts `changeRow`, `createRow`): how
 * each kind of row is named and loaded — locked for the rest of the transaction, so concurrent edits
 * queue instead of interleaving — and the change log every write appends to, with the row before
 * and after. A use case supplies the rest: who may (access.ts), the next state, the write.
 */
import type { RowKind } from '../../platform/change.ts';
import { present } from '../../platform/invariant.ts';
import type { Queryable } from '../../db/client.ts';
import type { UnitsContext } from './context.ts';
import { changeStore, enterpriseStore, unitStore, type EnterpriseRow, type UnitRow } from './store.ts';

export const UNIT = { zh: '单位', en: 'Unit' };
const ENTERPRISE = { zh: '市场主体', en: 'Enterprise' };

/** A unit, by id. */
export const unitRow: RowKind<UnitRow, Queryable> = {
  noun: UNIT,
  load: (tx, id) => unitStore.lock(tx, id),
  version: (row) => row.version,
};

/** An enterprise of the registry, by credit code (locked even while no row exists: see `enterpriseStore.lock`). */
export const enterpriseRow: RowKind<EnterpriseRow, Queryable> = {
  noun: ENTERPRISE,
  load: (tx, code) => enterpriseStore.lock(tx, code),
  version: (row) => row.version,
};

/** Rows as the change log keeps them: plain JSON (dates as ISO strings). */
function snapshot(row: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
}

/** One entry of the change log: what changed (`entity`, `key`), how (`action`), by whom, from what to what. */
export interface Change {
  entity: 'unit' | 'enterprise';
  key: string;
  action: 'create' | 'update' | 'archive';
  before: object | null;
  after: object | null;
}

/** Appends `change` to the change log (append-only, by trigger), as the caller of this request. */
export async function recordChange(ctx: UnitsContext, tx: Queryable, change: Change): Promise<void> {
  await changeStore.append(tx, {
    entity: change.entity,
    entityKey: change.key,
    action: change.action,
    actorSubject: present(ctx.viewer.subject, 'the subject of a caller allowed to write'),
    actorRole: ctx.viewer.role,
    actorUnitId: ctx.viewer.unitId,
    before: change.before ? snapshot(change.before) : null,
    after: change.after ? snapshot(change.after) : null,
  });
}
