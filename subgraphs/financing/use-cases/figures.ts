/**
 * `financingStats(period)`: the kept figures (figures.ts says what each counts) of the city and
 * every institution, branch, district and product category — or, for an institution's staff, its
 * own and its branches' — read in one SQL statement whatever their number.
 *
 * Each process keeps the answers it computed (`StatsCache`, per scope and period) with the version
 * of each group's figures they were computed at (store.ts `stats`): the one statement then computes
 * only the groups whose version moved — after a step, the five or so it counted under — and the
 * answer is the kept one with those replaced; asked again with nothing moved, nothing is computed.
 * Versions and figures come from one snapshot, so a kept group is never one a commit has changed.
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

/** The key of a group in a kept answer. */
const groupOf = (row: Pick<StatsRow, 'dimension' | 'key'>) => `${row.dimension}|${row.key}`;

/** The kept rows with the groups computed anew in their place (the groups and their order are the same while the mark holds). */
function merged(kept: StatsRow[], fresh: StatsRow[]): StatsRow[] {
  const replaced = new Map(fresh.map((row) => [groupOf(row), row]));
  return kept.map((row) => replaced.get(groupOf(row)) ?? row);
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
  const mark = cached?.rows[0]?.mark;
  const known =
    cached && mark !== undefined
      ? { mark, versions: cached.rows.map(({ dimension, key: group, version }) => ({ dimension, key: group, version })) }
      : null;
  const fresh = await figureStore.stats(ctx.db, scope, days, known);
  // Nothing moved: the kept answer holds.
  if (cached && !fresh.length) return cached.stats;
  // The same groups (mark unchanged): only those whose figures moved came back.
  const rows = cached && fresh[0]?.mark === mark ? merged(cached.rows, fresh) : fresh;
  const stats = statsOf(rows);
  ctx.statsCache.set(key, { rows, stats });
  return stats;
}
