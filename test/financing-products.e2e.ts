/**
 * 青融通's product supermarket (issue #24): who may add and edit a product — the regulator and the
 * product's own institution, nobody else, and a refusal changes nothing —, what the public finds by
 * category, text, amount, term and district, and the products an enterprise is eligible for with the
 * reason for each criterion; through the gateway and directly against the subgraph.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.stop();
});

type Transport = 'gateway' | 'financing subgraph';
const transports: Transport[] = ['gateway', 'financing subgraph'];
const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
  transport === 'gateway' ? t.query(document, options) : t.querySubgraph('financing', document, options);
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

/** A product's change log: each entry's action, its actor's role and the version before and after. */
async function changesOf(id: string) {
  const rows = await t.database.handle
    .forSubgraph('financing')
    .db.execute(
      sql`select action, actor_role, before->>'version' as before, after->>'version' as after from financing.change_log where entity = 'product' and entity_key = ${id} order by id`,
    );
  return (rows as unknown as { rows?: unknown[] }).rows ?? rows;
}

const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
const SHINAN = '370202';
const SHIBEI = '370203';
let serial = 0;

/** A fresh institution of the regulator's, serving 市南 and 市北, and its staff's token. */
async function institution(transport: Transport) {
  const n = ++serial;
  const made = await send(
    transport,
    `mutation($name: String!, $code: String!) { createFinancialInstitution(input: { name: $name, kind: BANK, creditCode: $code, districtCodes: ["${SHINAN}", "${SHIBEI}"], contact: "0532-80000000" }) { id } }`,
    { as: REGULATOR, variables: { name: `产品测试银行${n}`, code: sampleCreditCode(SHINAN, 5_000 + n) } },
  );
  expect(made.errors).toBeUndefined();
  const id = made.data.createFinancialInstitution.id as string;
  return { id, staff: { role: 'FINANCIAL_INSTITUTION', institution: id } as Caller };
}

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateFinancialProductInput!) {
    createFinancialProduct(input: $input) {
      id
      name
      version
      status
      institution {
        id
      }
      rate {
        lprTenor
        spreadMinBp
        minPercent
        maxPercent
      }
      eligibility {
        sizeClasses
        qualifications
        qualificationMatch
      }
    }
  }
`;
const READ = /* GraphQL */ `
  query Read($id: ID!) {
    financialProduct(id: $id) {
      id
      name
      version
      status
      description
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateFinancialProductInput!) {
    updateFinancialProduct(id: $id, input: $input) {
      id
      version
      status
      description
    }
  }
`;
const LIST = /* GraphQL */ `
  query List($filter: FinancialProductFilter, $after: String) {
    financialProducts(filter: $filter, first: 2, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

const productInput = (institutionId: string, overrides: Record<string, unknown> = {}) => ({
  institutionId,
  name: `测试信用贷${++serial}`,
  category: 'CREDIT',
  description: '测试用的纯信用贷款',
  amountMin: 100_000,
  amountMax: 1_000_000,
  termMinMonths: 6,
  termMaxMonths: 12,
  lprTenor: 'ONE_YEAR',
  spreadMinBp: 20,
  spreadMaxBp: 120,
  guaranteeMode: 'PURE_CREDIT',
  districtCodes: [SHINAN],
  ...overrides,
});

describe.each(transports)('financial products, %s', (transport) => {
  it('the regulator and the institution itself add and edit its products; versions guard the edits; a suspended product leaves the public list', async () => {
    const bank = await institution(transport);
    const byRegulator = await send(transport, CREATE, { as: REGULATOR, variables: { input: productInput(bank.id) } });
    expect(byRegulator.errors).toBeUndefined();
    expect(byRegulator.data.createFinancialProduct).toMatchObject({
      version: 1,
      status: 'ACTIVE',
      institution: { id: bank.id },
      // LPR 1-year 300 bp (db/reference/lpr.json) + 20…120 bp.
      rate: { lprTenor: 'ONE_YEAR', spreadMinBp: 20, minPercent: 3.2, maxPercent: 4.2 },
      eligibility: { sizeClasses: [], qualifications: [], qualificationMatch: 'ANY' },
    });
    const byStaff = await send(transport, CREATE, { as: bank.staff, variables: { input: productInput(bank.id) } });
    expect(byStaff.errors).toBeUndefined();
    const id = byStaff.data.createFinancialProduct.id as string;

    const edited = await send(transport, UPDATE, {
      as: bank.staff,
      variables: { id, input: { description: '改过的说明', expectedVersion: 1 } },
    });
    expect(edited.data.updateFinancialProduct).toMatchObject({ version: 2, description: '改过的说明' });
    const stale = await send(transport, UPDATE, { as: REGULATOR, variables: { id, input: { description: '过期', expectedVersion: 1 } } });
    expect(code(stale)).toBe('CONFLICT');

    const suspended = await send(transport, UPDATE, { as: REGULATOR, variables: { id, input: { status: 'SUSPENDED' } } });
    expect(suspended.data.updateFinancialProduct).toMatchObject({ version: 3, status: 'SUSPENDED' });
    expect((await send(transport, READ, { variables: { id } })).data.financialProduct).toBeNull();
    const publicList = await send(transport, LIST, { variables: { filter: { institutionId: bank.id } } });
    expect(publicList.data.financialProducts.totalCount).toBe(1);
    expect((await send(transport, READ, { as: bank.staff, variables: { id } })).data.financialProduct.status).toBe('SUSPENDED');
    expect((await send(transport, READ, { as: 'COMMAND_OFFICE', variables: { id } })).data.financialProduct.status).toBe('SUSPENDED');
    const ownList = await send(transport, LIST, {
      as: bank.staff,
      variables: { filter: { institutionId: bank.id, includeSuspended: true } },
    });
    expect(ownList.data.financialProducts.totalCount).toBe(2);
    const resumed = await send(transport, UPDATE, { as: bank.staff, variables: { id, input: { status: 'ACTIVE', expectedVersion: 3 } } });
    expect(resumed.data.updateFinancialProduct).toMatchObject({ version: 4, status: 'ACTIVE' });
    // Every write in the change log with its actor, the refused stale edit not at all.
    expect(await changesOf(id)).toEqual([
      { action: 'create', actor_role: 'FINANCIAL_INSTITUTION', before: null, after: '1' },
      { action: 'update', actor_role: 'FINANCIAL_INSTITUTION', before: '1', after: '2' },
      { action: 'update', actor_role: 'UNIT_STAFF', before: '2', after: '3' },
      { action: 'update', actor_role: 'FINANCIAL_INSTITUTION', before: '3', after: '4' },
    ]);
  });

  it('refuses ranges the wrong way round and a second product of the same name, and writes nothing', async () => {
    const bank = await institution(transport);
    const backwards = await send(transport, CREATE, {
      as: REGULATOR,
      variables: { input: productInput(bank.id, { amountMin: 2_000_000 }) },
    });
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amountMax' });
    const made = await send(transport, CREATE, { as: REGULATOR, variables: { input: productInput(bank.id) } });
    const twin = await send(transport, CREATE, {
      as: REGULATOR,
      variables: { input: productInput(bank.id, { name: made.data.createFinancialProduct.name }) },
    });
    expect(code(twin)).toBe('CONFLICT');
    const id = made.data.createFinancialProduct.id as string;
    const shorter = await send(transport, UPDATE, { as: REGULATOR, variables: { id, input: { termMaxMonths: 3 } } });
    expect(code(shorter)).toBe('BAD_USER_INPUT');
    expect((await send(transport, READ, { variables: { id } })).data.financialProduct.version).toBe(1);
    expect((await send(transport, LIST, { variables: { filter: { institutionId: bank.id } } })).data.financialProducts.totalCount).toBe(1);
  });

  const refused: [string, Caller, string][] = [
    ['anonymous callers', 'ANONYMOUS', 'UNAUTHENTICATED'],
    ['the command office (it reads)', 'COMMAND_OFFICE', 'FORBIDDEN'],
    ['another bureau', { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
    ['an enterprise', { role: 'ENTERPRISE', enterprise: sampleCreditCode(SHINAN, 602) }, 'FORBIDDEN'],
    ['an observer', 'OBSERVER', 'FORBIDDEN'],
  ];
  it.each(refused)('refuses %s every write, and nothing changes', async (_, as, expected) => {
    const bank = await institution(transport);
    const made = await send(transport, CREATE, { as: REGULATOR, variables: { input: productInput(bank.id) } });
    const id = made.data.createFinancialProduct.id as string;
    expect(code(await send(transport, CREATE, { as, variables: { input: productInput(bank.id) } }))).toBe(expected);
    expect(code(await send(transport, UPDATE, { as, variables: { id, input: { description: '不应出现', status: 'SUSPENDED' } } }))).toBe(
      expected,
    );
    expect((await send(transport, READ, { variables: { id } })).data.financialProduct).toMatchObject({
      version: 1,
      status: 'ACTIVE',
      description: '测试用的纯信用贷款',
    });
    expect((await send(transport, LIST, { variables: { filter: { institutionId: bank.id } } })).data.financialProducts.totalCount).toBe(1);
    expect(await changesOf(id)).toHaveLength(1);
  });

  it("refuses another institution's staff and a branch's token on an institution's products, and nothing changes", async () => {
    const bank = await institution(transport);
    const other = await institution(transport);
    const made = await send(transport, CREATE, { as: REGULATOR, variables: { input: productInput(bank.id) } });
    const id = made.data.createFinancialProduct.id as string;
    const branch = await send(
      transport,
      `mutation { createBranch(input: { institutionId: "${bank.id}", name: "市南支行", districtCode: "${SHINAN}", contact: "0532-81111111" }) { id } }`,
      { as: REGULATOR },
    );
    const branchStaff: Caller = { role: 'FINANCIAL_INSTITUTION', institution: bank.id, branch: branch.data.createBranch.id };
    for (const as of [other.staff, branchStaff]) {
      expect(code(await send(transport, CREATE, { as, variables: { input: productInput(bank.id) } }))).toBe('FORBIDDEN');
      expect(code(await send(transport, UPDATE, { as, variables: { id, input: { description: '不应出现' } } }))).toBe('FORBIDDEN');
    }
    // Its own products, yes; another's, no.
    expect((await send(transport, CREATE, { as: other.staff, variables: { input: productInput(other.id) } })).errors).toBeUndefined();
    expect((await send(transport, READ, { variables: { id } })).data.financialProduct.version).toBe(1);
    expect((await send(transport, LIST, { variables: { filter: { institutionId: bank.id } } })).data.financialProducts.totalCount).toBe(1);
    const theirs = await send(transport, LIST, {
      as: other.staff,
      variables: { filter: { institutionId: bank.id, includeSuspended: true } },
    });
    expect(code(theirs)).toBe('FORBIDDEN');
  });

  it('finds products by category, text (Chinese, no spaces), amount, term and district, a page at a time', async () => {
    const bank = await institution(transport);
    const make = async (overrides: Record<string, unknown>) =>
      (await send(transport, CREATE, { as: REGULATOR, variables: { input: productInput(bank.id, overrides) } })).data.createFinancialProduct
        .id as string;
    const ocean = await make({ name: `海洋牧场贷${serial}`, category: 'AGRICULTURE', description: '支持海水养殖和海洋牧场建设' });
    const large = await make({ category: 'MORTGAGE', amountMin: 2_000_000, amountMax: 20_000_000, termMinMonths: 24, termMaxMonths: 120 });
    const north = await make({ districtCodes: [SHIBEI] });
    const search = async (filter: Record<string, unknown>) => {
      const found: string[] = [];
      let after: string | null = null;
      do {
        const page: GraphQLResponse = await send(transport, LIST, { variables: { filter: { institutionId: bank.id, ...filter }, after } });
        expect(page.errors).toBeUndefined();
        found.push(...page.data.financialProducts.edges.map((edge: { node: { id: string } }) => edge.node.id));
        after = page.data.financialProducts.pageInfo.hasNextPage ? page.data.financialProducts.pageInfo.endCursor : null;
      } while (after);
      return found.sort();
    };
    expect(await search({ category: 'AGRICULTURE' })).toEqual([ocean]);
    expect(await search({ text: '海洋牧场' })).toEqual([ocean]);
    expect(await search({ text: '海水养殖' })).toEqual([ocean]);
    expect(await search({ text: '量子计算' })).toEqual([]);
    expect(await search({ amount: 5_000_000 })).toEqual([large]);
    expect(await search({ amount: 500_000 })).toEqual([ocean, north].sort());
    expect(await search({ termMonths: 60 })).toEqual([large]);
    expect(await search({ districtCode: SHIBEI })).toEqual([north]);
    expect(await search({ districtCode: SHINAN })).toEqual([ocean, large].sort());
    expect(await search({})).toEqual([ocean, large, north].sort());
    const bad = await send(transport, LIST, { variables: { filter: { districtCode: '999999' } } });
    expect(code(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('productMatches', () => {
  const firm = {
    creditCode: sampleCreditCode(SHINAN, 8_801),
    name: '产品匹配测试科技有限公司',
    districtCode: SHINAN,
    industryCode: 'I6513',
    sizeClass: 'SMALL',
    registeredOn: '2019-06-01',
    qualifications: ['TECH_SME'],
  };
  let fits: string;
  let lacks: string;
  let elsewhere: string;
  let paused: string;

  beforeAll(async () => {
    const registered = await t.query(`mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, {
      as: 'COMMAND_OFFICE',
      variables: { input: firm },
    });
    expect(registered.errors).toBeUndefined();
    const bank = await institution('gateway');
    const make = async (overrides: Record<string, unknown>) =>
      (await t.query(CREATE, { as: REGULATOR, variables: { input: productInput(bank.id, overrides) } })).data.createFinancialProduct
        .id as string;
    const eligibility = {
      industryCodePrefixes: ['I65'],
      sizeClasses: ['SMALL', 'MICRO'],
      minYearsRegistered: 3,
      qualifications: ['TECH_SME', 'HIGH_TECH'],
    };
    fits = await make({ name: '软件企业科创贷', eligibility });
    lacks = await make({ name: '高新专享贷', eligibility: { ...eligibility, qualifications: ['HIGH_TECH'] } });
    elsewhere = await make({ name: '市北专享贷', districtCodes: [SHIBEI] });
    paused = await make({ name: '暂停的软件贷', eligibility });
    await t.query(UPDATE, { as: REGULATOR, variables: { id: paused, input: { status: 'SUSPENDED' } } });
  });

  const MATCHES = /* GraphQL */ `
    query Matches($code: String!) {
      productMatches(creditCode: $code) {
        product {
          id
        }
        criteria {
          criterion
          met
          reason
          reasonEn
        }
      }
    }
  `;

  it.each(transports)(
    'gives the enterprise the products on offer it is eligible for, with the reason for each criterion (%s)',
    async (transport) => {
      const answer = await send(transport, MATCHES, {
        as: { role: 'ENTERPRISE', enterprise: firm.creditCode },
        variables: { code: firm.creditCode },
      });
      expect(answer.errors).toBeUndefined();
      const ids = answer.data.productMatches.map((match: { product: { id: string } }) => match.product.id);
      expect(ids).toContain(fits);
      for (const excluded of [lacks, elsewhere, paused]) expect(ids).not.toContain(excluded);
      const match = answer.data.productMatches.find((found: { product: { id: string } }) => found.product.id === fits);
      expect(match.criteria).toEqual([
        {
          criterion: 'INDUSTRY',
          met: true,
          reason: '行业 信息传输、软件和信息技术服务业（I6513）属于 信息传输、软件和信息技术服务业（I65）',
          reasonEn: expect.stringContaining('within'),
        },
        {
          criterion: 'SIZE',
          met: true,
          reason: '小型企业，符合（小型、微型）',
          reasonEn: 'A small enterprise, as required (small or micro)',
        },
        { criterion: 'DISTRICT', met: true, reason: '区(市)不限', reasonEn: 'Any district' },
        {
          criterion: 'YEARS_REGISTERED',
          met: true,
          reason: expect.stringMatching(/^2019-06-01 成立，满 \d+ 年，要求至少 3 年$/),
          reasonEn: expect.stringContaining('at least 3 years'),
        },
        {
          criterion: 'QUALIFICATION',
          met: true,
          reason: '具备科技型中小企业（具备其一即可）',
          reasonEn: 'Recognised as technology-based SME (any one suffices)',
        },
      ]);
    },
  );

  const readers: [string, Caller][] = [
    ['the regulator', REGULATOR],
    ['the command office', 'COMMAND_OFFICE'],
  ];
  it.each(readers)('answers %s for any enterprise', async (_, as) => {
    const answer = await t.query(MATCHES, { as, variables: { code: firm.creditCode } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.productMatches.map((match: { product: { id: string } }) => match.product.id)).toContain(fits);
  });

  const refused: [string, Caller, string][] = [
    ['anonymous callers', 'ANONYMOUS', 'UNAUTHENTICATED'],
    ['another enterprise', { role: 'ENTERPRISE', enterprise: sampleCreditCode(SHINAN, 8_802) }, 'FORBIDDEN'],
    ['another bureau', { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
    ['a financial institution', { role: 'FINANCIAL_INSTITUTION', institution: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b' }, 'FORBIDDEN'],
  ];
  it.each(refused)('refuses %s', async (_, as, expected) => {
    for (const transport of transports)
      expect(code(await send(transport, MATCHES, { as, variables: { code: firm.creditCode } }))).toBe(expected);
  });
});
