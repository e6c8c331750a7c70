/**
 * 青融通's network of institutions and branches (issue #24): who may add, edit and suspend them —
 * the regulator only — and who sees what, through the gateway and directly against the subgraph.
 */
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

const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
const SHINAN = '370202';
let serial = 0;

const CREATE = /* GraphQL */ `
  mutation Create($name: String!, $creditCode: String!) {
    createFinancialInstitution(
      input: { name: $name, kind: BANK, creditCode: $creditCode, districtCodes: ["370202", "370203"], contact: "0532-80000000" }
    ) {
      id
      name
      version
      suspended
    }
  }
`;
const CREATE_BRANCH = /* GraphQL */ `
  mutation Branch($institutionId: ID!, $name: String!) {
    createBranch(input: { institutionId: $institutionId, name: $name, districtCode: "370202", contact: "0532-81111111" }) {
      id
      institution {
        id
      }
    }
  }
`;
const SUSPEND = /* GraphQL */ `
  mutation Suspend($id: ID!) {
    suspendFinancialInstitution(id: $id, reason: "测试暂停") {
      suspended
      version
    }
  }
`;
const READ = /* GraphQL */ `
  query Read($id: ID!) {
    financialInstitution(id: $id) {
      id
      name
      version
      suspended
      branches {
        id
      }
    }
  }
`;

async function created(transport: Transport, as: Caller = REGULATOR) {
  const n = ++serial;
  return send(transport, CREATE, { as, variables: { name: `测试银行${n}`, creditCode: sampleCreditCode(SHINAN, 7_000 + n) } });
}

const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

describe.each(transports)('institutions and branches, %s', (transport) => {
  it('the regulator adds an institution and a branch of it, edits and suspends it; the public then no longer sees it', async () => {
    const made = await created(transport);
    expect(made.errors).toBeUndefined();
    const id = made.data.createFinancialInstitution.id as string;
    const branch = await send(transport, CREATE_BRANCH, { as: REGULATOR, variables: { institutionId: id, name: '市南支行' } });
    expect(branch.errors).toBeUndefined();
    expect(branch.data.createBranch.institution.id).toBe(id);
    const edited = await send(
      transport,
      `mutation { updateFinancialInstitution(id: "${id}", input: { contact: "0532-82222222", expectedVersion: 1 }) { contact version } }`,
      { as: REGULATOR },
    );
    expect(edited.data.updateFinancialInstitution).toEqual({ contact: '0532-82222222', version: 2 });
    const stale = await send(
      transport,
      `mutation { updateFinancialInstitution(id: "${id}", input: { contact: "x", expectedVersion: 1 }) { version } }`,
      {
        as: REGULATOR,
      },
    );
    expect(code(stale)).toBe('CONFLICT');
    expect((await send(transport, READ, { variables: { id } })).data.financialInstitution.branches).toHaveLength(1);

    expect((await send(transport, SUSPEND, { as: REGULATOR, variables: { id } })).data.suspendFinancialInstitution).toEqual({
      suspended: true,
      version: 3,
    });
    const again = await send(transport, SUSPEND, { as: REGULATOR, variables: { id } });
    expect(code(again)).toBe('INVALID_TRANSITION');
    expect((await send(transport, READ, { variables: { id } })).data.financialInstitution).toBeNull();
    expect((await send(transport, READ, { as: 'COMMAND_OFFICE', variables: { id } })).data.financialInstitution.suspended).toBe(true);
    expect((await send(transport, READ, { as: REGULATOR, variables: { id } })).data.financialInstitution.suspended).toBe(true);
    const toSuspended = await send(transport, CREATE_BRANCH, { as: REGULATOR, variables: { institutionId: id, name: '市北支行' } });
    expect(code(toSuspended)).toBe('INVALID_TRANSITION');
  });

  const refused: [string, Caller, string][] = [
    ['anonymous callers', 'ANONYMOUS', 'UNAUTHENTICATED'],
    ['the command office (it reads, the regulator writes)', 'COMMAND_OFFICE', 'FORBIDDEN'],
    ['another bureau', { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
    ['an enterprise', { role: 'ENTERPRISE', enterprise: sampleCreditCode(SHINAN, 601) }, 'FORBIDDEN'],
    ['an observer', 'OBSERVER', 'FORBIDDEN'],
    ['a financial institution', { role: 'FINANCIAL_INSTITUTION', institution: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b' }, 'FORBIDDEN'],
  ];
  it.each(refused)('refuses %s every write, and nothing is written', async (_, as, expected) => {
    const made = await created(transport);
    const id = made.data.createFinancialInstitution.id as string;
    const attempts = [
      await created(transport, as),
      await send(transport, CREATE_BRANCH, { as, variables: { institutionId: id, name: '不应出现的支行' } }),
      await send(transport, `mutation { updateFinancialInstitution(id: "${id}", input: { contact: "x" }) { version } }`, { as }),
      await send(transport, SUSPEND, { as, variables: { id } }),
    ];
    for (const attempt of attempts) expect(code(attempt)).toBe(expected);
    const after = (await send(transport, READ, { as: 'COMMAND_OFFICE', variables: { id } })).data.financialInstitution;
    expect(after).toMatchObject({ version: 1, suspended: false, branches: [] });
  });

  it('lets only the regulator and the command office list suspended institutions', async () => {
    const query = '{ financialInstitutions(filter: { includeSuspended: true }, first: 1) { totalCount } }';
    expect(code(await send(transport, query))).toBe('FORBIDDEN');
    expect(code(await send(transport, query, { as: { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' } }))).toBe('FORBIDDEN');
    expect((await send(transport, query, { as: 'COMMAND_OFFICE' })).errors).toBeUndefined();
    expect((await send(transport, query, { as: REGULATOR })).errors).toBeUndefined();
  });

  it('refuses what the regulator sends wrong: an unknown district, a bad credit code, a duplicate', async () => {
    const bad = await send(
      transport,
      `mutation { createFinancialInstitution(input: { name: "坏区银行", kind: BANK, creditCode: "${sampleCreditCode(SHINAN, 6_900)}", districtCodes: ["999999"], contact: "x" }) { id } }`,
      { as: REGULATOR },
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.districtCodes[0]' });
    const badCode = await send(transport, CREATE, { as: REGULATOR, variables: { name: '坏码银行', creditCode: '91370200XXXXXXXXXX' } });
    expect(code(badCode)).toBe('BAD_USER_INPUT');
    const first = await created(transport);
    const twin = await send(transport, CREATE, {
      as: REGULATOR,
      variables: { name: first.data.createFinancialInstitution.name, creditCode: sampleCreditCode(SHINAN, 6_800 + serial) },
    });
    expect(code(twin)).toBe('CONFLICT');
  });
});
