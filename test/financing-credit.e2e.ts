/**
 * 青融通's credit report (企业信用报告, issue #24): the regulator imports credit records, idempotently;
 * the institution holding a demand reads the enterprise's report with its consent — frozen at the
 * first read with the SHA-256 of its content, every read logged —, nobody else reads it, and the
 * enterprise sees who did; after the demand ends the holder keeps its snapshot but gets no new one.
 * Through the gateway and directly against the subgraph.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { submitAppeal } from './support/issues.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
type Transport = 'gateway' | 'financing subgraph';
const transports: Transport[] = ['gateway', 'financing subgraph'];
const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
  transport === 'gateway' ? t.query(document, options) : t.querySubgraph('financing', document, options);
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;
const db = () => t.database.handle.forSubgraph('financing').db;
const count = async (query: ReturnType<typeof sql>) => rowsOf<{ n: number }>(await db().execute(query))[0]?.n ?? -1;

const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
const SHINAN = '370202';
const firm = {
  creditCode: sampleCreditCode(SHINAN, 8_901),
  name: '信用报告测试贸易有限公司',
  districtCode: SHINAN,
  industryCode: 'F5191',
  sizeClass: 'SMALL',
  registeredOn: '2020-03-01',
  qualifications: [] as string[],
};
const other = sampleCreditCode(SHINAN, 8_902);
const itself: Caller = { role: 'ENTERPRISE', enterprise: firm.creditCode };

let serial = 0;
interface Bank {
  id: string;
  branchId: string;
  product: string;
  staff: Caller;
  branch: Caller;
}

/** A fresh institution serving 市南, a branch of it there and one product any demand of the firm fits, with its staff's and the branch's tokens. */
async function institution(): Promise<Bank> {
  const n = ++serial;
  const made = await t.query(
    `mutation($name: String!, $code: String!) { createFinancialInstitution(input: { name: $name, kind: BANK, creditCode: $code, districtCodes: ["${SHINAN}"], contact: "0532-80000000" }) { id } }`,
    { as: REGULATOR, variables: { name: `信用报告测试银行${n}`, code: sampleCreditCode(SHINAN, 9_100 + n) } },
  );
  expect(made.errors).toBeUndefined();
  const id = made.data.createFinancialInstitution.id as string;
  const branch = await t.query(
    `mutation { createBranch(input: { institutionId: "${id}", name: "市南支行", districtCode: "${SHINAN}", contact: "0532-81111111" }) { id } }`,
    { as: REGULATOR },
  );
  const product = await t.query(`mutation($input: CreateFinancialProductInput!) { createFinancialProduct(input: $input) { id } }`, {
    as: REGULATOR,
    variables: {
      input: {
        institutionId: id,
        name: `信用报告测试首贷${n}`,
        category: 'FIRST_LOAN',
        description: '小微企业首贷',
        amountMin: 100_000,
        amountMax: 1_000_000,
        termMinMonths: 6,
        termMaxMonths: 36,
        lprTenor: 'ONE_YEAR',
        spreadMinBp: 0,
        spreadMaxBp: 150,
        guaranteeMode: 'PURE_CREDIT',
        districtCodes: [SHINAN],
      },
    },
  });
  expect(product.errors).toBeUndefined();
  const branchId = branch.data.createBranch.id as string;
  return {
    id,
    branchId,
    product: product.data.createFinancialProduct.id as string,
    staff: { role: 'FINANCIAL_INSTITUTION', institution: id, subject: `officer-${n}` },
    branch: { role: 'FINANCIAL_INSTITUTION', institution: id, branch: branchId, subject: `branch-officer-${n}` },
  };
}

const demandInput = (consent: boolean) => ({
  amount: 500_000,
  termMonths: 12,
  purpose: '采购原材料',
  guaranteeOffered: 'PURE_CREDIT',
  firstLoan: true,
  contact: '王经理 13800000000',
  creditReportConsent: consent,
});

/**
 * A demand of the firm: posted by the enterprise itself (which gathers the report's basis with its
 * own token) naming `holder`'s product — or imported by the regulator —, then claimed by the
 * holder's branch (its institution's staff hold it too). The steps after the hold are not built
 * yet: an ended demand is set so in the table.
 */
async function demand(
  holder: Bank,
  options: { consent?: boolean; imported?: boolean; routedToAll?: boolean; status?: 'DISBURSED' | 'DECLINED' } = {},
) {
  const consent = options.consent ?? true;
  const made = options.imported
    ? await t.query(`mutation($input: ImportFinancingDemandInput!) { importFinancingDemand(input: $input) { id } }`, {
        as: REGULATOR,
        variables: { input: { ...demandInput(consent), source: 'XINYIDAI', externalRef: `XYD-${++serial}`, creditCode: firm.creditCode } },
      })
    : await t.query(`mutation($input: PostFinancingDemandInput!) { postFinancingDemand(input: $input) { id } }`, {
        as: itself,
        variables: {
          input: {
            ...demandInput(consent),
            creditCode: firm.creditCode,
            productIds: options.routedToAll ? [] : [holder.product],
            clientRequestId: `credit-${++serial}`,
          },
        },
      });
  expect(made.errors).toBeUndefined();
  const id = (made.data.postFinancingDemand ?? made.data.importFinancingDemand).id as string;
  const claimed = await t.query(`mutation($id: ID!) { claimFinancingDemand(id: $id) { id } }`, { as: holder.branch, variables: { id } });
  expect(claimed.errors).toBeUndefined();
  if (options.status) await db().execute(sql`update financing.demands set status = ${options.status} where id = ${id}`);
  return id;
}

const IMPORT = /* GraphQL */ `
  mutation Import($records: [CreditRecordInput!]!) {
    importCreditRecords(records: $records) {
      added
      unchanged
    }
  }
`;
const REPORT = /* GraphQL */ `
  query Report($id: ID!) {
    creditReport(demandId: $id) {
      id
      creditCode
      hash
      content
      generatedAt
      platformDataGathered
      platformDataGatheredAt
      demand {
        id
      }
      profile {
        name
        industryCode
        sizeClass
        registeredOn
        districtCode
      }
      policyGrants {
        approved
        paid
        amountPaid
      }
      appeals {
        filed
        resolved
      }
      records {
        category
        source
        externalRef
        recordedOn
        summary
        adverse
      }
    }
  }
`;
const READS = /* GraphQL */ `
  query Reads($code: String!, $first: Int, $after: String) {
    creditReportReads(creditCode: $code, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          demandId
          reader
          reportHash
          at
          institution {
            id
          }
          branch {
            id
          }
        }
      }
    }
  }
`;

let recordSerial = 0;
const record = (overrides: Record<string, unknown> = {}) => ({
  creditCode: firm.creditCode,
  category: 'TAX',
  source: '青岛市公共信用信息平台',
  externalRef: `TEST-${++recordSerial}`,
  recordedOn: '2025-06-30',
  summary: '2025 年第二季度按期足额纳税',
  adverse: false,
  ...overrides,
});
const recordCount = () => count(sql`select count(*)::int as n from financing.credit_records`);
const readCount = (demandId: string) =>
  count(sql`select count(*)::int as n from financing.credit_report_reads where demand_id = ${demandId}`);
const reportCount = (demandId: string) => count(sql`select count(*)::int as n from financing.credit_reports where demand_id = ${demandId}`);

beforeAll(async () => {
  t = await startTestPlatform();
  const registered = await t.query(`mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, {
    as: 'COMMAND_OFFICE',
    variables: { input: firm },
  });
  expect(registered.errors).toBeUndefined();
  // An appeal of the firm's own: the issues slice tells the report about it.
  await submitAppeal(t, itself, { districtCode: SHINAN });
});
afterAll(async () => {
  await t?.stop();
});

describe.each(transports)('importCreditRecords, %s', (transport) => {
  it('adds a batch once: the same batch again adds nothing and duplicates nothing', async () => {
    const batch = [
      record(),
      record({ category: 'SOCIAL_INSURANCE', summary: '社保连续缴纳 36 个月' }),
      record({ category: 'COURT_JUDGMENT', adverse: true, summary: '合同纠纷判决，已履行' }),
    ];
    const before = await recordCount();
    const first = await send(transport, IMPORT, { as: REGULATOR, variables: { records: batch } });
    expect(first.errors).toBeUndefined();
    expect(first.data.importCreditRecords).toEqual({ added: 3, unchanged: 0 });
    const again = await send(transport, IMPORT, { as: REGULATOR, variables: { records: [...batch, record()] } });
    expect(again.data.importCreditRecords).toEqual({ added: 1, unchanged: 3 });
    expect(await recordCount()).toBe(before + 4);
  });

  it.each([
    ['the enterprise', itself, 'FORBIDDEN'],
    ['the command office', 'COMMAND_OFFICE', 'FORBIDDEN'],
    ['another bureau', { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' }, 'FORBIDDEN'],
    ['an institution', { role: 'FINANCIAL_INSTITUTION', institution: '00000000-0000-4000-8000-000000000001' }, 'FORBIDDEN'],
    ['anonymous', 'ANONYMOUS', 'UNAUTHENTICATED'],
  ] as [string, Caller, string][])('refuses %s and writes nothing', async (_, as, expected) => {
    const before = await recordCount();
    expect(code(await send(transport, IMPORT, { as, variables: { records: [record()] } }))).toBe(expected);
    expect(await recordCount()).toBe(before);
  });

  it('refuses bad records with the field named, and a reference imported with other content as a CONFLICT — the whole batch unwritten', async () => {
    const before = await recordCount();
    const refused = async (records: unknown[]) =>
      (await send(transport, IMPORT, { as: REGULATOR, variables: { records } })).errors?.[0]?.extensions;
    expect(await refused([record(), record({ creditCode: '91370200MA3C5XXXX1' })])).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'records[1].creditCode',
    });
    expect(await refused([record({ summary: '   ' })])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'records[0].summary' });
    expect(await refused([record({ recordedOn: '2199-01-01' })])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'records[0].recordedOn' });
    expect(await refused([])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'records' });
    expect(await refused(Array.from({ length: 1001 }, () => record()))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'records' });
    const twice = record();
    expect(await refused([twice, { ...twice, adverse: true }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'records[1]' });
    expect(await recordCount()).toBe(before);

    const kept = record();
    await send(transport, IMPORT, { as: REGULATOR, variables: { records: [kept] } });
    expect(await refused([record(), { ...kept, summary: '改过的摘要' }])).toMatchObject({
      code: 'CONFLICT',
      externalRef: kept.externalRef,
    });
    expect(await recordCount()).toBe(before + 1);
  });
});

describe.each(transports)('creditReport, %s', (transport) => {
  it('gives the holder the report frozen at its first read, the same snapshot every read after, each read logged and seen by the enterprise', async () => {
    const bank = await institution();
    const id = await demand(bank);
    const tax = record({ summary: `${transport} 纳税记录` });
    const penalty = record({ category: 'ADMINISTRATIVE_PENALTY', adverse: true, recordedOn: '2024-01-05', summary: '环保处罚，已整改' });
    await t.query(IMPORT, { as: REGULATOR, variables: { records: [penalty, tax] } });

    const first = await send(transport, REPORT, { as: bank.staff, variables: { id } });
    expect(first.errors).toBeUndefined();
    const report = first.data.creditReport;
    expect(report).toMatchObject({
      creditCode: firm.creditCode,
      demand: { id },
      platformDataGathered: true,
      profile: {
        name: firm.name,
        industryCode: firm.industryCode,
        sizeClass: 'SMALL',
        registeredOn: firm.registeredOn,
        districtCode: SHINAN,
      },
      policyGrants: { approved: 0, paid: 0, amountPaid: 0 },
      appeals: { filed: 1, resolved: 0 },
    });
    expect(report.platformDataGatheredAt).toMatch(/\+08:00$/);
    // By category (tax before administrative penalties), the records of that moment.
    const refs = report.records.map((r: { externalRef: string }) => r.externalRef);
    expect(refs).toContain(tax.externalRef);
    expect(refs.indexOf(tax.externalRef)).toBeLessThan(refs.indexOf(penalty.externalRef));
    expect(report.records.find((r: { externalRef: string }) => r.externalRef === penalty.externalRef)).toEqual({
      category: 'ADMINISTRATIVE_PENALTY',
      source: penalty.source,
      externalRef: penalty.externalRef,
      recordedOn: '2024-01-05',
      summary: '环保处罚，已整改',
      adverse: true,
    });
    expect(report.hash).toBe(createHash('sha256').update(report.content, 'utf8').digest('hex'));
    expect(JSON.parse(report.content)).toMatchObject({ demandId: id, institutionId: bank.id, creditCode: firm.creditCode });

    // A record imported afterwards is not in the frozen snapshot; the branch holding it reads the same one.
    await t.query(IMPORT, { as: REGULATOR, variables: { records: [record({ summary: '快照之后的记录' })] } });
    const second = await send(transport, REPORT, { as: bank.staff, variables: { id } });
    expect(second.data.creditReport).toMatchObject({ id: report.id, hash: report.hash, content: report.content });
    const byBranch = await send(transport, REPORT, { as: bank.branch, variables: { id } });
    expect(byBranch.data.creditReport).toMatchObject({ id: report.id, hash: report.hash });
    expect(await reportCount(id)).toBe(1);
    expect(await readCount(id)).toBe(3);

    const log = await send(transport, READS, { as: itself, variables: { code: firm.creditCode, first: 2 } });
    expect(log.errors).toBeUndefined();
    const page = log.data.creditReportReads;
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0].node).toMatchObject({
      demandId: id,
      reader: (bank.branch as { subject: string }).subject,
      reportHash: report.hash,
      institution: { id: bank.id },
      branch: { id: bank.branchId },
    });
    expect(page.edges[1].node).toMatchObject({ demandId: id, reader: (bank.staff as { subject: string }).subject, branch: null });
    const rest = await send(transport, READS, {
      as: itself,
      variables: { code: firm.creditCode, first: 100, after: page.pageInfo.endCursor },
    });
    const ofThis = rest.data.creditReportReads.edges.filter((edge: { node: { demandId: string } }) => edge.node.demandId === id);
    expect(ofThis).toHaveLength(1);
    expect(rest.data.creditReportReads.totalCount).toBe(page.totalCount);
  });

  it('refuses everyone but the holder and logs nothing: FORBIDDEN for those who see the demand, null for those who do not', async () => {
    const bank = await institution();
    const rival = await institution();
    const id = await demand(bank);
    const cases: [string, Caller, string | null][] = [
      ['the enterprise itself', itself, 'FORBIDDEN'],
      ['the regulator', REGULATOR, 'FORBIDDEN'],
      ['the command office', 'COMMAND_OFFICE', 'FORBIDDEN'],
      ['another institution', rival.staff, null],
      ['a branch of another institution', rival.branch, null],
      ['another enterprise', { role: 'ENTERPRISE', enterprise: other }, null],
      ['anonymous', 'ANONYMOUS', null],
    ];
    for (const [who, as, expected] of cases) {
      const answer = await send(transport, REPORT, { as, variables: { id } });
      if (expected) expect(code(answer), who).toBe(expected);
      else expect(answer.data?.creditReport, who).toBeNull();
    }
    expect(await reportCount(id)).toBe(0);
    expect(await readCount(id)).toBe(0);

    // Routed to both, won by one: the other no longer sees the demand, nor its report.
    const raced = await demand(bank, { routedToAll: true });
    expect((await send(transport, REPORT, { as: rival.staff, variables: { id: raced } })).data?.creditReport).toBeNull();
    expect(
      code(
        await send(transport, `mutation($id: ID!) { claimFinancingDemand(id: $id) { id } }`, { as: rival.staff, variables: { id: raced } }),
      ),
    ).toBe('CONFLICT');
    expect((await send(transport, REPORT, { as: rival.staff, variables: { id: raced } })).data?.creditReport).toBeNull();
    expect(await readCount(raced)).toBe(0);
  });

  it('refuses the holder without the enterprise’s consent, saying so, and logs nothing', async () => {
    const bank = await institution();
    const id = await demand(bank, { consent: false });
    const answer = await send(transport, REPORT, { as: bank.staff, variables: { id } });
    expect(code(answer)).toBe('FORBIDDEN');
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      messageZh: expect.stringMatching(/未授权/),
      messageEn: expect.stringMatching(/not consented/),
    });
    expect(await reportCount(id)).toBe(0);
    expect(await readCount(id)).toBe(0);
  });

  it('after the demand ends the holder still reads its snapshot, but none is generated for a demand ended unread', async () => {
    const bank = await institution();
    const read = await demand(bank);
    const first = await send(transport, REPORT, { as: bank.staff, variables: { id: read } });
    await db().execute(sql`update financing.demands set status = 'DISBURSED' where id = ${read}`);
    const after = await send(transport, REPORT, { as: bank.staff, variables: { id: read } });
    expect(after.data.creditReport.hash).toBe(first.data.creditReport.hash);
    expect(await readCount(read)).toBe(2);

    const unread = await demand(bank, { status: 'DECLINED' });
    expect(code(await send(transport, REPORT, { as: bank.staff, variables: { id: unread } }))).toBe('INVALID_TRANSITION');
    expect(await reportCount(unread)).toBe(0);
    expect(await readCount(unread)).toBe(0);
  });

  it('gives one snapshot however many first reads race', async () => {
    const bank = await institution();
    const id = await demand(bank);
    // Six officers of the holder at once (one officer's identical reads in flight together the gateway sends once: one read).
    const officers = Array.from({ length: 6 }, (_, i): Caller => ({
      role: 'FINANCIAL_INSTITUTION',
      institution: bank.id,
      subject: `racer-${i}`,
    }));
    const answers = await Promise.all(officers.map((as) => send(transport, REPORT, { as, variables: { id } })));
    expect(answers.map((answer) => answer.errors)).toEqual(answers.map(() => undefined));
    expect(new Set(answers.map((answer) => answer.data.creditReport.hash)).size).toBe(1);
    expect(await reportCount(id)).toBe(1);
    expect(await readCount(id)).toBe(6);
  });

  it('says the platform parts were not gathered for an imported demand, and still gives the records', async () => {
    const bank = await institution();
    const id = await demand(bank, { imported: true });
    const answer = await send(transport, REPORT, { as: bank.staff, variables: { id } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.creditReport).toMatchObject({
      platformDataGathered: false,
      platformDataGatheredAt: null,
      profile: null,
      policyGrants: null,
      appeals: null,
    });
    expect(answer.data.creditReport.records.length).toBeGreaterThan(0);
  });
});

describe.each(transports)('creditReportReads, %s', (transport) => {
  it.each([
    ['the regulator', REGULATOR],
    ['the command office', 'COMMAND_OFFICE'],
  ] as [string, Caller][])('answers %s', async (_, as) => {
    const answer = await send(transport, READS, { as, variables: { code: firm.creditCode } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.creditReportReads.totalCount).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['another enterprise', { role: 'ENTERPRISE', enterprise: other }, 'FORBIDDEN'],
    ['an institution', { role: 'FINANCIAL_INSTITUTION', institution: '00000000-0000-4000-8000-000000000001' }, 'FORBIDDEN'],
    ['another bureau', { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' }, 'FORBIDDEN'],
    ['anonymous', 'ANONYMOUS', 'UNAUTHENTICATED'],
  ] as [string, Caller, string][])('refuses %s', async (_, as, expected) => {
    expect(code(await send(transport, READS, { as, variables: { code: firm.creditCode } }))).toBe(expected);
  });

  it('refuses a malformed credit code as bad input', async () => {
    const answer = await send(transport, READS, { as: REGULATOR, variables: { code: 'not-a-code' } });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'creditCode' });
  });
});
