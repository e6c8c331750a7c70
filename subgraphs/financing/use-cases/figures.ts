/**
 * `financingStats(period)`: the kept figures (figures.ts says what each counts) of the city and
 * every institution, branch, district and product category — or, for an institution's staff, its
 * own and its branches' — read in one SQL statement whatever their number.
 */
import { referenceDistricts } from '../../../db/reference/organisation.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import type { FinancingContext } from '../context.ts';
import { categoryNames, figuresFrom, type FinancingFigures } from '../figures.ts';
import type { QueryFinancingStatsArgs } from '../schema-types.ts';
import { figureStore, type StatsRow, type StatsScope } from '../store.ts';

export interface FiguresGroup {
  key: string;
  name: string;
  figures: FinancingFigures;
}

export interface FinancingStats {
  city: FinancingFigures | null;
  institutions: FiguresGroup[];
  branches: FiguresGroup[];
  districts: FiguresGroup[];
  categories: FiguresGroup[];
}

const figuresOf = (row: StatsRow) => figuresFrom(row.parts, row);

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
  const rows = await figureStore.stats(ctx.db, scope, args.period ? { from: args.period.from, to: args.period.to } : null);
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
