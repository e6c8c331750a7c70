/**
 * A retry returns the original result, however the requests interleave (issue #20, finding 9): each
 * idempotent mutation of every slice — keyed by the caller's client request id, an import's source
 * reference, or an entity's own key — is sent 20 times at once with the same key and content, half
 * through the gateway and half straight to the slice's subgraph. Every answer must be the same
 * record, and the database must hold it once. (Before: submitApplication answered 18–19 times the
 * same id and 1–2 times CONFLICT.)
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';
import { callers, docs, firms, gateway, ok, policyInput, rdItem, registerFirms } from './support/policies.ts';

const clock = new TestClock('2026-10-12T10:00:00+08:00'); // a Monday
const AT_ONCE = 20;
/** Each race is run three times, each time with a fresh key: one interleaving may miss the window. */
const ROUNDS = [1, 2, 3];
let t: TestPlatform;
let policyId: string;

beforeAll(async () => {
  // Small pools: 20 requests at once still run as many transactions side by side, without taking
  // 50 connections of a server other test files share.
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' }, maxConnections: 8 });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕31号' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const count = async (slice: string, statement: ReturnType<typeof sql>) =>
  rowsOf<{ n: number }>(await t.database.handle.forSubgraph(slice).db.execute(statement))[0]!.n;

/**
 * The same request AT_ONCE times at once, alternating gateway and subgraph; each caller retries, as
 * a client does, while the answer is SERVICE_UNAVAILABLE (the tests' server is shared, and may run
 * out of connections) — a retry after that must return the original too.
 */
async function atOnce(slice: string, document: string, as: Caller, variables: Record<string, unknown>): Promise<GraphQLResponse[]> {
  const caller = async (i: number) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await (i % 2 ? t.querySubgraph(slice, document, { as, variables }) : t.query(document, { as, variables }));
      if (answer.errors?.[0]?.extensions?.code !== 'SERVICE_UNAVAILABLE' || attempt === 10) return answer;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  };
  return Promise.all(Array.from({ length: AT_ONCE }, (_, i) => caller(i)));
}

/** Every answer is the same record: its id, or a summary of what differed. */
function sameRecord(answers: GraphQLResponse[], field: string, key = 'id'): string {
  const outcomes = answers.map((answer) =>
    answer.errors ? `error ${answer.errors[0]?.extensions?.code} ${answer.errors[0]?.message}` : String(answer.data?.[field]?.[key]),
  );
  expect(new Set(outcomes), JSON.stringify(outcomes)).toHaveLength(1);
  expect(outcomes[0]).not.toMatch(/^error|undefined/);
  return outcomes[0]!;
}

describe('policies', () => {
  const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];
  const newItem = async () =>
    (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id;

  it.each(ROUNDS)('submitApplication: 20 retries at once give one application, the same to every caller (round %i)', async (round) => {
    const key = `retry-submit-${round}`;
    const input = { clientRequestId: key, itemId: await newItem(), declaredBase: 100_000, materials };
    const id = sameRecord(await atOnce('policies', docs.submit, callers.hightech, { input }), 'submitApplication');
    expect(await count('policies', sql`select count(*)::int as n from policies.applications where client_request_id = ${key}`)).toBe(1);
    expect(await count('policies', sql`select count(*)::int as n from policies.application_events where application_id = ${id}`)).toBe(1);
  });

  it.each(ROUNDS)('importApplication: 20 imports of one source reference at once give one application (round %i)', async (round) => {
    const key = `KJ-RETRY-${round}`;
    const input = {
      sourceSystem: 'kjj-xmsb',
      externalReference: key,
      itemId: await newItem(),
      enterpriseCreditCode: firms.hightech.creditCode,
      submittedAt: '2026-10-09T15:00:00+08:00',
      declaredBase: 500_000,
    };
    const id = sameRecord(await atOnce('policies', docs.importApplication, callers.scienceStaff, { input }), 'importApplication');
    expect(await count('policies', sql`select count(*)::int as n from policies.applications where external_reference = ${key}`)).toBe(1);
    expect(await count('policies', sql`select count(*)::int as n from policies.application_events where application_id = ${id}`)).toBe(1);
  });
});

describe('issues', () => {
  const fields = 'id status';
  it.each(ROUNDS)('submitAppeal: 20 retries at once give one issue (round %i)', async (round) => {
    const key = `retry-appeal-${round}`;
    const input = {
      clientRequestId: key,
      kind: 'HELP',
      environment: 'SERVICE',
      title: '审批材料反复补正',
      description: '希望一次性告知',
      districtCode: '370202',
    };
    const enterprise: Caller = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 1) };
    const id = sameRecord(
      await atOnce('issues', `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { ${fields} } }`, enterprise, { input }),
      'submitAppeal',
    );
    expect(await count('issues', sql`select count(*)::int as n from issues.issues where client_request_id = ${key}`)).toBe(1);
    expect(await count('issues', sql`select count(*)::int as n from issues.issue_events where issue_id = ${id}`)).toBe(1);
  });

  it.each(ROUNDS)('reportIssue: 20 retries at once give one issue (round %i)', async (round) => {
    const key = `retry-report-${round}`;
    const input = {
      clientRequestId: key,
      source: 'SELF_INSPECTION',
      environment: 'MARKET',
      title: '自查问题',
      description: '窗口告知不一致',
    };
    const staff: Caller = { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' };
    const id = sameRecord(
      await atOnce('issues', `mutation($input: ReportIssueInput!) { reportIssue(input: $input) { ${fields} } }`, staff, { input }),
      'reportIssue',
    );
    expect(await count('issues', sql`select count(*)::int as n from issues.issues where client_request_id = ${key}`)).toBe(1);
    expect(await count('issues', sql`select count(*)::int as n from issues.issue_events where issue_id = ${id}`)).toBe(1);
  });
});

describe('evaluations', () => {
  const submit = `mutation($input: SubmitServiceReviewInput!) { submitServiceReview(input: $input) { id } }`;
  const review = (clientRequestId: string) => ({
    clientRequestId,
    unitId: unitIdForCode('TAXATION_BUREAU'),
    serviceItem: '发票申领',
    channel: 'ONLINE',
    level: 'SATISFIED',
  });

  it.each(ROUNDS)('submitServiceReview: 20 retries at once give one review, signed in or anonymous (round %i)', async (round) => {
    const enterprise: Caller = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 801), subject: `retry-firm-${round}` };
    const [signedIn, anonymous] = [`retry-review-${round}`, `retry-review-anonymous-${round}`];
    sameRecord(await atOnce('evaluations', submit, enterprise, { input: review(signedIn) }), 'submitServiceReview');
    sameRecord(await atOnce('evaluations', submit, 'ANONYMOUS', { input: review(anonymous) }), 'submitServiceReview');
    expect(
      await count(
        'evaluations',
        sql`select count(*)::int as n from evaluations.service_reviews where client_request_id in (${signedIn}, ${anonymous})`,
      ),
    ).toBe(2);
  });
});

describe('units', () => {
  it.each(ROUNDS)('upsertEnterprise: 20 identical registrations at once all succeed and register it once (round %i)', async (round) => {
    const firm = {
      creditCode: sampleCreditCode('370203', 770 + round),
      name: '重试测试贸易有限公司',
      districtCode: '370203',
      industryCode: 'F5191',
      sizeClass: 'SMALL',
      registeredOn: '2020-02-02',
      qualifications: [],
    };
    const answers = await atOnce(
      'units',
      `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode name } }`,
      callers.office,
      { input: firm },
    );
    expect(sameRecord(answers, 'upsertEnterprise', 'creditCode')).toBe(firm.creditCode);
    expect(await count('units', sql`select count(*)::int as n from units.enterprises where credit_code = ${firm.creditCode}`)).toBe(1);
  });
});
