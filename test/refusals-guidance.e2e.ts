/**
 * Issue #21, item 16: refusals that say what to do, through the gateway (and, where the route
 * matters, straight to the subgraph):
 * - a refusal for the state names the state needed and the action that leads there;
 * - a refusal for the caller names who may, from the rules table's standings;
 * - an anonymous caller of a mutation that no anonymous caller may take is asked to sign in before
 *   anything it sent is checked;
 * - graphql-js's "Did you mean …?" is in both halves;
 * - `extensions.field` is always the path from the field's argument (`input.contact.phone`), whether
 *   the value came as a literal or in a variable, and whoever found the problem (the slice's input
 *   rules, a scalar, graphql-js or the platform's own checks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { evalCallers, evalDocs } from './support/evaluations.ts';
import { callers, mutations, submitAppeal } from './support/issues.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
const clock = new TestClock('2026-06-01T10:00:00+08:00');
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

type Route = 'gateway' | 'subgraph';
const send = (route: Route, subgraph: string, query: string, as: Caller, variables?: Record<string, unknown>) =>
  route === 'gateway' ? t.query(query, { as, variables }) : t.querySubgraph(subgraph, query, { as, variables });

/** The first error, checked to be bilingual: "<zh> / <en>", with Chinese in the Chinese half. */
function refusal(response: GraphQLResponse) {
  const error = response.errors?.[0];
  expect(error, JSON.stringify(response)).toBeDefined();
  const { code, messageZh, messageEn, field } = error!.extensions ?? {};
  expect(error!.message).toBe(`${messageZh} / ${messageEn}`);
  expect(messageZh).toMatch(/[\u4e00-\u9fff]/);
  return { code, zh: messageZh as string, en: messageEn as string, field };
}

describe.each<Route>(['gateway', 'subgraph'])('a refusal says what to do (%s)', (route) => {
  it('names what must happen first when the state is wrong: publishing an open contest asks to close the scoring first', async () => {
    const input = { title: `擂台比武 ${route}`, level: 'CITY', heldOn: '2026-06-10', criteria: [{ name: '实效', weight: 100 }] };
    const created = await send(route, 'evaluations', evalDocs.createContest, evalCallers.office, { input });
    const id = created.data.createContest.id;
    const found = refusal(await send(route, 'evaluations', evalDocs.publish, evalCallers.office, { id }));
    expect(found.code).toBe('INVALID_TRANSITION');
    expect(found.zh).toBe('该擂台比武当前状态为“进行中”(OPEN)，不能发布排名：须处于“评分结束”(CLOSED)状态，请先结束评分');
    expect(found.en).toBe('The contest is OPEN; you cannot publish the ranking in this state: it must be CLOSED — close the scoring first');
  });

  it('names who may when the caller may not: accepting an issue is for the command office or the admin of its district', async () => {
    const issue = await submitAppeal(t);
    const response = await send(route, 'issues', `mutation($id: ID!) { acceptIssue(id: $id) { id } }`, callers.enterpriseA, {
      id: issue.id,
    });
    const found = refusal(response);
    expect(found.code).toBe('FORBIDDEN');
    expect(found.zh).toBe('无权对该问题执行“受理”：只有市指挥部办公室或问题所在区（市）、功能区的单位管理员可以');
    expect(found.en).toBe(
      'You may not accept the issue: only the command office or the admin of the issue’s district or function zone may',
    );
    // The one who may, may.
    expect((await mutations.accept(t, callers.office, issue.id)).errors).toBeUndefined();
  });

  const anonymousRefusals: [string, string, string, Record<string, unknown>][] = [
    [
      'evaluations',
      'submitQuarterlyReport without its unit',
      `mutation($input: QuarterlyReportInput!) { submitQuarterlyReport(input: $input) { id } }`,
      { input: { quarter: '2026-Q2', content: '季度报告' } },
    ],
    [
      'issues',
      'reportIssue with a blank title',
      `mutation($input: ReportIssueInput!) { reportIssue(input: $input) { id } }`,
      { input: { clientRequestId: 'anonymous-1', source: 'SURVEY', environment: 'SERVICE', title: ' ', description: '说明' } },
    ],
    ['policies', 'approveApplication of an id that is no uuid', `mutation { approveApplication(id: "x", amount: 1) { id } }`, {}],
    ['units', 'archiveUnit with a blank reason', `mutation { archiveUnit(id: "x", reason: " ") { id } }`, {}],
  ];
  it.each(anonymousRefusals)(
    'asks an anonymous caller of %s to sign in (%s) before checking the input',
    async (subgraph, _, query, variables) => {
      const found = refusal(await send(route, subgraph, query, 'ANONYMOUS', variables));
      expect(found).toMatchObject({ code: 'UNAUTHENTICATED', zh: '请先登录', en: 'Authentication required' });
    },
  );

  it('still checks the input of an anonymous caller where anonymous callers have a standing (an objection to a notice)', async () => {
    const response = await send(
      route,
      'policies',
      `mutation($id: ID!, $input: ObjectionInput!) { fileObjection(applicationId: $id, input: $input) { id } }`,
      'ANONYMOUS',
      { id: 'x', input: { text: ' ' } },
    );
    expect(refusal(response).code).not.toBe('UNAUTHENTICATED');
  });
});

describe('“Did you mean …?” in both halves', () => {
  it('translates the suggestion into the Chinese half', async () => {
    const found = refusal(await t.query(`{ unitz(code: "TAXATION_BUREAU") { id } }`));
    expect(found.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(found.en).toMatch(/Did you mean "units?"/);
    expect(found.zh).toMatch(/^类型 “Query” 没有字段 “unitz”。是不是要找 “units?”/);
    expect(found.zh).not.toMatch(/Did you mean/);
  });

  it('translates a suggested enum value and several suggestions', async () => {
    const found = refusal(await t.query(`{ issues(filter: { status: SUBMITED }) { totalCount } }`, { as: 'COMMAND_OFFICE' }));
    expect(found.en).toMatch(/Did you mean the enum value "SUBMITTED"\?/);
    expect(found.zh).toMatch(/是不是要找枚举值 “SUBMITTED”？$/);
  });
});

describe.each<Route>(['gateway', 'subgraph'])('extensions.field is the path from the argument (%s)', (route) => {
  const appeal = (extra: Record<string, unknown>) => ({
    clientRequestId: `field-${Math.random()}`,
    kind: 'HELP',
    environment: 'SERVICE',
    title: '标题',
    description: '内容',
    ...extra,
  });
  const SUBMIT = (variable: string) => `mutation(${variable}: SubmitAppealInput!) { submitAppeal(input: ${variable}) { id } }`;
  const cases: [string, string, string, Caller, Record<string, unknown> | undefined, string][] = [
    // the slice's input rules
    ['a blank description', 'issues', SUBMIT('$input'), callers.enterpriseA, { input: appeal({ description: ' ' }) }, 'input.description'],
    [
      'a malformed phone number inside the input',
      'issues',
      SUBMIT('$input'),
      callers.enterpriseA,
      { input: appeal({ contact: { name: '刘', phone: '12345' } }) },
      'input.contact.phone',
    ],
    [
      'the same, in a variable of another name',
      'issues',
      SUBMIT('$a'),
      callers.enterpriseA,
      { a: appeal({ description: ' ' }) },
      'input.description',
    ],
    // the platform's own checks on a variable
    [
      'a NUL character in a variable of another name',
      'issues',
      SUBMIT('$a'),
      callers.enterpriseA,
      { a: appeal({ title: 'a\u0000b' }) },
      'input.title',
    ],
    // graphql-js's coercion of a variable
    [
      'a required field missing from a variable',
      'issues',
      SUBMIT('$a'),
      callers.enterpriseA,
      { a: { ...appeal({}), title: undefined } },
      'input.title',
    ],
    // a scalar: a literal, a variable, a variable inside a literal
    [
      'a Date literal that is no date',
      'issues',
      `{ issueStats(period: { from: "2023-02-30", to: "2024-01-01" }) { received } }`,
      'COMMAND_OFFICE',
      undefined,
      'period.from',
    ],
    [
      'a Date in a variable',
      'issues',
      `query($p: PeriodInput) { issueStats(period: $p) { received } }`,
      'COMMAND_OFFICE',
      { p: { from: '2023-02-30', to: '2024-01-01' } },
      'period.from',
    ],
    [
      'a Date variable inside a literal',
      'issues',
      `query($d: Date!) { issueStats(period: { from: $d, to: "2024-01-01" }) { received } }`,
      'COMMAND_OFFICE',
      { d: 'soon' },
      'period.from',
    ],
    [
      'a DateTime variable inside a filter',
      'issues',
      `query($d: DateTime) { issues(filter: { receivedFrom: $d }) { totalCount } }`,
      'COMMAND_OFFICE',
      { d: 'yesterday' },
      'filter.receivedFrom',
    ],
    // a plain argument, not an input object
    [
      'a search with a NUL',
      'units',
      `query($s: String) { units(filter: { search: $s }) { totalCount } }`,
      'ANONYMOUS',
      { s: 'a\u0000' },
      'filter.search',
    ],
  ];
  it.each(cases)('names %s as it sits in the argument', async (_, subgraph, query, as, variables, field) => {
    const found = refusal(await send(route, subgraph, query, as, variables));
    expect(found).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
