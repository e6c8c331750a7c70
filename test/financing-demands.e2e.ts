/**
 * 青融通's demands (issue #24): an enterprise posts a demand, it is routed at once to every fitting
 * institution (一键直达), and the first to claim it wins (抢单) — exactly one winner among 57
 * claiming at the same instant. Before it holds a demand an institution never sees the enterprise;
 * an institution never sees another's claimed demand. Posts retried with the same client request id
 * and imports of the same record are one demand. Through the gateway and directly against the subgraph.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startPlatform } from '../bin/platform.ts';
import { loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { post as postTo, startTestPlatform, tokenFor, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
type Transport = 'gateway' | 'financing subgraph';
const transports: Transport[] = ['gateway', 'financing subgraph'];
const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
  transport === 'gateway' ? t.query(document, options) : t.querySubgraph('financing', document, options);
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
const SHINAN = '370202';
const SHIBEI = '370203';
const firm = {
  creditCode: sampleCreditCode(SHINAN, 9_101),
  name: '融资需求测试商贸有限公司',
  districtCode: SHINAN,
  industryCode: 'F5191',
  sizeClass: 'SMALL',
  registeredOn: '2020-03-01',
  qualifications: [],
};
const other = { ...firm, creditCode: sampleCreditCode(SHINAN, 9_102), name: '另一家测试企业' };
const ENTERPRISE: Caller = { role: 'ENTERPRISE', enterprise: firm.creditCode };
const OTHER_ENTERPRISE: Caller = { role: 'ENTERPRISE', enterprise: other.creditCode };

let serial = 0;
interface Bank {
  id: string;
  staff: Caller;
  branch: string;
  branchStaff: Caller;
  product: string;
}

/** An institution serving 市南 with a branch there and one credit product for ¥100k–¥1m, 6–36 months. */
async function bank(districts = [SHINAN], amountMax = 1_000_000): Promise<Bank> {
  const n = ++serial;
  const made = await t.query(
    `mutation($name: String!, $code: String!, $districts: [String!]!) { createFinancialInstitution(input: { name: $name, kind: BANK, creditCode: $code, districtCodes: $districts, contact: "0532-80000000" }) { id } }`,
    { as: REGULATOR, variables: { name: `需求测试银行${n}`, code: sampleCreditCode(SHIBEI, 6_000 + n), districts } },
  );
  expect(made.errors).toBeUndefined();
  const id = made.data.createFinancialInstitution.id as string;
  const branch = await t.query(
    `mutation($id: ID!, $name: String!, $district: String!) { createBranch(input: { institutionId: $id, name: $name, districtCode: $district, contact: "0532-1" }) { id } }`,
    { as: REGULATOR, variables: { id, name: `需求测试银行${n}网点`, district: districts[0] } },
  );
  expect(branch.errors).toBeUndefined();
  const product = await t.query(`mutation($input: CreateFinancialProductInput!) { createFinancialProduct(input: $input) { id } }`, {
    as: REGULATOR,
    variables: {
      input: {
        institutionId: id,
        name: `需求测试信用贷${n}`,
        category: 'CREDIT',
        description: '小微企业纯信用贷款',
        amountMin: 100_000,
        amountMax,
        termMinMonths: 6,
        termMaxMonths: 36,
        lprTenor: 'ONE_YEAR',
        spreadMinBp: 0,
        spreadMaxBp: 150,
        guaranteeMode: 'PURE_CREDIT',
        districtCodes: districts,
      },
    },
  });
  expect(product.errors).toBeUndefined();
  const branchId = branch.data.createBranch.id as string;
  return {
    id,
    staff: { role: 'FINANCIAL_INSTITUTION', institution: id },
    branch: branchId,
    branchStaff: { role: 'FINANCIAL_INSTITUTION', institution: id, branch: branchId },
    product: product.data.createFinancialProduct.id,
  };
}

const POST = /* GraphQL */ `
  mutation Post($input: PostFinancingDemandInput!) {
    postFinancingDemand(input: $input) {
      id
      status
      routedCount
      enterpriseName
      amount
      category: purpose
      version
    }
  }
`;
const READ = /* GraphQL */ `
  query Read($id: ID!) {
    financingDemand(id: $id) {
      id
      status
      enterpriseName
      contact
      enterprise {
        creditCode
      }
      industryCode
      district {
        code
      }
      sizeClass
      amount
      termMonths
      purpose
      heldBy
      institution {
        id
      }
      branch {
        id
      }
      routedTo {
        id
      }
      currentLimit {
        kind
        state
        workingDays
      }
      events {
        kind
      }
    }
  }
`;
const CLAIM = /* GraphQL */ `
  mutation Claim($id: ID!) {
    claimFinancingDemand(id: $id) {
      id
      status
      heldBy
      enterpriseName
      institution {
        id
      }
      branch {
        id
      }
      currentLimit {
        kind
      }
    }
  }
`;

let request = 0;
const demandInput = (overrides: Record<string, unknown> = {}) => ({
  creditCode: firm.creditCode,
  amount: 500_000,
  termMonths: 12,
  purpose: '采购原材料',
  guaranteeOffered: 'PURE_CREDIT',
  firstLoan: true,
  contact: '张经理 13800000000',
  creditReportConsent: true,
  clientRequestId: `demand-${++request}`,
  ...overrides,
});

async function post(overrides: Record<string, unknown> = {}, transport: Transport = 'gateway') {
  const answer = await send(transport, POST, { as: ENTERPRISE, variables: { input: demandInput(overrides) } });
  expect(answer.errors).toBeUndefined();
  return answer.data.postFinancingDemand as { id: string; routedCount: number; status: string; version: number };
}

async function count(table: string, demandId: string): Promise<number> {
  const result = await t.database.handle
    .forSubgraph('financing')
    .db.execute(sql.raw(`select count(*)::int as n from financing.${table} where demand_id = '${demandId}'`));
  const rows = (result as unknown as { rows?: { n: number }[] }).rows ?? (result as unknown as { n: number }[]);
  return rows[0]?.n ?? -1;
}

let a: Bank;
let b: Bank;
let far: Bank;
let small: Bank;

beforeAll(async () => {
  t = await startTestPlatform();
  for (const enterprise of [firm, other]) {
    const registered = await t.query(`mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, {
      as: 'COMMAND_OFFICE',
      variables: { input: enterprise },
    });
    expect(registered.errors).toBeUndefined();
  }
  a = await bank();
  b = await bank();
  far = await bank([SHIBEI]);
  small = await bank([SHINAN], 200_000);
});
afterAll(async () => {
  await t?.stop();
});

describe.each(transports)('posting and routing, %s', (transport) => {
  it('routes a demand at once to every institution with a fitting product, never to one elsewhere or too small', async () => {
    const demand = await post({}, transport);
    expect(demand.status).toBe('OPEN');
    const read = await send(transport, READ, { as: REGULATOR, variables: { id: demand.id } });
    const routed = read.data.financingDemand.routedTo.map((i: { id: string }) => i.id);
    expect(routed).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(routed).not.toContain(far.id);
    expect(routed).not.toContain(small.id);
    expect(demand.routedCount).toBe(routed.length);
    expect(read.data.financingDemand.currentLimit).toMatchObject({ kind: 'CLAIM', workingDays: 2 });
    expect(read.data.financingDemand.events.map((e: { kind: string }) => e.kind)).toEqual(['POSTED', 'ROUTED']);
  });

  it('routes only to the named products’ institutions when the enterprise names products', async () => {
    const demand = await post({ productIds: [b.product] }, transport);
    const read = await send(transport, READ, { as: ENTERPRISE, variables: { id: demand.id } });
    expect(read.data.financingDemand.routedTo.map((i: { id: string }) => i.id)).toEqual([b.id]);
  });

  it('before a claim, a routed institution and its branch see the demand without the enterprise; others see nothing', async () => {
    const demand = await post({}, transport);
    for (const caller of [a.staff, a.branchStaff]) {
      const read = await send(transport, READ, { as: caller, variables: { id: demand.id } });
      expect(read.errors).toBeUndefined();
      expect(read.data.financingDemand).toMatchObject({
        enterpriseName: null,
        contact: null,
        enterprise: null,
        industryCode: firm.industryCode,
        district: { code: SHINAN },
        sizeClass: 'SMALL',
        amount: 500_000,
        termMonths: 12,
        purpose: '采购原材料',
        routedTo: [],
        events: [],
      });
    }
    for (const caller of [
      far.staff,
      far.branchStaff,
      OTHER_ENTERPRISE,
      'ANONYMOUS' as Caller,
      { role: 'UNIT_STAFF', unit: 'TAX_BUREAU' } as Caller,
    ]) {
      const read = await send(transport, READ, { as: caller, variables: { id: demand.id } });
      expect(read.data?.financingDemand ?? null).toBeNull();
    }
    const own = await send(transport, READ, { as: ENTERPRISE, variables: { id: demand.id } });
    expect(own.data.financingDemand).toMatchObject({ enterpriseName: firm.name, contact: '张经理 13800000000' });
  });

  it('a retried post with the same clientRequestId is one demand; a different ask under it is a CONFLICT', async () => {
    const input = demandInput();
    const first = await send(transport, POST, { as: ENTERPRISE, variables: { input } });
    const again = await send(transport, POST, { as: ENTERPRISE, variables: { input } });
    expect(again.data.postFinancingDemand.id).toBe(first.data.postFinancingDemand.id);
    const changed = await send(transport, POST, { as: ENTERPRISE, variables: { input: { ...input, amount: 600_000 } } });
    expect(code(changed)).toBe('CONFLICT');
    expect(await count('demand_events', first.data.postFinancingDemand.id)).toBe(2);
  });

  it('only the enterprise itself posts; bad input is refused by field and leaves nothing', async () => {
    for (const [caller, expected] of [
      [OTHER_ENTERPRISE, 'FORBIDDEN'],
      [a.staff, 'FORBIDDEN'],
      [REGULATOR, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      const refused = await send(transport, POST, { as: caller, variables: { input: demandInput() } });
      expect(code(refused)).toBe(expected);
    }
    const bad = await send(transport, POST, { as: ENTERPRISE, variables: { input: demandInput({ amount: -5 }) } });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('input.amount');
    const unknown = await send(transport, POST, {
      as: ENTERPRISE,
      variables: { input: demandInput({ productIds: ['00000000-0000-4000-8000-000000000000'] }) },
    });
    expect(code(unknown)).toBe('BAD_USER_INPUT');
  });
});

describe.each(transports)('claiming, choosing, dispatching, %s', (transport) => {
  it('the first claimer wins and then sees the enterprise; the loser gets CONFLICT and no longer sees the demand', async () => {
    const demand = await post({}, transport);
    const won = await send(transport, CLAIM, { as: a.branchStaff, variables: { id: demand.id } });
    expect(won.errors).toBeUndefined();
    expect(won.data.claimFinancingDemand).toMatchObject({
      status: 'CLAIMED',
      heldBy: 'CLAIMED',
      enterpriseName: firm.name,
      institution: { id: a.id },
      branch: { id: a.branch },
    });
    const lost = await send(transport, CLAIM, { as: b.staff, variables: { id: demand.id } });
    expect(code(lost)).toBe('CONFLICT');
    const hidden = await send(transport, READ, { as: b.staff, variables: { id: demand.id } });
    expect(hidden.data.financingDemand).toBeNull();
    const held = await send(transport, READ, { as: a.staff, variables: { id: demand.id } });
    expect(held.data.financingDemand.currentLimit.kind).toBe('CONTACT');
    expect(held.data.financingDemand.events.map((e: { kind: string }) => e.kind)).toEqual(['POSTED', 'ROUTED', 'CLAIMED']);
  });

  it('an institution the demand was not routed to cannot claim it; nothing changes', async () => {
    const demand = await post({}, transport);
    const refused = await send(transport, CLAIM, { as: far.staff, variables: { id: demand.id } });
    expect(code(refused)).toBe('FORBIDDEN');
    const read = await send(transport, READ, { as: REGULATOR, variables: { id: demand.id } });
    expect(read.data.financingDemand.status).toBe('OPEN');
    expect(await count('demand_events', demand.id)).toBe(2);
  });

  it('the enterprise may choose an institution directly; the regulator dispatches what nobody claimed', async () => {
    const chosen = await post({}, transport);
    const choose = await send(
      transport,
      `mutation($id: ID!, $i: ID!) { chooseFinancialInstitution(id: $id, institutionId: $i) { status heldBy institution { id } } }`,
      { as: ENTERPRISE, variables: { id: chosen.id, i: far.id } },
    );
    expect(choose.errors).toBeUndefined();
    expect(choose.data.chooseFinancialInstitution).toMatchObject({ status: 'CLAIMED', heldBy: 'CHOSEN', institution: { id: far.id } });
    const dispatched = await post({}, transport);
    const DISPATCH = `mutation($id: ID!, $i: ID!) { dispatchFinancingDemand(id: $id, institutionId: $i, note: "兜底") { status heldBy institution { id } } }`;
    const refused = await send(transport, DISPATCH, { as: a.staff, variables: { id: dispatched.id, i: a.id } });
    expect(code(refused)).toBe('FORBIDDEN');
    const done = await send(transport, DISPATCH, { as: REGULATOR, variables: { id: dispatched.id, i: small.id } });
    expect(done.data.dispatchFinancingDemand).toMatchObject({ heldBy: 'DISPATCHED', institution: { id: small.id } });
    const twice = await send(transport, DISPATCH, { as: REGULATOR, variables: { id: dispatched.id, i: a.id } });
    expect(code(twice)).toBe('INVALID_TRANSITION');
  });
});

describe('lists', () => {
  it('an institution lists what is routed to it and what it holds, never what another holds', async () => {
    const mine = await post();
    const theirs = await post();
    await t.query(CLAIM, { as: b.staff, variables: { id: theirs.id } });
    const LIST = `query { financingDemands(first: 100) { totalCount edges { node { id enterpriseName } } } }`;
    const listed = await t.query(LIST, { as: a.staff });
    expect(listed.errors).toBeUndefined();
    const ids = listed.data.financingDemands.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    const unclaimed = listed.data.financingDemands.edges.find((e: { node: { id: string } }) => e.node.id === mine.id);
    expect(unclaimed.node.enterpriseName).toBeNull();
    const everything = await t.query(LIST, { as: 'COMMAND_OFFICE' });
    const all = everything.data.financingDemands.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const refused = await t.query(LIST, { as: { role: 'UNIT_STAFF', unit: 'TAX_BUREAU' } });
    expect(code(refused)).toBe('FORBIDDEN');
  });
});

describe('imports', () => {
  const IMPORT = /* GraphQL */ `
    mutation Import($input: ImportFinancingDemandInput!) {
      importFinancingDemand(input: $input) {
        id
        source
        externalRef
        routedCount
      }
    }
  `;
  const input = {
    source: 'XINYIDAI',
    externalRef: 'XYD-2026-000123',
    creditCode: firm.creditCode,
    amount: 300_000,
    termMonths: 12,
    purpose: '流动资金',
    guaranteeOffered: 'PURE_CREDIT',
    firstLoan: false,
    contact: '李会计 13900000000',
    creditReportConsent: false,
  };

  it('the same source record imported twice is one demand; only the regulator imports', async () => {
    const first = await t.query(IMPORT, { as: REGULATOR, variables: { input } });
    expect(first.errors).toBeUndefined();
    const again = await t.querySubgraph('financing', IMPORT, { as: REGULATOR, variables: { input } });
    expect(again.data.importFinancingDemand.id).toBe(first.data.importFinancingDemand.id);
    expect(await count('demand_events', first.data.importFinancingDemand.id)).toBe(2);
    for (const caller of [ENTERPRISE, a.staff, 'COMMAND_OFFICE'] as Caller[]) {
      expect(code(await t.query(IMPORT, { as: caller, variables: { input: { ...input, externalRef: 'XYD-X' } } }))).toBe('FORBIDDEN');
    }
    const platform = await t.query(IMPORT, { as: REGULATOR, variables: { input: { ...input, source: 'PLATFORM' } } });
    expect(code(platform)).toBe('BAD_USER_INPUT');
  });
});

describe('抢单 race', () => {
  const racers: Bank[] = [];

  it('57 institutions claiming one demand at the same instant: exactly one wins, 56 get CONFLICT', async () => {
    racers.push(a, b);
    while (racers.length < 57) racers.push(await bank());
    const demand = await post({});
    const routes = await t.query(READ, { as: REGULATOR, variables: { id: demand.id } });
    expect(routes.data.financingDemand.routedTo.length).toBeGreaterThanOrEqual(57);
    const answers = await Promise.all(
      racers.map((racer) => t.querySubgraph('financing', CLAIM, { as: racer.staff, variables: { id: demand.id } })),
    );
    const winners = answers.filter((answer) => !answer.errors);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => code(answer) === 'CONFLICT')).toHaveLength(56);
    const read = await t.query(READ, { as: REGULATOR, variables: { id: demand.id } });
    expect(read.data.financingDemand.institution.id).toBe(winners[0]?.data.claimFinancingDemand.institution.id);
    expect(read.data.financingDemand.events.filter((e: { kind: string }) => e.kind === 'CLAIMED')).toHaveLength(1);
  });

  it('the same race split between two replicas of the subgraph: the database, not one process, makes one winner', async () => {
    expect(racers).toHaveLength(57);
    // A second financing subgraph on the same database: what a replica shares with the first is the
    // database only (each keeps the holds it is attempting to itself, holds-in-flight.ts).
    const replica = await startPlatform({
      env: loadEnv({ DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false' }, slices),
      database: t.database.handle,
      ephemeralPorts: true,
      logger: createLogger({ level: 'error' }),
    });
    try {
      const doors = [`${t.platform.subgraphs.financing?.url}graphql`, `${replica.subgraphs.financing?.url}graphql`];
      for (let round = 0; round < 3; round++) {
        const demand = await post({});
        const answers = await Promise.all(
          racers.map(async (racer, i) =>
            postTo<any>(doors[i % 2] ?? '', { query: CLAIM, variables: { id: demand.id } }, await tokenFor(racer.staff)),
          ),
        );
        const winners = answers.filter((answer) => !answer.errors);
        expect(winners).toHaveLength(1);
        expect(answers.filter((answer) => code(answer) === 'CONFLICT')).toHaveLength(56);
        const read = await t.query(READ, { as: REGULATOR, variables: { id: demand.id } });
        expect(read.data.financingDemand.institution.id).toBe(winners[0]?.data.claimFinancingDemand.institution.id);
        expect(read.data.financingDemand.events.filter((e: { kind: string }) => e.kind === 'CLAIMED')).toHaveLength(1);
        expect(await count('demand_limits', demand.id)).toBe(3); // the claim limit, and the winner's contact and decision limits
      }
    } finally {
      await replica.stop();
    }
  });
});
