/**
 * `financingStats(period)`: the kept figures (figures.ts says what each counts) of the city and
 * every institution, branch, district and product category — or, for an institution's staff, its
 * own and its branches' — read in one SQL statement whatever their number.
 *
 * Each process keeps the answers it computed (`StatsCache`, per scope and period) with the mark of
 * the figures they were computed at (store.ts `FIGURES_MARK`): the one statement then reads the
 * mark first and computes nothing while it is unchanged — a board asked again and again between
 * steps costs one short read. Any step that moves a figure moves the mark, in the snapshot the
 * statement reads, so a cached answer is never one a commit has changed.
 */
import { referenceDistricts } from '../../../db/reference/organisation.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import type { FinancingContext } from '../context.ts';
import { categoryNames, figuresFrom } from '../figures.ts';
import type { FinancingStats } from '../stats-cache.ts';
import type { QueryFinancingStatsArgs } from '../schema-types.ts';
import { figureStore, type StatsRow, type StatsScope } from '../store.ts';

const figuresOf = (row: StatsRow) => figuresFrom(row.parts, row);

/** The answer's shape from the statement's rows: plain objects, every field a property (no resolver per field). */
function statsOf(rows: StatsRow[]): FinancingStats {
  const groups = (dimension: StatsRow['dimension']) =>
    rows.filter((row) => row.dimension === dimension).map((row) => ({ key: row.key, name: row.name, figures: figuresOf(row) }));
  const city = rows.find((row) => row.dimension === 'CITY');
  return {
    city: city ? figuresOf(city) : null,
    institutions: groups('INSTITUTION'),
    branches: groups('BRANCH'),
    districts: groups('DISTRICT'),
    categories: groups('CATEGORY'),
  };
}

export async function financingStats(ctx: FinancingContext, args: QueryFinancingStatsArgs): Promise<FinancingStats> {
  periodOf(args.period); // BAD_USER_INPUT when it ends before it starts
  const allowed = await ctx.access.statsScope();
  const scope: StatsScope =
    allowed.kind === 'ALL'
      ? {
          kind: 'ALL',
          districts: referenceDistricts.map((district) => ({ key: district.code, name: district.name })),
          categories: Object.entries(categoryNames).map(([key, name]) => ({ key, name })),
        }
      : allowed;
  const days = args.period ? { from: args.period.from, to: args.period.to } : null;
  const key = `${allowed.kind === 'ALL' ? '*' : allowed.institutionId}|${days ? `${days.from}|${days.to}` : ''}`;
  const cached = ctx.statsCache.get(key);
  const read = await figureStore.stats(ctx.db, scope, days, cached?.mark ?? null);
  // No rows and a cached answer: the mark is the cached one's, the answer holds.
  if (cached && read.mark === null) return cached.stats;
  const stats = statsOf(read.rows);
  if (read.mark !== null) ctx.statsCache.set(key, { mark: read.mark, stats });
  return stats;
}
