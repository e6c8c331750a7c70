/**
 * Reading demands. Who sees which (access.ts decides; these only ask):
 * - the regulator and the command office: all; an enterprise: its own;
 * - an institution's staff: the demands routed to it while they are in the pool, and those it holds;
 *   a branch's: those routed to or held by that branch;
 * - before it holds a demand, an institution sees it without the enterprise's name, contact or
 *   credit code (industry, district, size, amount, term, purpose): those fields answer null.
 * A demand the caller may not see is missing (null), never refused.
 */
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { FinancingContext } from '../context.ts';
import { demandFilter } from '../input.ts';
import type { QueryFinancingDemandArgs, QueryFinancingDemandsArgs } from '../schema-types.ts';
import { returnLapsedHolds } from './limits.ts';
import { demandStore, type DemandRow, type DemandScope, type InstitutionRow, type LimitRow } from '../store.ts';

/** Which demands the caller's lists hold; FORBIDDEN (or UNAUTHENTICATED) for a caller with none. */
async function scopeOf(ctx: FinancingContext): Promise<DemandScope> {
  if (await ctx.access.canDemand('READ_ALL_DEMANDS')) return { kind: 'ALL' };
  const enterprise = ctx.access.enterprise();
  if (enterprise) return { kind: 'ENTERPRISE', creditCode: enterprise };
  const institutionId = await ctx.access.institutionId();
  const branchId = await ctx.access.branchId();
  if (institutionId && branchId) return { kind: 'BRANCH', institutionId, branchId };
  if (institutionId) return { kind: 'INSTITUTION', institutionId };
  await ctx.access.assertDemand('READ_ALL_DEMANDS');
  throw errors.internal();
}

/** `financingDemands`: the caller's demands, newest first. */
export async function financingDemands(ctx: FinancingContext, { filter }: QueryFinancingDemandsArgs, page: PageArgs) {
  const given = parseInput(demandFilter, filter ?? {}, 'filter');
  const scope = await scopeOf(ctx);
  // Holds whose limit passed are back in the pool before anything is listed (use-cases/limits.ts).
  await returnLapsedHolds(ctx);
  const query = {
    scope,
    status: given.status,
    source: given.source,
    districtCode: given.districtCode,
    institutionId: given.institutionId?.toLowerCase(),
    creditCode: given.creditCode,
    awaitingDispatchAt: given.awaitingDispatch ? ctx.now() : null,
  };
  return demandPage(ctx, query, page);
}

/** A page of demands (the Enterprise entity's list too). */
export async function demandPage(ctx: FinancingContext, query: Parameters<typeof demandStore.page>[1], page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => demandStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await demandStore.page(ctx.db, query, size + 1, after);
  return toConnection(rows, size, (row) => [row.postedAt.toISOString(), row.id], count, after !== null);
}

/** Whether the caller sees the demand at all (named or not). */
export async function canSeeDemand(ctx: FinancingContext, row: DemandRow): Promise<boolean> {
  return (await ctx.access.canDemand('READ_DEMAND', row)) || (await ctx.access.canDemand('READ_DEMAND_UNNAMED', row));
}

/** `financingDemand`: one demand; null when unknown or not the caller's to see. */
export async function financingDemand(ctx: FinancingContext, { id }: QueryFinancingDemandArgs): Promise<DemandRow | null> {
  if (!isUuid(id)) return null;
  await returnLapsedHolds(ctx, id.toLowerCase());
  const row = await ctx.loaders.demandById.load(id.toLowerCase());
  return row && (await canSeeDemand(ctx, row)) ? row : null;
}

/** A field only those who see the demand with its enterprise read (null for an institution before it holds it). */
export async function named<T>(ctx: FinancingContext, row: DemandRow, value: (row: DemandRow) => T): Promise<T | null> {
  return (await ctx.access.canDemand('READ_DEMAND', row)) ? value(row) : null;
}

/** The institutions a demand was routed to: the enterprise itself, the regulator, the command office. */
export async function routedTo(ctx: FinancingContext, row: DemandRow): Promise<InstitutionRow[]> {
  if (!(await ctx.access.canDemand('READ_ROUTES', row))) return [];
  const routes = await ctx.loaders.routesByDemand.load(row.id);
  const found = await Promise.all(routes.map((route) => ctx.loaders.institutionById.load(route.institutionId)));
  return found.filter((institution): institution is InstitutionRow => institution !== null);
}

/** The steps of a demand, for those who see it with its enterprise. */
export async function eventsOf(ctx: FinancingContext, row: DemandRow) {
  return (await ctx.access.canDemand('READ_DEMAND', row)) ? ctx.loaders.eventsByDemand.load(row.id) : [];
}

/** Its limits, for those who see it with its enterprise; only the claim limit for an institution before it holds it. */
export async function limitsOf(ctx: FinancingContext, row: DemandRow): Promise<LimitRow[]> {
  const limits = await ctx.loaders.limitsByDemand.load(row.id);
  if (await ctx.access.canDemand('READ_DEMAND', row)) return limits;
  return limits.filter((limit) => limit.kind === 'CLAIM');
}

/** The limit running now, earliest due first; null when none runs. */
export async function currentLimitOf(ctx: FinancingContext, row: DemandRow): Promise<LimitRow | null> {
  const running = (await limitsOf(ctx, row)).filter((limit) => !limit.metAt && !limit.endedAt);
  return running.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0] ?? null;
}
