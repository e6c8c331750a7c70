/**
 * Keeping the network: the regulator adds, edits and suspends institutions and their branches.
 * Each mutation parses what the caller sent (input.ts), asks access.ts, then changes the row through
 * the kit's one way (platform/change.ts): locked, authorized again on the locked row, written, and
 * recorded in the change log, in one transaction.
 */
import { changeRow, createRow } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput, uuid } from '../../../platform/input.ts';
import { sqlState, SqlState } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { createBranchInput, createInstitutionInput, suspensionReason, updateBranchInput, updateInstitutionInput } from '../input.ts';
import { BRANCH, branchRow, INSTITUTION, institutionRow, recordChange } from '../rows.ts';
import type {
  MutationCreateBranchArgs,
  MutationCreateFinancialInstitutionArgs,
  MutationSuspendBranchArgs,
  MutationSuspendFinancialInstitutionArgs,
  MutationUpdateBranchArgs,
  MutationUpdateFinancialInstitutionArgs,
} from '../schema-types.ts';
import { branchStore, institutionStore, type BranchRow, type InstitutionRow } from '../store.ts';

const institutionTaken: Bilingual = {
  zh: '已有同名或同一统一社会信用代码的金融机构',
  en: 'An institution with that name or credit code exists already',
};
const branchTaken: Bilingual = { zh: '该金融机构已有同名网点', en: 'The institution has a branch of that name already' };

/** A unique key the write ran into as CONFLICT; anything else as it is. */
const uniqueConflict =
  (message: Bilingual) =>
  (error: unknown): never => {
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) throw errors.conflict(message);
    throw error;
  };

const institutionId = (id: string) => parseInput(uuid(INSTITUTION), id, 'id');
const branchId = (id: string) => parseInput(uuid(BRANCH), id, 'id');

/** `createFinancialInstitution`: the regulator. */
export async function createFinancialInstitution(
  ctx: FinancingContext,
  { input }: MutationCreateFinancialInstitutionArgs,
): Promise<InstitutionRow> {
  await ctx.access.assert('CREATE_INSTITUTION');
  const given = parseInput(createInstitutionInput, input);
  return createRow(ctx.db, institutionRow, {
    authorize: () => ctx.access.assert('CREATE_INSTITUTION'),
    write: (tx) => institutionStore.insert(tx, { ...given, createdAt: ctx.now(), updatedAt: ctx.now() }),
    exists: institutionTaken,
    record: (tx, row) => recordChange(ctx, tx, { entity: 'institution', key: row.id, action: 'create', before: null, after: row }),
  }).catch(uniqueConflict(institutionTaken));
}

/** `updateFinancialInstitution`: the regulator; omitted fields stay; `expectedVersion` guards against lost updates. */
export async function updateFinancialInstitution(
  ctx: FinancingContext,
  { id, input }: MutationUpdateFinancialInstitutionArgs,
): Promise<InstitutionRow> {
  await ctx.access.assert('UPDATE_INSTITUTION');
  const key = institutionId(id);
  const given = parseInput(updateInstitutionInput, input);
  return changeRow(ctx.db, institutionRow, {
    key,
    expectedVersion: given.expectedVersion,
    authorize: (current) => ctx.access.assert('UPDATE_INSTITUTION', { kind: 'institution', row: current }),
    write: (tx, current) =>
      institutionStore.update(tx, key, current.version, {
        name: given.name ?? current.name,
        kind: given.kind ?? current.kind,
        districtCodes: given.districtCodes ?? current.districtCodes,
        contact: given.contact ?? current.contact,
      }),
    record: (tx, before, after) => recordChange(ctx, tx, { entity: 'institution', key, action: 'update', before, after }),
  }).catch(uniqueConflict(institutionTaken));
}

/** `suspendFinancialInstitution`: the regulator; the institution's tokens act for nobody from then on. */
export async function suspendFinancialInstitution(
  ctx: FinancingContext,
  { id, reason }: MutationSuspendFinancialInstitutionArgs,
): Promise<InstitutionRow> {
  await ctx.access.assert('SUSPEND_INSTITUTION');
  const key = institutionId(id);
  const why = parseInput(suspensionReason, reason, 'reason');
  return changeRow(ctx.db, institutionRow, {
    key,
    authorize: (current) => ctx.access.assert('SUSPEND_INSTITUTION', { kind: 'institution', row: current }),
    write: (tx, current) => institutionStore.update(tx, key, current.version, { suspendedAt: ctx.now() }),
    record: (tx, before, after) =>
      recordChange(ctx, tx, { entity: 'institution', key, action: 'suspend', before, after: { ...after, reason: why } }),
  });
}

/** `createBranch`: the regulator, for an active institution (locked while the branch is added). */
export async function createBranch(ctx: FinancingContext, { input }: MutationCreateBranchArgs): Promise<BranchRow> {
  await ctx.access.assert('CREATE_BRANCH');
  const given = parseInput(createBranchInput, input);
  return createRow(ctx.db, branchRow, {
    async authorize(tx) {
      const institution = await institutionStore.lock(tx, given.institutionId);
      if (!institution) throw errors.notFound(INSTITUTION, given.institutionId);
      await ctx.access.assert('CREATE_BRANCH', { kind: 'institution', row: institution });
    },
    write: (tx) => branchStore.insert(tx, { ...given, createdAt: ctx.now(), updatedAt: ctx.now() }),
    exists: branchTaken,
    record: (tx, row) => recordChange(ctx, tx, { entity: 'branch', key: row.id, action: 'create', before: null, after: row }),
  }).catch(uniqueConflict(branchTaken));
}

/** `updateBranch`: the regulator. */
export async function updateBranch(ctx: FinancingContext, { id, input }: MutationUpdateBranchArgs): Promise<BranchRow> {
  await ctx.access.assert('UPDATE_BRANCH');
  const key = branchId(id);
  const given = parseInput(updateBranchInput, input);
  return changeRow(ctx.db, branchRow, {
    key,
    expectedVersion: given.expectedVersion,
    authorize: (current) => ctx.access.assert('UPDATE_BRANCH', { kind: 'branch', row: current }),
    write: (tx, current) =>
      branchStore.update(tx, key, current.version, {
        name: given.name ?? current.name,
        districtCode: given.districtCode ?? current.districtCode,
        contact: given.contact ?? current.contact,
      }),
    record: (tx, before, after) => recordChange(ctx, tx, { entity: 'branch', key, action: 'update', before, after }),
  }).catch(uniqueConflict(branchTaken));
}

/** `suspendBranch`: the regulator; the branch's tokens act for nobody from then on. */
export async function suspendBranch(ctx: FinancingContext, { id, reason }: MutationSuspendBranchArgs): Promise<BranchRow> {
  await ctx.access.assert('SUSPEND_BRANCH');
  const key = branchId(id);
  const why = parseInput(suspensionReason, reason, 'reason');
  return changeRow(ctx.db, branchRow, {
    key,
    authorize: (current) => ctx.access.assert('SUSPEND_BRANCH', { kind: 'branch', row: current }),
    write: (tx, current) => branchStore.update(tx, key, current.version, { suspendedAt: ctx.now() }),
    record: (tx, before, after) =>
      recordChange(ctx, tx, { entity: 'branch', key, action: 'suspend', before, after: { ...after, reason: why } }),
  });
}
