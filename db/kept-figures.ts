/**
 * The figures the slices keep by triggers, transaction by transaction, and how each is rebuilt from
 * every row at once (the slice's own rebuild function). A kept table equals its rebuild when nothing
 * drifted: the restore drill, the concurrency tests and the soak run (`npm run bench -- soak`) ask
 * it the same way, here. Rows whose parts are all zero count as no row.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.ts';

export interface KeptFigures {
  /** The kept table, schema-qualified. */
  table: string;
  /** Its key columns. */
  keys: string[];
  /** The slice's function that rebuilds it (and its siblings) from the rows. */
  rebuild: string;
  /** The table changes are staged in within a transaction: empty after every commit. */
  staging: string;
}

/** Every slice's kept figures (the financing slice keeps its figures per process, recounted in test/financing-figures.e2e.ts). */
export const KEPT_FIGURES: readonly KeptFigures[] = [
  ...(
    [
      ['issues.issue_figures', 'day'],
      ['issues.issue_figures_monthly', 'month'],
    ] as const
  ).map(([table, period]) => ({
    table,
    keys: ['axis', 'key', period],
    rebuild: 'issues.rebuild_figures',
    staging: 'issues.issue_figure_changes',
  })),
  ...(
    [
      ['policies.policy_figures', ['unit_id', 'day']],
      ['policies.policy_figures_monthly', ['unit_id', 'month']],
      ['policies.cycle_figures', ['unit_id', 'day', 'working_days']],
      ['policies.cycle_figures_monthly', ['unit_id', 'month', 'working_days']],
    ] as const
  ).map(([table, keys]) => ({ table, keys: [...keys], rebuild: 'policies.rebuild_figures', staging: 'policies.figure_changes' })),
  ...(
    [
      ['evaluations.review_figures', 'day'],
      ['evaluations.review_figures_monthly', 'month'],
    ] as const
  ).map(([table, period]) => ({
    table,
    keys: ['unit_id', period],
    rebuild: 'evaluations.rebuild_review_figures',
    staging: 'evaluations.review_figure_changes',
  })),
];

type FigureRow = Record<string, unknown> & { parts: Record<string, number> };

export interface KeptComparison {
  kept: FigureRow[];
  rebuilt: FigureRow[];
  /** Changes left staged after the commits (0 when the triggers finished their work). */
  staged: number;
}

/** The kept rows and the rows the rebuild gives, read in one transaction that is rolled back: nothing is changed. */
export async function compareKeptWithRebuild(owner: Db, kept: KeptFigures): Promise<KeptComparison> {
  const keys = kept.keys.map((key) => `${key}::text`).join(', ');
  const omit = kept.keys.map((key) => ` - '${key}'`).join('');
  const read = async (db: Db) =>
    rowsOf<FigureRow>(
      await db.execute(sql.raw(`select ${keys}, to_jsonb(f)${omit} as parts from ${kept.table} f order by ${kept.keys.join(', ')}`)),
    ).filter((row) => Object.values(row.parts).some((value) => Number(value) !== 0));
  const now = await read(owner);
  let rebuilt: FigureRow[] = [];
  await owner
    .transaction(async (tx) => {
      await tx.execute(sql.raw(`select ${kept.rebuild}()`));
      rebuilt = await read(tx as unknown as Db);
      tx.rollback();
    })
    .catch((error: Error) => {
      if (!/rollback/i.test(error.message)) throw error;
    });
  const [staged] = rowsOf<{ n: number }>(await owner.execute(sql.raw(`select count(*)::int as n from ${kept.staging}`)));
  return { kept: now, rebuilt, staged: staged?.n ?? 0 };
}
