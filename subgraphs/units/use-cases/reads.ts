/**
 * Reading the organisation: the plan's reference data and the unit directory, public to every
 * caller (anonymous included), and a unit's change history (the command office only).
 */
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { countBeside, decodeIntegerCursor, exactCountLimit, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { UnitsContext } from '../context.ts';
import { unitFilter } from '../input.ts';
import type { QueryUnitArgs, QueryUnitsArgs } from '../schema-types.ts';
import { changeStore, referenceStore, unitStore, type UnitRow } from '../store.ts';

const notLoaded = () => errors.serviceUnavailable({ zh: '参考数据尚未载入', en: 'Reference data is not loaded yet' });

// ---- the plan's reference data ----

export async function campaign(ctx: UnitsContext) {
  const [row] = await referenceStore.campaign(ctx.db);
  if (!row) throw notLoaded();
  return row;
}

export const campaignSteps = (ctx: UnitsContext) => referenceStore.steps(ctx.db);
export const stepDeadlines = (ctx: UnitsContext, stepCode: string) => ctx.loaders.deadlinesByStep.load(stepCode);
export const observerTeams = (ctx: UnitsContext) => referenceStore.observerTeams(ctx.db);
export const environments = (ctx: UnitsContext) => referenceStore.environments(ctx.db);
export const problemSources = (ctx: UnitsContext) => referenceStore.problemSources(ctx.db);
export const domains = (ctx: UnitsContext) => referenceStore.domains(ctx.db);
export const domain = (ctx: UnitsContext, code: string) => ctx.loaders.domainByCode.load(code);
export const districts = (ctx: UnitsContext) => referenceStore.districts(ctx.db);
export const district = (ctx: UnitsContext, code: string) => ctx.loaders.districtByCode.load(code);
export const districtUnit = (ctx: UnitsContext, code: string) => ctx.loaders.districtUnitByDistrict.load(code);
export const industries = (ctx: UnitsContext) => referenceStore.industries(ctx.db);
/** The GB/T 4754 section an industry code belongs to (its first letter). */
export const industry = (ctx: UnitsContext, code: string) => ctx.loaders.industryByCode.load(code.slice(0, 1));

export async function commandOffice(ctx: UnitsContext): Promise<UnitRow> {
  const [unit] = await unitStore.commandOffice(ctx.db);
  if (!unit) throw notLoaded();
  return unit;
}

// ---- the unit directory ----

export const unitById = (ctx: UnitsContext, id: string) => ctx.loaders.unitById.load(id);

/** `unit(id | code)`: exactly one of them. */
export async function unit(ctx: UnitsContext, { id, code }: QueryUnitArgs): Promise<UnitRow | null> {
  if (id) {
    if (code) throw errors.badInput('id', { zh: '请给出 id 或 code 中的一个', en: 'Give exactly one of id or code' });
    return ctx.loaders.unitById.load(id);
  }
  if (!code) throw errors.badInput('id', { zh: '请给出 id 或 code 中的一个', en: 'Give exactly one of id or code' });
  return ctx.loaders.unitByCode.load(code);
}

export async function units(ctx: UnitsContext, { filter: given }: QueryUnitsArgs, page: PageArgs) {
  const filter = parseInput(unitFilter, given ?? {});
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeIntegerCursor(page.after) : null;
  const count = countBeside(page.counted, () => unitStore.count(ctx.db, filter, exactCountLimit(ctx)));
  const rows = await unitStore.page(ctx.db, filter, size + 1, after);
  for (const row of rows) ctx.loaders.unitById.prime(row.id, row);
  return toConnection(rows, size, (row) => [row.position], count, after !== null);
}

/** The active units of a domain, in directory order. */
export const domainUnits = (ctx: UnitsContext, domainCode: string) => ctx.loaders.activeUnitsByDomain.load(domainCode);

export async function leadUnit(ctx: UnitsContext, domainCode: string): Promise<UnitRow> {
  const lead = (await domainUnits(ctx, domainCode)).find((row) => row.kind === 'LEAD');
  if (!lead) throw errors.serviceUnavailable({ zh: `重点领域 ${domainCode} 缺少牵头单位`, en: `Domain ${domainCode} has no lead unit` });
  return lead;
}

/** `Unit.changes`: the unit's change log, oldest first (the command office only). */
export async function unitChanges(ctx: UnitsContext, unitId: string, page: PageArgs) {
  await ctx.access.assert('READ_UNIT_CHANGES');
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeIntegerCursor(page.after) : null;
  const count = countBeside(page.counted, () => changeStore.count(ctx.db, 'unit', unitId, exactCountLimit(ctx)));
  const rows = await changeStore.page(ctx.db, 'unit', unitId, size + 1, after);
  return toConnection(rows, size, (row) => [row.id], count, after !== null);
}
