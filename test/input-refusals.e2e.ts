/**
 * Issue #7, case 4: input that used to crash (INTERNAL_SERVER_ERROR) or be read as something else
 * is refused as BAD_USER_INPUT naming the field, through the gateway and directly, and nothing is
 * written. The field is the path from the argument, also for a value sent in a variable (issue #21,
 * item 16: `filter.search`, not the variable `s`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
});
afterAll(async () => {
  await t?.stop();
});

const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const report = (title: string) => ({
  i: {
    clientRequestId: `refusal-${Math.random()}`,
    source: 'SURVEY',
    environment: 'SERVICE',
    title,
    description: '说明',
    districtCode: '370202',
  },
});

interface Case {
  name: string;
  subgraph: string;
  query: string;
  variables?: Record<string, unknown>;
  as?: Caller;
  field: string;
}

const cases: Case[] = [
  {
    name: 'a NUL byte in a search',
    subgraph: 'units',
    query: `query($s: String) { units(filter: { search: $s }) { totalCount } }`,
    variables: { s: 'a\u0000b' },
    field: 'filter.search',
  },
  {
    name: 'a NUL byte in a lookup by code (a literal)',
    subgraph: 'units',
    query: `{ domain(code: "POLITICS\\u0000LAW") { name } }`,
    field: 'code',
  },
  {
    name: 'a NUL byte in a lookup by credit code (a variable)',
    subgraph: 'units',
    query: `query($c: String!) { enterprise(creditCode: $c) { name } }`,
    variables: { c: '\u0000' },
    as: 'COMMAND_OFFICE',
    field: 'creditCode',
  },
  {
    name: 'a tampered cursor whose instant is year 0',
    subgraph: 'issues',
    query: `query($c: String) { issueAlerts(after: $c) { totalCount } }`,
    variables: { c: cursor(['0000-01-01', 12]) },
    as: 'COMMAND_OFFICE',
    field: 'after',
  },
  {
    name: 'a NUL byte in a title',
    subgraph: 'issues',
    query: `mutation($i: ReportIssueInput!) { reportIssue(input: $i) { id } }`,
    variables: report('标题\u0000'),
    as: 'COMMAND_OFFICE',
    field: 'input.title',
  },
  {
    name: 'a title only of zero-width characters',
    subgraph: 'issues',
    query: `mutation($i: ReportIssueInput!) { reportIssue(input: $i) { id } }`,
    variables: report('\u200b\u200c\u2060'),
    as: 'COMMAND_OFFICE',
    field: 'input.title',
  },
  {
    name: 'a title with a right-to-left override',
    subgraph: 'issues',
    query: `mutation($i: ReportIssueInput!) { reportIssue(input: $i) { id } }`,
    variables: report('营商\u202e环境'),
    as: 'COMMAND_OFFICE',
    field: 'input.title',
  },
  {
    name: 'a tampered issueAlerts cursor',
    subgraph: 'issues',
    query: `query($c: String) { issueAlerts(after: $c) { totalCount } }`,
    variables: { c: cursor(['x', 'y']) },
    as: 'COMMAND_OFFICE',
    field: 'after',
  },
  {
    name: 'a tampered publishedCases cursor, anonymously',
    subgraph: 'issues',
    query: `query($c: String) { publishedCases(after: $c) { totalCount } }`,
    variables: { c: cursor(['2023-01-01', 'zz']) },
    field: 'after',
  },
  {
    name: 'year 0000 as a DateTime variable',
    subgraph: 'issues',
    query: `query($d: DateTime) { issues(filter: { receivedFrom: $d }) { totalCount } }`,
    variables: { d: '0000-01-01T00:00:00Z' },
    as: 'COMMAND_OFFICE',
    field: 'filter.receivedFrom',
  },
  {
    name: 'year 0000 as a DateTime literal',
    subgraph: 'issues',
    query: `{ issues(filter: { receivedFrom: "0000-01-01T00:00:00Z" }) { totalCount } }`,
    as: 'COMMAND_OFFICE',
    field: 'filter.receivedFrom',
  },
  {
    name: 'year 0000 in a period',
    subgraph: 'issues',
    query: `{ issueStats(period: { from: "0000-01-01", to: "2024-01-01" }) { received } }`,
    as: 'COMMAND_OFFICE',
    field: 'period.from',
  },
  {
    name: '30 February as a DateTime, once read as 2 March',
    subgraph: 'issues',
    query: `query($d: DateTime) { issues(filter: { receivedFrom: $d }) { totalCount } }`,
    variables: { d: '2023-02-30T00:00:00Z' },
    as: 'COMMAND_OFFICE',
    field: 'filter.receivedFrom',
  },
  {
    name: '30 February in a period',
    subgraph: 'issues',
    query: `query($p: PeriodInput) { issueStats(period: $p) { received } }`,
    variables: { p: { from: '2023-02-30', to: '2024-01-01' } },
    as: 'COMMAND_OFFICE',
    field: 'period.from',
  },
  {
    name: 'year 9999 as a DateTime',
    subgraph: 'issues',
    query: `query($d: DateTime) { issues(filter: { receivedTo: $d }) { totalCount } }`,
    variables: { d: '9999-12-31T23:59:59+08:00' },
    as: 'COMMAND_OFFICE',
    field: 'filter.receivedTo',
  },
  // Issue #20, finding 6: a Float literal beyond the double range was a 500 at the gateway.
  {
    name: 'a Float literal beyond the double range, anonymously',
    subgraph: 'policies',
    query: `mutation { approveApplication(id: "x", amount: 1e400) { id } }`,
    field: 'amount',
  },
  {
    name: 'a negative Float literal beyond the double range',
    subgraph: 'policies',
    query: `mutation { approveApplication(id: "x", amount: -1e400) { id } }`,
    as: 'COMMAND_OFFICE',
    field: 'amount',
  },
  // A half year the evaluation cannot compute was accepted, then read and published as INTERNAL_SERVER_ERROR.
  ...['1999-H1', '0000-H1', '2200-H2'].map((period) => ({
    name: `an evaluation for ${period}`,
    subgraph: 'evaluations',
    query: `mutation($i: CreateEvaluationInput!) { createEvaluation(input: $i) { id } }`,
    variables: {
      i: {
        period,
        indicators: [{ code: 'A', name: '指标', kind: 'CONTEST', weight: 100, measure: '擂台名次' }],
        gradingMethod: 'THRESHOLDS',
        gradeCutoffs: [90, 75, 60],
      },
    },
    as: 'COMMAND_OFFICE' as const,
    field: 'input.period',
  })),
  {
    name: 'reading the evaluation of 1999-H1',
    subgraph: 'evaluations',
    query: `{ evaluation(period: "1999-H1") { id } }`,
    as: 'COMMAND_OFFICE',
    field: 'period',
  },
  {
    name: 'publishing the evaluation of 2200-H2',
    subgraph: 'evaluations',
    query: `mutation { publishEvaluation(period: "2200-H2") { id } }`,
    as: 'COMMAND_OFFICE',
    field: 'period',
  },
];

describe.each(['gateway', 'subgraph'])('input refused through the %s', (route) => {
  for (const { name, subgraph, query, variables, as, field } of cases) {
    it(`refuses ${name} as BAD_USER_INPUT naming ${field}`, async () => {
      const count = await t.query(`{ issues { totalCount } }`, { as: 'COMMAND_OFFICE' });
      const response =
        route === 'gateway' ? await t.query(query, { as, variables }) : await t.querySubgraph(subgraph, query, { as, variables });
      const error = response.errors?.[0];
      expect(error?.extensions, JSON.stringify(response.errors)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(error?.extensions?.messageZh).toMatch(/[\u4e00-\u9fff]/);
      expect(error?.extensions?.messageZh).not.toMatch(/Variable|Expected/);
      expect(error?.message).toBe(`${error?.extensions?.messageZh} / ${error?.extensions?.messageEn}`);
      expect(await t.query(`{ issues { totalCount } }`, { as: 'COMMAND_OFFICE' })).toEqual(count);
    });
  }
});

// ---- issue #20, finding 6: inputs that still reached an internal error ----

/** Posts a body as it is: JSON.stringify cannot write 1e400, and overflows its stack on 10,000 levels. */
async function postRaw(url: string, body: string, as: Caller = 'ANONYMOUS') {
  const token = await t.tokenFor(as);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  let json: { data?: unknown; errors?: { message: string; extensions?: Record<string, any> }[] } = {};
  try {
    json = JSON.parse(text);
  } catch {
    // left empty: the assertions below say what was expected
  }
  return { status: response.status, text, ...json };
}

const urlOf = (route: string) => (route === 'gateway' ? t.gatewayUrl : `${t.platform.subgraphs.units!.url}graphql`);
const nested = (depth: number, open: string, close: string, inner: string) => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe.each(['gateway', 'subgraph'])('values at the edges, through the %s', (route) => {
  it.each([
    ['a list', nested(10_000, '[', ']', '"x"')],
    ['an object', nested(10_000, '{"a":', '}', '"x"')],
  ])('refuses a variable nested 10,000 deep (%s) as BAD_USER_INPUT, not a stack overflow', async (_, value) => {
    const body = `{"query":"query($s: String) { units(filter: { search: $s }) { totalCount } }","variables":{"s":${value}}}`;
    const response = await postRaw(urlOf(route), body);
    expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
    expect(response.errors?.[0]?.extensions, response.text.slice(0, 300)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    expect((await t.query(`{ domains { code } }`)).data.domains.length).toBeGreaterThan(0);
  });

  it('refuses a Float variable beyond the double range as BAD_USER_INPUT naming it', async () => {
    const query = `mutation($f: Float) { approveApplication(id: "x", amount: $f) { id } }`;
    const url = route === 'gateway' ? t.gatewayUrl : `${t.platform.subgraphs.policies!.url}graphql`;
    const response = await postRaw(url, JSON.stringify({ query, variables: { f: 0 } }).replace('"f":0', '"f":1e400'));
    expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
    expect(response.errors?.[0]?.extensions, response.text.slice(0, 300)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
  });
});

describe('report punctuality over every quarter since 2000', () => {
  it.each(['gateway', 'subgraph'])('is answered, not an internal error, without a period and from 1900 (%s)', async (route) => {
    const unitId = (await t.query(`{ unit(code: "TAXATION_BUREAU") { id } }`)).data.unit.id as string;
    const read = (period?: { from: string; to: string }) =>
      route === 'gateway'
        ? t.query(`query($p: PeriodInput) { unit(code: "TAXATION_BUREAU") { reportPunctuality(period: $p) } }`, {
            as: 'COMMAND_OFFICE',
            variables: { p: period },
          })
        : t.querySubgraph(
            'evaluations',
            `query($r: [_Any!]!, $p: PeriodInput) { _entities(representations: $r) { ... on Unit { reportPunctuality(period: $p) } } }`,
            {
              as: 'COMMAND_OFFICE',
              variables: { r: [{ __typename: 'Unit', id: unitId }], p: period },
            },
          );
    for (const period of [undefined, { from: '1900-01-01', to: '2026-12-31' }, { from: '1999-01-01', to: '2000-03-31' }]) {
      const response = await read(period);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      const value = route === 'gateway' ? response.data.unit.reportPunctuality : response.data._entities[0].reportPunctuality;
      expect(value === null || (value >= 0 && value <= 1)).toBe(true);
    }
  });
});

describe.each(['policies', 'evaluations', 'issues'])('a representation sent straight to the %s subgraph', (subgraph) => {
  const figure: Record<string, string> = {
    policies: 'policyStats { applicationsReceived }',
    evaluations: 'reviewStats { count }',
    issues: 'issueStats { received }',
  };
  it.each([['x'], [123], ['00000000-0000-0000-0000-00000000000g']])(
    'answers null for a Unit id %j that is no uuid, as for any id naming nothing, before any SQL',
    async (id) => {
      const response = await t.querySubgraph(
        subgraph,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { ${figure[subgraph]} } } }`,
        {
          as: 'COMMAND_OFFICE',
          variables: {
            r: [
              { __typename: 'Unit', id: unitIdForCode('TAXATION_BUREAU') },
              { __typename: 'Unit', id },
            ],
          },
        },
      );
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      expect(response.data._entities).toHaveLength(2);
      expect(response.data._entities[0]).not.toBeNull();
      expect(response.data._entities[1]).toBeNull();
    },
  );

  it('refuses a representation without its key as BAD_USER_INPUT naming it', async () => {
    const response = await t.querySubgraph(
      subgraph,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { ${figure[subgraph]} } } }`,
      {
        as: 'COMMAND_OFFICE',
        variables: { r: [{ __typename: 'Unit' }] },
      },
    );
    expect(response.errors?.[0]?.extensions, JSON.stringify(response.errors)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'representations[0].id',
    });
  });

  it('still answers for a well-formed id', async () => {
    const response = await t.querySubgraph(
      subgraph,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { ${figure[subgraph]} } } }`,
      {
        as: 'COMMAND_OFFICE',
        variables: { r: [{ __typename: 'Unit', id: unitIdForCode('TAXATION_BUREAU').toUpperCase() }] },
      },
    );
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.data._entities).toHaveLength(1);
  });
});
