/**
 * The command office's enterprise list at the city's size (issue #28 §1): filtered by district,
 * industry prefixes and size through enterprises_directory_idx, the page the same rows a plain
 * statement finds, and `totalCount` exact up to 10,000 matches, PostgreSQL's estimate above —
 * marked `totalCountIsEstimate`. Who sees what is unchanged.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { creditCodeCheckCharacter } from '../platform/credit-code.ts';
import { ENTERPRISE_EXACT_COUNT_UP_TO } from '../subgraphs/units/store.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
const LIST = `query($filter: EnterpriseFilter, $first: Int) { enterprises(filter: $filter, first: $first) { totalCount totalCountIsEstimate edges { node { creditCode } } } }`;
/** Well-formed credit codes (GB 32100 check character) in 黄岛区, numbered. */
const codeOf = (n: number) => {
  const first17 = `91370211${String(n).padStart(9, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};
/** More entities in 黄岛区 than the exact count goes to. */
const MANY = ENTERPRISE_EXACT_COUNT_UP_TO + 2_000;

beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
  const owner = t.database.handle.owner();
  await owner.execute(sql`
    insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, status)
    select code, '列表测试企业' || n, '370211',
      (array['C3484', 'F5123', 'F5211', 'C1391', 'I6513'])[1 + n % 5],
      (array['MICRO', 'MICRO', 'MICRO', 'SMALL', 'MEDIUM'])[1 + (n / 5) % 5]::units.size_class,
      date '2010-01-01' + (n % 3000)::int, (case when n % 50 = 0 then 'DEREGISTERED' else 'ACTIVE' end)::units.enterprise_status
    from unnest(${`{${Array.from({ length: MANY }, (_, i) => codeOf(i + 1)).join(',')}}`}::text[]) with ordinality as x(code, n)`);
  // As autovacuum would after a load: the estimate reads the column statistics.
  await owner.execute(sql`analyze units.enterprises`);
});
afterAll(async () => {
  await t?.stop();
});

async function list(as: Caller, filter: Record<string, unknown>, first = 20) {
  const response = await t.query(LIST, { as, variables: { filter, first } });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.enterprises as { totalCount: number; totalCountIsEstimate: boolean; edges: { node: { creditCode: string } }[] };
}

/** The same filter as a plain statement (starts_with, no index in mind): the codes in order, and how many. */
async function expected(where: ReturnType<typeof sql>) {
  const rows = rowsOf<{ code: string }>(
    await t.database.handle.owner().execute(sql`select credit_code as code from units.enterprises where ${where} order by credit_code`),
  );
  return { codes: rows.map((row) => row.code), count: rows.length };
}

describe('the enterprise list at size', () => {
  it('finds a district, industry and size combination exactly: the page in code order, the exact count', async () => {
    const found = await list('COMMAND_OFFICE', { districtCode: '370211', industryCodePrefixes: ['C34'], sizeClasses: ['SMALL'] });
    const truth = await expected(sql`district_code = '370211' and starts_with(industry_code, 'C34') and size_class = 'SMALL'`);
    expect(truth.count).toBeGreaterThan(20);
    expect(found).toEqual({
      totalCount: truth.count,
      totalCountIsEstimate: false,
      edges: truth.codes.slice(0, 20).map((creditCode) => ({ node: { creditCode } })),
    });
  });

  it('reads several prefixes and sizes as any one of them, whatever their case', async () => {
    const found = await list(
      'COMMAND_OFFICE',
      { districtCode: '370211', industryCodePrefixes: ['c13', 'F52'], sizeClasses: ['SMALL', 'MEDIUM'] },
      50,
    );
    const truth = await expected(
      sql`district_code = '370211' and (starts_with(industry_code, 'C13') or starts_with(industry_code, 'F52')) and size_class in ('SMALL', 'MEDIUM')`,
    );
    expect(found.totalCountIsEstimate).toBe(false);
    expect(found.totalCount).toBe(truth.count);
    expect(found.edges.map((e) => e.node.creditCode)).toEqual(truth.codes.slice(0, 50));
  });

  it('counts exactly up to the threshold and estimates above it, marked as an estimate', async () => {
    const truth = await expected(sql`district_code = '370211'`);
    expect(truth.count).toBeGreaterThan(ENTERPRISE_EXACT_COUNT_UP_TO);
    const found = await list('COMMAND_OFFICE', { districtCode: '370211' });
    expect(found.totalCountIsEstimate).toBe(true);
    expect(found.totalCount).toBeGreaterThan(ENTERPRISE_EXACT_COUNT_UP_TO);
    expect(Math.abs(found.totalCount - truth.count) / truth.count).toBeLessThan(0.2);
    expect(found.edges.map((e) => e.node.creditCode)).toEqual(truth.codes.slice(0, 20));
    // Just under: exact.
    const micro = await expected(sql`district_code = '370211' and size_class = 'MICRO'`);
    expect(micro.count).toBeLessThanOrEqual(ENTERPRISE_EXACT_COUNT_UP_TO);
    expect(await list('COMMAND_OFFICE', { districtCode: '370211', sizeClasses: ['MICRO'] }, 1)).toMatchObject({
      totalCount: micro.count,
      totalCountIsEstimate: false,
    });
  });

  it('keeps who sees what: a district unit its own district only, an enterprise itself, the public nothing', async () => {
    const laoshan = await list({ role: 'UNIT_STAFF', unit: 'LAOSHAN_DISTRICT' }, { districtCode: '370211' });
    expect(laoshan).toEqual({ totalCount: 0, totalCountIsEstimate: false, edges: [] });
    const own = codeOf(1);
    expect(await list({ role: 'ENTERPRISE', enterprise: own }, {})).toEqual({
      totalCount: 1,
      totalCountIsEstimate: false,
      edges: [{ node: { creditCode: own } }],
    });
    const anonymous = await t.query(LIST, { as: 'ANONYMOUS', variables: { filter: {} } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
