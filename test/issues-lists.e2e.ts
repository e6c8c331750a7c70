/**
 * A unit's list, read as separate index branches (the units it leads, reported, took in or
 * co-handles, and the items waiting for its area's intake — store.ts `unitScopeIds`), must be
 * exactly the list the plain OR over those columns gives: the same rows, in the same order, page
 * after page, and the same totalCount (exact up to the exact-count limit, marked as an estimate above it). fast-check generates issues spread over a few units — with
 * receipt times that tie, several roles at once, items waiting in a district — and scopes and
 * filters, and compares both at every page size.
 */
import fc from 'fast-check';
import { and, desc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { issues } from '../db/issues.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import vocabularyData from '../db/reference/search-vocabulary.json' with { type: 'json' };
import { parseSearch, searchVocabulary } from '../platform/search-text.ts';
import { issueStore, scopeCondition, type IssueListCursor, type IssueListFilter, type IssueScope } from '../subgraphs/issues/store.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const vocabulary = searchVocabulary(vocabularyData);
const parse = (text: string) => parseSearch(text, vocabulary);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await prepareDatabase(database.handle, slices, { sample: false });
});
afterAll(async () => {
  await database?.drop();
});

const UNITS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
];
const unitOrNull = fc.option(fc.constantFrom(...UNITS), { nil: null });
const issueRow = fc.record({
  responsible: unitOrNull,
  reporter: unitOrNull,
  intake: unitOrNull,
  coHandlers: fc.subarray(UNITS, { maxLength: 2 }),
  status: fc.constantFrom('SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'CLOSED') as fc.Arbitrary<'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' | 'CLOSED'>,
  district: fc.constantFrom('370202', '370215', null),
  // Few distinct minutes, so receipt times tie and the id decides the order.
  minute: fc.integer({ min: 0, max: 6 }),
  environment: fc.constantFrom('POLICY', 'SERVICE') as fc.Arbitrary<'POLICY' | 'SERVICE'>,
});
const scope: fc.Arbitrary<Extract<IssueScope, { kind: 'unit' }>> = fc.record({
  kind: fc.constant('unit' as const),
  ownUnitId: fc.constantFrom(...UNITS),
  unitIds: fc.subarray(UNITS, { minLength: 1, maxLength: 3 }),
  areaUnitIds: fc.subarray(UNITS, { maxLength: 2 }),
  areaDistrict: fc.constantFrom('370202', null),
});
const filter: fc.Arbitrary<IssueListFilter> = fc.record(
  {
    environment: fc.constantFrom('POLICY', 'SERVICE') as fc.Arbitrary<'POLICY' | 'SERVICE'>,
    status: fc.constant(['SUBMITTED', 'ASSIGNED'] as ('SUBMITTED' | 'ASSIGNED')[]),
  },
  { requiredKeys: [] },
);

/**
 * The list's totalCount against the reference's: exact (not marked) with the exact-count limit at
 * the number of matches or above it; marked as an estimate of more than the limit one below it.
 */
async function expectCount(db: Parameters<typeof issueStore.count>[0], query: Parameters<typeof issueStore.count>[1], wanted: number) {
  expect(await issueStore.count(db, query, { upTo: wanted })).toEqual({ count: wanted, estimate: false });
  expect(await issueStore.count(db, query, { upTo: 1_000_000 })).toEqual({ count: wanted, estimate: false });
  if (wanted === 0) return;
  const above = await issueStore.count(db, query, { upTo: wanted - 1 });
  expect(above.estimate).toBe(true);
  expect(above.count).toBeGreaterThanOrEqual(wanted);
}

/** Every page of a list, `pageSize` at a time, each after the last row of the one before: the ids in order. */
async function allPages(
  db: Parameters<typeof issueStore.page>[0],
  query: Parameters<typeof issueStore.page>[1],
  pageSize: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after: IssueListCursor | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await issueStore.page(db, query, pageSize + 1, after);
    ids.push(...page.slice(0, pageSize).map((row) => row.id));
    if (page.length <= pageSize) break;
    const last = page[pageSize - 1]!;
    after = { tier: last.searchTier, receivedAt: last.receivedAt, id: last.id };
  }
  return ids;
}

let batch = 0;
describe('a unit’s list read in index branches', () => {
  it('equals the plain OR over the scope’s columns: rows, order, pages and totalCount', async () => {
    const owner = database.handle.owner();
    const now = new Date('2026-03-02T10:00:00+08:00');
    await fc.assert(
      fc.asyncProperty(
        fc.array(issueRow, { minLength: 5, maxLength: 40 }),
        scope,
        filter,
        fc.integer({ min: 1, max: 7 }),
        async (rows, s, f, pageSize) => {
          // Each run lists its own issues only (a word of its own, which no other run's word begins
          // with), so runs do not see each other's.
          const tag = `lists${++batch}x`;
          await owner.insert(issues).values(
            rows.map((r, i) => ({
              source: 'SELF_INSPECTION' as const,
              environment: r.environment,
              title: `${tag} ${i}`,
              description: tag,
              responsibleUnitId: r.responsible,
              reporterUnitId: r.reporter,
              intakeUnitId: r.intake,
              coHandlerUnitIds: r.coHandlers,
              status: r.status,
              districtCode: r.district,
              reporterSubject: tag,
              reporterRole: 'UNIT_STAFF',
              clientRequestId: `${tag}-${i}`,
              requestFingerprint: tag,
              receivedAt: new Date(Date.parse('2026-03-01T09:00:00+08:00') + r.minute * 60_000),
              recordedAt: now,
            })),
          );
          const mine = { ...f, receivedFrom: new Date('2026-03-01T00:00:00+08:00'), receivedTo: new Date('2026-03-02T00:00:00+08:00') };
          const ownRows = sql`${issues.description} = ${tag}`;
          // The plain OR, as the scope was read before: the reference.
          const wanted = await owner
            .select({ id: issues.id })
            .from(issues)
            .where(
              and(
                scopeCondition(s),
                ownRows,
                f.environment ? sql`${issues.environment} = ${f.environment}` : undefined,
                f.status ? sql`${issues.status} in ('SUBMITTED', 'ASSIGNED')` : undefined,
              ),
            )
            .orderBy(desc(issues.receivedAt), desc(issues.id));
          const query = { scope: s, filter: { ...mine, search: parse(tag)! }, now };
          expect(await allPages(owner, query, pageSize)).toEqual(wanted.map((row) => row.id));
          await expectCount(owner, query, wanted.length);
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });
});

describe('the command office’s list of a domain’s units, read unit by unit', () => {
  it('equals the plain filter over the units: rows, order, pages and totalCount, overdue or not', async () => {
    const owner = database.handle.owner();
    const now = new Date('2026-03-02T10:00:00+08:00');
    const row = fc.record({
      responsible: unitOrNull,
      minute: fc.integer({ min: 0, max: 6 }),
      // Open with a running clock, due before or after now; or with none.
      dueMinutes: fc.option(fc.integer({ min: -600, max: 600 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 5, maxLength: 40 }),
        fc.subarray(UNITS, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(true, false, null),
        fc.integer({ min: 1, max: 7 }),
        async (rows, units, overdue, pageSize) => {
          const tag = `domain-lists-${++batch}.`;
          // Each run on a day of its own: a search would take the search terms’ index, not this one.
          const day = Date.parse('2026-03-01T00:00:00+08:00') - batch * 86_400_000;
          await owner.insert(issues).values(
            rows.map((r, i) => ({
              source: 'SELF_INSPECTION' as const,
              environment: 'POLICY' as const,
              title: `${tag} ${i}`,
              description: tag,
              responsibleUnitId: r.responsible,
              status: 'ASSIGNED' as const,
              reporterSubject: tag,
              reporterRole: 'UNIT_STAFF',
              clientRequestId: `${tag}-${i}`,
              requestFingerprint: tag,
              receivedAt: new Date(day + 9 * 3_600_000 + r.minute * 60_000),
              recordedAt: now,
              nextDueAt: r.dueMinutes === null ? null : new Date(now.getTime() + r.dueMinutes * 60_000),
            })),
          );
          const overdueCondition =
            overdue === true
              ? sql`${issues.nextDueAt} < ${now.toISOString()}::timestamptz`
              : overdue === false
                ? sql`(${issues.nextDueAt} is null or ${issues.nextDueAt} >= ${now.toISOString()}::timestamptz)`
                : undefined;
          const wanted = await owner
            .select({ id: issues.id })
            .from(issues)
            .where(
              and(
                sql`${issues.description} = ${tag}`,
                sql`${issues.responsibleUnitId} = any(${`{${units.join(',')}}`}::uuid[])`,
                overdueCondition,
              ),
            )
            .orderBy(desc(issues.receivedAt), desc(issues.id));
          const filter: IssueListFilter = { unitIds: units, overdue, receivedFrom: new Date(day), receivedTo: new Date(day + 86_400_000) };
          const query = { scope: { kind: 'all' } as IssueScope, filter, now };
          expect(await allPages(owner, query, pageSize)).toEqual(wanted.map((r) => r.id));
          await expectCount(owner, query, wanted.length);
        },
      ),
      { numRuns: 40, seed: 20261204 },
    );
  });
});

describe('a search outside a unit’s scope, served by the search terms’ index', () => {
  it('equals the plain filter and its count — title matches first, then the rest, each newest first — page after page, in a domain’s units or not', async () => {
    const owner = database.handle.owner();
    const now = new Date('2026-03-02T10:00:00+08:00');
    const row = fc.record({
      responsible: unitOrNull,
      minute: fc.integer({ min: 0, max: 6 }),
      // The word searched for is in some titles, some descriptions, or neither.
      where: fc.constantFrom('title', 'description', 'none'),
      enterprise: fc.constantFrom('91370200MA3C0000X1', null),
    });
    const scopes = fc.constantFrom<Exclude<IssueScope, { kind: 'unit' }>>(
      { kind: 'all' },
      { kind: 'enterprise', creditCode: '91370200MA3C0000X1' },
      { kind: 'observer', person: { issuer: '', role: 'OBSERVER', subject: 'observer-1' } },
      { kind: 'none' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 0, maxLength: 30 }),
        scopes,
        fc.option(fc.subarray(UNITS, { minLength: 1, maxLength: 3 }), { nil: null }),
        fc.integer({ min: 1, max: 7 }),
        async (rows, scope, units, pageSize) => {
          const tag = `search-${++batch}`;
          // A word of this run only ("检索" and the run's mark), in the way people type it.
          const word = `检索${batch}q号`;
          if (rows.length) {
            await owner.insert(issues).values(
              rows.map((r, i) => ({
                source: 'SELF_INSPECTION' as const,
                environment: 'POLICY' as const,
                title: r.where === 'title' ? `关于${word}的问题 ${i}` : `${tag} ${i}`,
                description: r.where === 'description' ? `企业反映${word}办理慢` : tag,
                responsibleUnitId: r.responsible,
                enterpriseCreditCode: r.enterprise,
                reporterEnterprise: r.enterprise,
                status: 'ASSIGNED' as const,
                reporterSubject: i % 2 ? 'observer-1' : tag,
                reporterRole: i % 2 ? 'OBSERVER' : 'UNIT_STAFF',
                clientRequestId: `${tag}-${i}`,
                requestFingerprint: tag,
                receivedAt: new Date(Date.parse('2026-03-01T09:00:00+08:00') + r.minute * 60_000),
                recordedAt: now,
              })),
            );
          }
          const filter: IssueListFilter = { search: parse(word)!, unitIds: units };
          const query = { scope, filter, now };
          const wanted = await owner
            .select({ id: issues.id })
            .from(issues)
            .where(
              and(
                scopeCondition(scope),
                sql`(${issues.title} like ${`%${word}%`} or ${issues.description} like ${`%${word}%`})`,
                units ? sql`${issues.responsibleUnitId} = any(${`{${units.join(',')}}`}::uuid[])` : undefined,
              ),
            )
            .orderBy(desc(sql`${issues.title} like ${`%${word}%`}`), desc(issues.receivedAt), desc(issues.id));
          expect(await allPages(owner, query, pageSize)).toEqual(wanted.map((r) => r.id));
          await expectCount(owner, query, wanted.length);
        },
      ),
      { numRuns: 40, seed: 20261205 },
    );
  });
});

describe('lists read newest first straight from their indexes', () => {
  it('no index of any slice is DESC NULLS LAST: ORDER BY … DESC (drizzle’s desc()) means NULLS FIRST and could not read it in order', async () => {
    const owner = database.handle.owner();
    const schemas = slices.map((slice) => slice.name);
    const mismatched = rowsOf<{ name: string }>(
      await owner.execute(sql`
        select n.nspname || '.' || c.relname as name
        from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ${schemas} and 1 = any(i.indoption::int2[])`),
    );
    expect(mismatched.map((row) => row.name)).toEqual([]);
    // And the plan shows it: a unit's newest twenty come from its index, with no sort of the unit's rows.
    const plan = await owner.transaction(async (tx) => {
      await tx.execute(sql`set local enable_sort = off`);
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      const query = tx
        .select({ id: issues.id })
        .from(issues)
        .where(sql`${issues.responsibleUnitId} = ${UNITS[0]}::uuid`)
        .orderBy(desc(issues.receivedAt), desc(issues.id))
        .limit(21);
      return rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain ${query.getSQL()}`))
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toContain('issues_unit_received_idx');
    expect(plan).not.toMatch(/Sort/);
    // A domain's overdue items: each unit's newest read from a unit index in its order (at volume the
    // open items' index, which decides "overdue" within itself; on a few rows either serves).
    const overduePlan = await owner.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      const query = tx
        .select({ id: issues.id })
        .from(issues)
        .where(sql`${issues.responsibleUnitId} = ${UNITS[0]}::uuid and ${issues.nextDueAt} < now()`)
        .orderBy(desc(issues.receivedAt), desc(issues.id))
        .limit(21);
      return rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain ${query.getSQL()}`))
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    });
    expect(overduePlan).toMatch(/issues_unit_(open_)?received_idx/);
    expect(overduePlan).not.toMatch(/Sort/);
  });
});
