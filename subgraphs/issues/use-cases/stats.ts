/**
 * The loop's figures: a unit's (with the units below a district or zone), a domain's, the city's,
 * the city's broken down by a dimension, and the units ranked by a rate. Who may read which is
 * access.ts's question; the definitions are figures.ts's.
 */
import type { DirectoryUnit } from '../../../platform/directory.ts';
import { period } from '../../../platform/periods.ts';
import type { IssuesContext } from '../context.ts';
import { emptyParts, figuresFrom, rankBy, type IssueStats } from '../figures.ts';
import type { StatsKey } from '../loaders.ts';
import type { QueryIssueStatsArgs, QueryIssueStatsByArgs, QueryUnitRankingArgs } from '../schema-types.ts';
import { statsParts, type RankRow, type StatsGroupRow } from '../store.ts';

/** The units a unit's figures count: itself, and for a district or zone every unit below it. */
async function unitsCountedFor(ctx: IssuesContext, unitId: string): Promise<string[]> {
  const dir = await ctx.access.directory();
  return dir.isAreaUnit(unitId) ? [unitId, ...dir.descendants(unitId).map((u) => u.id)] : [unitId];
}

/** `Unit.issueStats`. */
export async function unitStats(ctx: IssuesContext, unitId: string, args: QueryIssueStatsArgs): Promise<IssueStats> {
  const range = period(args.period);
  await ctx.access.assertReadsUnit(unitId);
  return ctx.loaders.stats.load({ kind: 'unit', key: unitId, units: await unitsCountedFor(ctx, unitId), period: range });
}

/** `Domain.issueStats`. */
export async function domainStats(ctx: IssuesContext, domainCode: string, args: QueryIssueStatsArgs): Promise<IssueStats> {
  const range = period(args.period);
  await ctx.access.assertReadsDomain(domainCode);
  const units = (await ctx.access.directory()).unitsOfDomain(domainCode).map((u) => u.id);
  return ctx.loaders.stats.load({ kind: 'domain', key: domainCode, units, period: range });
}

/** `issueStats`: the city's. */
export async function overallStats(ctx: IssuesContext, args: QueryIssueStatsArgs): Promise<IssueStats> {
  const range = period(args.period);
  await ctx.access.assertLoop('READ_CITY_STATS');
  return ctx.loaders.stats.load({ kind: 'all', key: 'ALL', units: [], period: range } satisfies StatsKey);
}

/** `issueStatsBy`: the city's, by environment, source or district. */
export async function statsBy(ctx: IssuesContext, { dimension, period: given }: QueryIssueStatsByArgs): Promise<StatsGroupRow[]> {
  const range = period(given);
  await ctx.access.assertLoop('READ_CITY_STATS');
  const parts = await statsParts(ctx.db, { kind: 'dimension', dimension }, range, ctx.now());
  return [...parts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, stats: figuresFrom(value) }));
}

/** `unitRanking`: active units (a district or zone with the units below it) by one rate. */
export async function ranking(ctx: IssuesContext, { rate, period: given, among }: QueryUnitRankingArgs): Promise<RankRow[]> {
  const range = period(given);
  await ctx.access.assertLoop('RANK_UNITS');
  const dir = await ctx.access.directory();
  const inArea = (unit: DirectoryUnit) =>
    [...dir.units.values()].some((area) => dir.isAreaUnit(area.id) && area.id !== unit.id && dir.isWithin(unit.id, area.id));
  const ranked = [...dir.units.values()].filter((unit) => {
    if (unit.archived || unit.kind === 'COMMAND_OFFICE') return false;
    if (among === 'DISTRICTS_AND_ZONES') return dir.isAreaUnit(unit.id);
    if (among === 'CITY_BUREAUS') return unit.level === 'CITY' && !dir.isAreaUnit(unit.id) && !inArea(unit);
    return true;
  });
  const pairs = ranked.flatMap((unit) =>
    (dir.isAreaUnit(unit.id) ? [unit.id, ...dir.descendants(unit.id).map((u) => u.id)] : [unit.id]).map((id) => ({
      unitId: id,
      key: unit.id,
    })),
  );
  const parts = await statsParts(ctx.db, { kind: 'units', pairs }, range, ctx.now());
  const entries = ranked.map((unit) => ({ item: unit, parts: parts.get(unit.id) ?? emptyParts }));
  return rankBy(entries, rate).map(({ item, figure, rank }) => ({
    rank,
    unitId: item.id,
    value: figure.value,
    numerator: figure.numerator,
    denominator: figure.denominator,
  }));
}
