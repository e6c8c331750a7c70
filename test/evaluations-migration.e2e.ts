/**
 * An evaluations database written before units could be "not evaluated" (issue #21) goes through
 * migration 0009 with nothing of its evidence rewritten: a published evaluation, its definition and
 * its results stay as frozen (every result evaluated, as it was graded); drafts take the plan's
 * mandatory indicators; the definitions known for certain are kept as the first of their history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const MIGRATIONS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'db', 'migrations', 'evaluations');
/** The migrations the previous release shipped. */
const PREVIOUS = fs
  .readdirSync(MIGRATIONS)
  .filter((name) => /^000[0-8]_.*\.sql$/.test(name))
  .map((name) => name.slice(0, -4));

let database: TestDatabase;
let db: Db;
const PUBLISHED = '00000000-0000-4000-8000-0000000000a1';
const DRAFT = '00000000-0000-4000-8000-0000000000a2';
const REDEFINED = '00000000-0000-4000-8000-0000000000a3';
const UNIT = '11111111-1111-4111-8111-111111111111';
const indicators = JSON.stringify([
  { code: 'RECT', name: '问题整改', kind: 'RECTIFICATION', weight: 60, measure: '整改率' },
  { code: 'REVIEWS', name: '好差评', kind: 'SERVICE_REVIEWS', weight: 40, measure: '满意率' },
]);

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.owner();
  const previous = fs.mkdtempSync(path.join(os.tmpdir(), 'evaluations-previous-'));
  fs.mkdirSync(path.join(previous, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((entry: { tag: string }) => PREVIOUS.includes(entry.tag));
  expect(journal.entries).toHaveLength(9);
  fs.writeFileSync(path.join(previous, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const tag of PREVIOUS) fs.copyFileSync(path.join(MIGRATIONS, `${tag}.sql`), path.join(previous, `${tag}.sql`));
  const config = { migrationsFolder: previous, migrationsSchema: 'drizzle', migrationsTable: '__drizzle_migrations_evaluations' };
  if (database.kind === 'postgres') await migratePostgres(db as never, config);
  else await migratePglite(db as never, config);
  fs.rmSync(previous, { recursive: true });

  // What the previous release wrote: one evaluation published (defined once), a draft, a draft redefined.
  const evaluation = (id: string, period: string, version: number) => sql`
    insert into evaluations.evaluations (id, period, status, indicators, grading_method, grade_cutoffs, created_by, created_at, version)
    values (${id}, ${period}, 'DRAFT', ${indicators}::jsonb, 'THRESHOLDS', '[90, 75, 60]'::jsonb, 'office', '2025-07-01T10:00:00+08:00', ${version})`;
  await db.execute(evaluation(PUBLISHED, '2025-H1', 1));
  await db.execute(sql`insert into evaluations.evaluation_results (evaluation_id, unit_id, score, rank, grade, inputs)
    values (${PUBLISHED}, ${UNIT}, 0, 1, 'POOR', '[]'::jsonb)`);
  await db.execute(
    sql`update evaluations.evaluations set status = 'PUBLISHED', published_at = '2025-07-15T10:00:00+08:00', version = 2 where id = ${PUBLISHED}`,
  );
  await db.execute(evaluation(DRAFT, '2025-H2', 1));
  await db.execute(evaluation(REDEFINED, '2026-H1', 3));

  await database.handle.migrate('evaluations');
});
afterAll(async () => {
  await database?.drop();
});

describe('migrating the previous release’s evaluations', () => {
  it('keeps a published evaluation and its results as frozen, every result evaluated', async () => {
    const [published] = await rows<{ indicators: unknown; minimum_coverage: number; version: number }>(
      sql`select indicators, minimum_coverage, version from evaluations.evaluations where id = ${PUBLISHED}`,
    );
    expect(published).toEqual({ indicators: JSON.parse(indicators), minimum_coverage: 0, version: 2 });
    expect(await rows(sql`select evaluated, score::float8 as score, rank, grade::text from evaluations.evaluation_results`)).toEqual([
      { evaluated: true, score: 0, rank: 1, grade: 'POOR' },
    ]);
  });

  it('gives drafts the plan’s mandatory indicators', async () => {
    for (const id of [DRAFT, REDEFINED]) {
      const [draft] = await rows<{ indicators: { code: string; mandatory: boolean }[] }>(
        sql`select indicators from evaluations.evaluations where id = ${id}`,
      );
      expect(draft!.indicators.map((i) => [i.code, i.mandatory])).toEqual([
        ['RECT', true],
        ['REVIEWS', false],
      ]);
    }
  });

  it('keeps as history only the definitions known for certain, and never lets it change', async () => {
    const history = await rows<{ evaluation_id: string; version: number; defined_by: string }>(
      sql`select evaluation_id, version, defined_by from evaluations.evaluation_definitions order by evaluation_id`,
    );
    expect(history).toEqual([
      { evaluation_id: PUBLISHED, version: 1, defined_by: 'office' },
      { evaluation_id: DRAFT, version: 1, defined_by: 'office' },
    ]);
    await expect(db.execute(sql`delete from evaluations.evaluation_definitions`)).rejects.toThrow();
  });
});
