/**
 * Figures and service reviews: a unit's (the unit itself, its domain's lead unit, the command
 * office), a domain's (its lead unit, the command office) and the city's (the command office), over
 * a period; only the parts a request selects are computed (`fields`). Limits are counted once the
 * calendar copy is current.
 */
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { PoliciesContext } from '../context.ts';
import { reviewStore, statsPartsKey, type Period, type PolicyStats } from '../store.ts';

export async function unitStats(
  ctx: PoliciesContext,
  unitId: string,
  period: Period | null,
  fields?: ReadonlySet<string>,
): Promise<PolicyStats> {
  await ctx.access.assertReadsUnitStats(unitId);
  await ctx.limitsUpToDate();
  return ctx.loaders.stats.load({ kind: 'unit', key: unitId, period, parts: fields && statsPartsKey(fields) });
}

export async function domainStats(
  ctx: PoliciesContext,
  domainCode: string,
  period: Period | null,
  fields?: ReadonlySet<string>,
): Promise<PolicyStats> {
  await ctx.access.assertReadsDomainStats(domainCode);
  await ctx.limitsUpToDate();
  return ctx.loaders.stats.load({ kind: 'domain', key: domainCode, period, parts: fields && statsPartsKey(fields) });
}

export async function cityStats(ctx: PoliciesContext, period: Period | null, fields?: ReadonlySet<string>): Promise<PolicyStats> {
  await ctx.access.assert('READ_CITY_STATS');
  await ctx.limitsUpToDate();
  return ctx.loaders.stats.load({ kind: 'all', key: 'ALL', period, parts: fields && statsPartsKey(fields) });
}

/** `Unit.applicationReviews`: the enterprises' ratings of a unit's handling, newest first. */
export async function applicationReviews(ctx: PoliciesContext, unitId: string, period: Period | null, page: PageArgs) {
  await ctx.access.assertReadsUnitStats(unitId);
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => reviewStore.count(ctx.db, unitId, period, exactCountLimit(ctx)));
  const rows = await reviewStore.page(ctx.db, unitId, period, size + 1, after);
  return toConnection(rows, size, (row) => [row.reviewedAt.toISOString(), row.id], count, after !== null);
}
