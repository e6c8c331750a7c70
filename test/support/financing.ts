/**
 * What the financing lifecycle and limit tests share: registered enterprises, institutions with a
 * branch and a product in 市南, posting and claiming a demand, and reading a demand's version and
 * steps straight from the tables (so a refusal can be shown to have changed nothing).
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { sampleCreditCode } from '../../db/reference/organisation.ts';
import type { Caller, GraphQLResponse, TestPlatform } from './platform.ts';

export type Transport = 'gateway' | 'financing subgraph';
export const transports: Transport[] = ['gateway', 'financing subgraph'];

export const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
export const SHINAN = '370202';
export const SHIBEI = '370203';

export const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

export interface Firm {
  creditCode: string;
  caller: Caller;
}

export interface Bank {
  id: string;
  staff: Caller;
  branch: string;
  branchStaff: Caller;
}

/** The financing world of one test file: its platform, and helpers that number what they create. */
export function financingWorld(t: () => TestPlatform, seed: number) {
  let serial = 0;
  let request = 0;
  const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
    transport === 'gateway' ? t().query(document, options) : t().querySubgraph('financing', document, options);

  /** An enterprise in 市南, registered with the units slice. */
  async function firm(): Promise<Firm> {
    const creditCode = sampleCreditCode(SHINAN, seed + ++serial);
    const registered = await t().query(`mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, {
      as: 'COMMAND_OFFICE',
      variables: {
        input: {
          creditCode,
          name: `时限测试企业${seed + serial}`,
          districtCode: SHINAN,
          industryCode: 'F5191',
          sizeClass: 'SMALL',
          registeredOn: '2020-03-01',
          qualifications: [],
        },
      },
    });
    expect(registered.errors).toBeUndefined();
    return { creditCode, caller: { role: 'ENTERPRISE', enterprise: creditCode } };
  }

  /** An institution serving 市南, with a branch there and a credit product for ¥100k–¥1m, 6–36 months. */
  async function bank(): Promise<Bank> {
    const n = seed + ++serial;
    const made = await t().query(
      `mutation($name: String!, $code: String!) { createFinancialInstitution(input: { name: $name, kind: BANK, creditCode: $code, districtCodes: ["${SHINAN}"], contact: "0532-80000000" }) { id } }`,
      { as: REGULATOR, variables: { name: `时限测试银行${n}`, code: sampleCreditCode(SHIBEI, n) } },
    );
    expect(made.errors).toBeUndefined();
    const id = made.data.createFinancialInstitution.id as string;
    const branch = await t().query(
      `mutation($id: ID!, $name: String!) { createBranch(input: { institutionId: $id, name: $name, districtCode: "${SHINAN}", contact: "0532-1" }) { id } }`,
      { as: REGULATOR, variables: { id, name: `时限测试银行${n}市南网点` } },
    );
    expect(branch.errors).toBeUndefined();
    const product = await t().query(`mutation($input: CreateFinancialProductInput!) { createFinancialProduct(input: $input) { id } }`, {
      as: REGULATOR,
      variables: {
        input: {
          institutionId: id,
          name: `时限测试信用贷${n}`,
          category: 'CREDIT',
          description: '小微企业纯信用贷款',
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
      staff: { role: 'FINANCIAL_INSTITUTION', institution: id },
      branch: branchId,
      branchStaff: { role: 'FINANCIAL_INSTITUTION', institution: id, branch: branchId },
    };
  }

  /** A demand of ¥500,000 for 12 months, first loan, posted by `by` (at the platform's clock). */
  async function post(by: Firm, overrides: Record<string, unknown> = {}): Promise<string> {
    const posted = await t().query(`mutation($input: PostFinancingDemandInput!) { postFinancingDemand(input: $input) { id status } }`, {
      as: by.caller,
      variables: {
        input: {
          creditCode: by.creditCode,
          amount: 500_000,
          termMonths: 12,
          purpose: '采购原材料',
          guaranteeOffered: 'PURE_CREDIT',
          firstLoan: true,
          contact: '张经理 13800000000',
          creditReportConsent: true,
          clientRequestId: `lifecycle-${seed}-${++request}`,
          ...overrides,
        },
      },
    });
    expect(posted.errors).toBeUndefined();
    return posted.data.postFinancingDemand.id as string;
  }

  /** Claims `id` as `by` (an institution's token holds it for its branch in 市南). */
  async function claim(id: string, by: Caller): Promise<void> {
    const claimed = await t().query(`mutation($id: ID!) { claimFinancingDemand(id: $id) { status } }`, { as: by, variables: { id } });
    expect(claimed.errors).toBeUndefined();
    expect(claimed.data.claimFinancingDemand.status).toBe('CLAIMED');
  }

  /** A demand's version, status and steps as the tables hold them. */
  async function stored(id: string): Promise<{ version: number; status: string; events: string[]; limits: number }> {
    const db = t().database.handle.forSubgraph('financing').db;
    const rowsOf = (result: unknown) => ((result as { rows?: unknown[] }).rows ?? result) as Record<string, unknown>[];
    const [demand] = rowsOf(await db.execute(sql`select version, status from financing.demands where id = ${id}`));
    const events = rowsOf(await db.execute(sql`select kind from financing.demand_events where demand_id = ${id} order by id`));
    const limits = rowsOf(
      await db.execute(
        sql`select count(*)::int as n from financing.demand_limits where demand_id = ${id} and met_at is null and ended_at is null`,
      ),
    );
    return {
      version: Number(demand?.version),
      status: String(demand?.status),
      events: events.map((event) => String(event.kind)),
      limits: Number(limits[0]?.n),
    };
  }

  /** The steps of a demand with what each carries, as the tables hold them. */
  async function steps(id: string) {
    const db = t().database.handle.forSubgraph('financing').db;
    const result = await db.execute(
      sql`select kind, institution_id, branch_id, actor_role, note, data from financing.demand_events where demand_id = ${id} order by id`,
    );
    return ((result as { rows?: unknown[] }).rows ?? result) as {
      kind: string;
      institution_id: string | null;
      branch_id: string | null;
      actor_role: string;
      note: string | null;
      data: Record<string, unknown> | null;
    }[];
  }

  return { send, firm, bank, post, claim, stored, steps };
}
