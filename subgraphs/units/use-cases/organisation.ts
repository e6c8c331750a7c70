/**
 * Keeping the organisation: create, change and archive units. Each mutation parses what the caller
 * sent (input.ts), asks access.ts before anything is read for writing (who may shape which unit is
 * asked on committed data, outside the transaction), then changes the row through the kit's one
 * way (platform/change.ts): locked, authorized again on the locked row, written, and recorded in
 * the change log, in one transaction.
 */
import { changeRow, createRow, versionConflict } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { sqlState, SqlState, type Queryable } from '../../../db/client.ts';
import { COMMAND_OFFICE_CODE } from '../../../db/reference/organisation.ts';
import type { UnitShape } from '../access.ts';
import type { UnitsContext } from '../context.ts';
import { archiveReason, createUnitInput, updateUnitInput } from '../input.ts';
import { recordChange, UNIT, unitRow } from '../rows.ts';
import type { MutationArchiveUnitArgs, MutationCreateUnitArgs, MutationUpdateUnitArgs } from '../schema-types.ts';
import { unitStore, type UnitRow } from '../store.ts';
import { requireDistrict, requireDomain } from './lookups.ts';

/** A unit as a write would leave it, with its name (and its id, once it has one). */
type UnitDraft = UnitShape & { id?: string };

/** The unit as it stands before a write (read outside the write's transaction, for the access check). */
async function unitBefore(ctx: UnitsContext, id: string): Promise<UnitRow> {
  const row = await ctx.loaders.unitById.load(id);
  if (!row) throw errors.notFound(UNIT, id);
  return row;
}

/** Checks the shape of a unit as it would be after a create or an update, inside the write's transaction. */
async function validateShape(ctx: UnitsContext, tx: Queryable, unit: UnitDraft, { isCommandOffice = false } = {}): Promise<void> {
  if (unit.kind === 'COMMAND_OFFICE' && !isCommandOffice) {
    throw errors.badInput('kind', {
      zh: '市指挥部办公室只有一个，不能新增或改为该类别',
      en: 'There is exactly one command office; no unit can be made one',
    });
  }
  if ((unit.kind === 'LEAD' || unit.kind === 'RESPONSIBLE') && !unit.domainCode) {
    throw errors.badInput('domainCode', {
      zh: '牵头单位和主责单位必须属于一个重点领域',
      en: 'Lead and responsible units must belong to a domain',
    });
  }
  if ((unit.kind === 'DISTRICT' || unit.kind === 'FUNCTION_ZONE') && !unit.districtCode) {
    throw errors.badInput('districtCode', {
      zh: '区(市)和功能区单位必须指明所在区(市)',
      en: 'District and function-zone units must name their district',
    });
  }
  await requireDomain(ctx, unit.domainCode, 'domainCode', tx);
  await requireDistrict(ctx, unit.districtCode, 'districtCode', tx);
  if (unit.parentId == null) return;
  const [parent] = await unitStore.byIds(tx, [unit.parentId]);
  if (!parent) throw errors.badInput('parentId', { zh: `上级单位不存在：${unit.parentId}`, en: `No such parent unit: ${unit.parentId}` });
  if (unit.id && (unit.parentId === unit.id || (await unitStore.isAncestor(tx, unit.parentId, unit.id)))) {
    throw errors.badInput('parentId', { zh: '上级单位不能是自己或下级单位', en: 'A unit cannot sit under itself or its own sub-unit' });
  }
}

const leadTaken = (domainCode: string | null | undefined): Bilingual => ({
  zh: `重点领域 ${domainCode} 已有牵头单位，请先调整原牵头单位`,
  en: `Domain ${domainCode} already has a lead unit; change that one first`,
});

/** A unique key the write ran into (a unit code, the one lead of a domain) as CONFLICT; anything else as it is. */
const uniqueConflict =
  (message: Bilingual) =>
  (error: unknown): never => {
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) throw errors.conflict(message);
    throw error;
  };

/** `createUnit`: the command office any unit; an area admin a town- or village-level unit below its own. */
export async function createUnit(ctx: UnitsContext, { input }: MutationCreateUnitArgs): Promise<UnitRow> {
  await ctx.access.assert('CREATE_UNIT');
  const unit = await ctx.access.assertShape(parseInput(createUnitInput, input));
  const taken =
    unit.kind === 'LEAD'
      ? {
          zh: `单位代码 ${unit.code} 已存在，或${leadTaken(unit.domainCode).zh}`,
          en: `Unit code ${unit.code} exists, or ${leadTaken(unit.domainCode).en}`,
        }
      : { zh: `单位代码已存在：${unit.code}`, en: `Unit code already exists: ${unit.code}` };
  return createRow(ctx.db, unitRow, {
    authorize: () => ctx.access.assert('CREATE_UNIT'),
    async write(tx) {
      await validateShape(ctx, tx, unit);
      return unitStore.insert(tx, {
        code: unit.code,
        name: unit.name,
        aliases: unit.aliases ?? [],
        kind: unit.kind,
        level: unit.level,
        domainCode: unit.domainCode ?? null,
        districtCode: unit.districtCode ?? null,
        parentId: unit.parentId ?? null,
      });
    },
    exists: taken,
    record: (tx, row) => recordChange(ctx, tx, { entity: 'unit', key: row.id, action: 'create', before: null, after: row }),
  }).catch(uniqueConflict(taken));
}

/** `updateUnit`: omitted fields stay, an explicit null clears a nullable one; `expectedVersion` guards against lost updates. */
export async function updateUnit(ctx: UnitsContext, { id, input: given }: MutationUpdateUnitArgs): Promise<UnitRow> {
  await ctx.access.assert('UPDATE_UNIT');
  const input = parseInput(updateUnitInput, given);
  // Who may shape which unit is asked before the transaction, on the unit as it stands.
  const before = await unitBefore(ctx, id);
  const pick = <K extends keyof typeof input & keyof UnitRow>(key: K) => (input[key] === undefined ? before[key] : input[key]);
  await ctx.access.assertKeeps(before);
  await ctx.access.assertShape({
    kind: input.kind ?? before.kind,
    level: input.level ?? before.level,
    domainCode: pick('domainCode'),
    districtCode: pick('districtCode'),
    parentId: pick('parentId'),
  });
  return changeRow(ctx.db, unitRow, {
    key: id,
    expectedVersion: input.expectedVersion,
    async authorize(current) {
      await ctx.access.assert('UPDATE_UNIT', current);
      // The access check above was made on `before`: it holds only if nobody changed the unit since.
      if (current.version !== before.version) throw versionConflict(UNIT, current.version);
    },
    async write(tx, current) {
      if (current.kind === 'COMMAND_OFFICE' && input.kind && input.kind !== 'COMMAND_OFFICE') {
        throw errors.badInput('kind', { zh: '市指挥部办公室的类别不能修改', en: "The command office's kind cannot change" });
      }
      const next = {
        name: input.name ?? current.name,
        kind: input.kind ?? current.kind,
        level: input.level ?? current.level,
        domainCode: input.domainCode === undefined ? current.domainCode : input.domainCode,
        districtCode: input.districtCode === undefined ? current.districtCode : input.districtCode,
        parentId: input.parentId === undefined ? current.parentId : input.parentId,
        aliases: input.aliases ?? current.aliases,
      };
      // The command office keeps its kind, but its domain, district and parent are checked like any unit's.
      await validateShape(ctx, tx, { ...next, id }, { isCommandOffice: current.kind === 'COMMAND_OFFICE' });
      return unitStore.update(tx, id, current.version, next);
    },
    record: (tx, current, row) => recordChange(ctx, tx, { entity: 'unit', key: id, action: 'update', before: current, after: row }),
  }).catch(uniqueConflict(leadTaken(input.domainCode)));
}

/** `archiveUnit`: units are archived, never deleted; the command office and a lead unit cannot be. */
export async function archiveUnit(ctx: UnitsContext, { id, reason }: MutationArchiveUnitArgs): Promise<UnitRow> {
  await ctx.access.assert('ARCHIVE_UNIT');
  const why = parseInput(archiveReason, reason, 'reason');
  await ctx.access.assertKeeps(await unitBefore(ctx, id));
  return changeRow(ctx.db, unitRow, {
    key: id,
    authorize: (current) => ctx.access.assert('ARCHIVE_UNIT', current),
    write(tx, current) {
      if (current.kind === 'COMMAND_OFFICE' || current.code === COMMAND_OFFICE_CODE) {
        throw errors.invalidTransition({ zh: '市指挥部办公室不能归档', en: 'The command office cannot be archived' }, 'ACTIVE');
      }
      if (current.kind === 'LEAD') {
        throw errors.invalidTransition(
          {
            zh: '牵头单位不能直接归档，请先把牵头职责交给另一单位',
            en: 'A lead unit cannot be archived; hand its domain to another unit first',
          },
          'ACTIVE',
        );
      }
      return unitStore.update(tx, id, current.version, { archivedAt: ctx.now() });
    },
    record: (tx, current, row) =>
      recordChange(ctx, tx, { entity: 'unit', key: id, action: 'archive', before: current, after: { ...row, reason: why } }),
  });
}
