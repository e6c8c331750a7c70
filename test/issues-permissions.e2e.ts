/**
 * Who sees and does what in the issues subgraph — every rule allowed and refused, through the
 * gateway and straight against the issues subgraph, because bureau frontends call their subgraph
 * directly and the subgraph must enforce every rule itself. After each refusal, nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaign, sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { requestId, unit, mutationSignatures } from './support/issues.ts';

/** Monday 4 November 2024, 09:00 in Qingdao. */
const clock = new TestClock('2024-11-04T09:00:00+08:00');

let t: TestPlatform;

// ───────────── callers ─────────────

const staff = (code: string, subject: string) => ({ role: 'UNIT_STAFF', unit: code, subject }) as const satisfies Caller;
const admin = (code: string, subject: string) => ({ role: 'UNIT_ADMIN', unit: code, subject }) as const satisfies Caller;

const office = { role: 'COMMAND_OFFICE', subject: 'office-zhang' } as const satisfies Caller;
const marketStaff = staff('MARKET_REGULATION_BUREAU', 'market-staff');
const marketAdmin = admin('MARKET_REGULATION_BUREAU', 'market-admin');
const approvalStaff = staff('ADMINISTRATIVE_APPROVAL_BUREAU', 'approval-staff');
const approvalAdmin = admin('ADMINISTRATIVE_APPROVAL_BUREAU', 'approval-admin');
const taxStaff = staff('TAXATION_BUREAU', 'tax-staff');
const taxAdmin = admin('TAXATION_BUREAU', 'tax-admin');
/** 市委政法委 leads the domain 政法, whose responsible units include 市公安局. */
const politicsLeadStaff = staff('POLITICS_LAW_COMMITTEE', 'politics-lead-staff');
const politicsLeadAdmin = admin('POLITICS_LAW_COMMITTEE', 'politics-lead-admin');
const policeStaff = staff('PUBLIC_SECURITY_BUREAU', 'police-staff');
const enterpriseA = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 1), subject: 'enterprise-a' } as const satisfies Caller;
const enterpriseB = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370203', 11), subject: 'enterprise-b' } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const otherObserver = { role: 'OBSERVER', subject: 'observer-media-2' } as const satisfies Caller;
const anonymous = 'ANONYMOUS' as const satisfies Caller;

const MARKET = unit('MARKET_REGULATION_BUREAU');
const APPROVAL = unit('ADMINISTRATIVE_APPROVAL_BUREAU');
const TAX = unit('TAXATION_BUREAU');
const POLICE = unit('PUBLIC_SECURITY_BUREAU');
const POLITICS_LEAD = unit('POLITICS_LAW_COMMITTEE');

/** Every channel of the plan (campaign.json is the one list). */
const ALL_SOURCES = campaign.problemSources.map((source) => source.code);
/** The channels a unit reports through itself. */
const UNIT_SOURCES = [
  'SELF_INSPECTION',
  'DIRECTOR_IN_HALL',
  'SIGNED_NOT_LANDED',
  'MONITORING_POINT',
  'RECEPTION_ROOM',
  'SURVEY',
  'UNIT_WINDOW',
];

// ───────────── transport ─────────────

type Via = 'gateway' | 'issues subgraph';
const transports: Via[] = ['gateway', 'issues subgraph'];

function send(via: Via, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}): Promise<GraphQLResponse> {
  return via === 'gateway' ? t.query(document, options) : t.querySubgraph('issues', document, options);
}

const FIELDS = /* GraphQL */ `
  id status version source title description receivedAt
  responsibleUnit { id } proposedUnit { id }
  enterprise { creditCode }
  rejectionReason resolution reopenCount absorbedCount reminderCount published
  escalation { supervisingLeader }
  extension { requestedWorkingDays pending grantedWorkingDays }
  milestones { id title metAt }
  history { action fromStatus toStatus note actor { subject role } }
`;

type Mutation = keyof typeof mutationSignatures;

interface Outcome {
  issue: any;
  error: { message: string; extensions?: Record<string, any> } | undefined;
}

/** One mutation, at the current instant (a refused one is then re-read at the same instant). */
async function perform(mutation: Mutation, as: Caller, args: Record<string, unknown>, via: Via = 'gateway'): Promise<Outcome> {
  const types: Record<string, string> = mutationSignatures[mutation];
  const names = Object.keys(args);
  const declared = names.map((name) => `$${name}: ${types[name]}`).join(', ');
  const passed = names.map((name) => `${name}: $${name}`).join(', ');
  const response = await send(via, `mutation Act(${declared}) { ${mutation}(${passed}) { ${FIELDS} } }`, { as, variables: args });
  return { issue: response.data?.[mutation] ?? null, error: response.errors?.[0] };
}

/** A setup step, a minute after the last one: it must succeed. */
async function step(mutation: Mutation, as: Caller, args: Record<string, unknown>, via: Via = 'gateway') {
  clock.advance(MINUTE);
  const { issue, error } = await perform(mutation, as, args, via);
  if (error) throw new Error(`${mutation} as ${JSON.stringify(as)} failed: ${JSON.stringify(error)}`);
  return issue;
}

async function read(id: string, as: Caller = office, via: Via = 'gateway') {
  const response = await send(via, `query Read($id: ID!) { issue(id: $id) { ${FIELDS} } }`, { as, variables: { id } });
  expect(response.errors).toBeUndefined();
  return response.data.issue;
}

/** Every issue the caller can list, all pages. */
async function listAll(as: Caller, via: Via, filter: Record<string, unknown> = {}) {
  const nodes: any[] = [];
  let after: string | null = null;
  for (;;) {
    const response: GraphQLResponse = await send(
      via,
      /* GraphQL */ `
        query List($filter: IssueFilter, $after: String) {
          issues(filter: $filter, first: 100, after: $after) {
            totalCount
            pageInfo {
              hasNextPage
              endCursor
            }
            edges {
              node {
                id
                source
                enterprise {
                  creditCode
                }
                responsibleUnit {
                  id
                }
              }
            }
          }
        }
      `,
      { as, variables: { filter, after } },
    );
    expect(response.errors).toBeUndefined();
    nodes.push(...response.data.issues.edges.map((e: any) => e.node));
    if (!response.data.issues.pageInfo.hasNextPage) return { nodes, totalCount: response.data.issues.totalCount as number };
    after = response.data.issues.pageInfo.endCursor;
  }
}

/** How many issues exist, as the command office counts them. */
async function issueCount(): Promise<number> {
  const { data } = await t.query(`{ issues { totalCount } }`, { as: office });
  return data.issues.totalCount;
}

// ───────────── making issues ─────────────

/** Who created each issue of this file, so "sees only its own" can be checked against the truth. */
const ledger: { id: string; by: Caller }[] = [];

async function submitAppeal(as: Caller = enterpriseA) {
  clock.advance(MINUTE);
  const response = await t.query(`mutation Submit($input: SubmitAppealInput!) { submitAppeal(input: $input) { ${FIELDS} } }`, {
    as,
    variables: {
      input: {
        clientRequestId: requestId('permission'),
        kind: 'COMPLAINT',
        environment: 'SERVICE',
        title: '办事窗口推诿',
        description: `内部描述 ${requestId('secret')}`,
        districtCode: '370202',
      },
    },
  });
  if (response.errors) throw new Error(`submitAppeal failed: ${JSON.stringify(response.errors)}`);
  ledger.push({ id: response.data.submitAppeal.id, by: as });
  return response.data.submitAppeal;
}

function reportRequest(as: Caller, input: Record<string, unknown>, via: Via = 'gateway') {
  return send(
    via,
    `mutation Report($input: ReportIssueInput!) { reportIssue(input: $input) { ${FIELDS} reportedBy { subject role unit { id } } } }`,
    {
      as,
      variables: {
        input: {
          clientRequestId: requestId('permission-report'),
          environment: 'SERVICE',
          title: '窗口服务问题',
          description: '现场发现',
          ...input,
        },
      },
    },
  );
}

async function report(as: Caller, input: Record<string, unknown>, via: Via = 'gateway') {
  clock.advance(MINUTE);
  const response = await reportRequest(as, input, via);
  if (response.errors) throw new Error(`reportIssue failed: ${JSON.stringify(response.errors)}`);
  ledger.push({ id: response.data.reportIssue.id, by: as });
  return response.data.reportIssue;
}

type Point = 'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' | 'CONTACTED' | 'FEEDBACK_GIVEN' | 'RESOLVED' | 'CLOSED';
const PATH: Point[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED'];

/** An appeal taken along the loop to `point`, handled by the unit `unitCode`. */
async function appealAt(point: Point, options: { as?: Caller; unitCode?: string } = {}) {
  const unitCode = options.unitCode ?? 'MARKET_REGULATION_BUREAU';
  const hand = staff(unitCode, `${unitCode.toLowerCase()}-handler`);
  let issue = await submitAppeal(options.as ?? enterpriseA);
  const steps: Record<Exclude<Point, 'SUBMITTED'>, () => Promise<any>> = {
    ACCEPTED: () => step('acceptIssue', office, { id: issue.id }),
    ASSIGNED: () => step('assignIssue', office, { id: issue.id, unitId: unit(unitCode) }),
    CONTACTED: () => step('recordContact', hand, { id: issue.id, note: '已联系' }),
    FEEDBACK_GIVEN: () => step('giveFeedback', hand, { id: issue.id, note: '已答复' }),
    RESOLVED: () => step('resolveIssue', hand, { id: issue.id, resolution: '已办结' }),
    CLOSED: () => step('closeIssue', office, { id: issue.id, note: '回访确认' }),
  };
  for (const next of PATH.slice(1, PATH.indexOf(point) + 1)) issue = await steps[next as Exclude<Point, 'SUBMITTED'>]();
  return issue;
}

/** A self-inspection finding of `unitCode`, accepted as ONGOING with two milestones and assigned back to it. */
async function ongoingSelfFound(unitCode: string) {
  let issue = await report(staff(unitCode, `${unitCode.toLowerCase()}-inspector`), { source: 'SELF_INSPECTION' });
  issue = await step('acceptIssue', office, {
    id: issue.id,
    input: {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '制定方案', dueOn: '2024-11-29' },
        { title: '完成整改', dueOn: '2024-12-31' },
      ],
    },
  });
  return step('assignIssue', office, { id: issue.id, unitId: unit(unitCode) });
}

// ───────────── assertions ─────────────

function expectCoded(error: Outcome['error'], code: string) {
  expect(error?.extensions?.code, JSON.stringify(error)).toBe(code);
  if (code !== 'UNAUTHENTICATED') {
    expect(error?.extensions?.messageZh).toEqual(expect.any(String));
    expect(error?.extensions?.messageEn).toEqual(expect.any(String));
  }
}

/** Each caller is refused with its code, and the issue reads exactly as before after each attempt. */
async function expectRefusals(id: string, mutation: Mutation, args: Record<string, unknown>, refusals: [Caller, string][], via: Via) {
  const before = await read(id);
  for (const [as, code] of refusals) {
    const outcome = await perform(mutation, as, { id, ...args }, via);
    expect(outcome.issue, `${mutation} as ${JSON.stringify(as)}`).toBeNull();
    expectCoded(outcome.error, code);
    expect(await read(id), `${mutation} as ${JSON.stringify(as)} changed the issue`).toEqual(before);
  }
  return before;
}

/** The mutation succeeds for `as` and moves the issue on by one version. */
async function expectAllowed(before: any, mutation: Mutation, as: Caller, args: Record<string, unknown>, via: Via) {
  clock.advance(MINUTE);
  const outcome = await perform(mutation, as, { id: before.id, ...args }, via);
  expect(outcome.error, `${mutation} as ${JSON.stringify(as)}`).toBeUndefined();
  expect(outcome.issue.version).toBe(before.version + 1);
  expect(outcome.issue.history).toHaveLength(before.history.length + 1);
  return outcome.issue;
}

function expectBadInput(response: GraphQLResponse, field: string) {
  const error = response.errors?.[0];
  expect(error?.extensions, JSON.stringify(response.errors)).toMatchObject({
    code: 'BAD_USER_INPUT',
    field,
    messageZh: expect.any(String),
    messageEn: expect.any(String),
  });
}

// ───────────── a fixed cast of issues for the visibility rules ─────────────

const fixture: Record<string, any> = {};
const PUBLISHED = { title: '窗口推诿整改典型案例', summary: '某企业反映窗口推诿，承办单位当日整改并建立首问负责制。', kind: 'POSITIVE' };

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
  fixture.appealA = await appealAt('ASSIGNED', { as: enterpriseA, unitCode: 'MARKET_REGULATION_BUREAU' });
  fixture.appealB = await appealAt('SUBMITTED', { as: enterpriseB });
  fixture.policeAppeal = await appealAt('ASSIGNED', { as: enterpriseB, unitCode: 'PUBLIC_SECURITY_BUREAU' });
  fixture.approvalAppeal = await appealAt('ASSIGNED', { as: enterpriseA, unitCode: 'ADMINISTRATIVE_APPROVAL_BUREAU' });
  fixture.observerReport = await report(observer, { source: 'UNDERCOVER_VISIT', unitId: MARKET, title: '暗访：窗口人员脱岗' });
  fixture.otherObserverReport = await report(otherObserver, { source: 'UNDERCOVER_VISIT', title: '暗访：导办不主动' });
  fixture.taxReport = await report(taxStaff, { source: 'SELF_INSPECTION', title: '自查：办税指引不清' });
  const published = await appealAt('CLOSED', { as: enterpriseB, unitCode: 'MARKET_REGULATION_BUREAU' });
  fixture.published = await step('publishIssue', office, { id: published.id, ...PUBLISHED });
});
afterAll(async () => {
  await t?.stop();
});

const FIXTURE_KEYS = [
  'appealA',
  'appealB',
  'policeAppeal',
  'approvalAppeal',
  'observerReport',
  'otherObserverReport',
  'taxReport',
  'published',
];

const visibility: [string, Caller, string[]][] = [
  ['the command office sees every issue', office, FIXTURE_KEYS],
  ['an enterprise sees only the appeals it submitted', enterpriseA, ['appealA', 'approvalAppeal']],
  ['another enterprise sees only its own appeals, not the first one', enterpriseB, ['appealB', 'policeAppeal', 'published']],
  ['an observer sees only its own reports', observer, ['observerReport']],
  ['another observer sees only its own reports', otherObserver, ['otherObserverReport']],
  ["unit staff see the issues assigned to their unit, not other units'", marketStaff, ['appealA', 'published']],
  ["a unit admin sees the issues assigned to its unit, not other units'", approvalAdmin, ['approvalAppeal']],
  ['unit staff see the issues their unit reported, before anyone assigned them', taxStaff, ['taxReport']],
  ["a lead unit sees its domain's units' issues, not other domains'", politicsLeadStaff, ['policeAppeal']],
  ['a responsible unit of a domain sees only its own issues, not the lead unit view', policeStaff, ['policeAppeal']],
];

describe.each(transports)('who sees which issue, through the %s', (via) => {
  it.each(visibility)('%s', async (_, as, visible) => {
    const listed = new Set((await listAll(as, via)).nodes.map((n) => n.id));
    for (const key of FIXTURE_KEYS) {
      const expected = visible.includes(key);
      const single = await read(fixture[key].id, as, via);
      expect(single?.id ?? null, `${key} by issue(id)`).toBe(expected ? fixture[key].id : null);
      expect(listed.has(fixture[key].id), `${key} in issues`).toBe(expected);
    }
  });

  it('lists for an enterprise exactly the appeals it submitted, all about itself', async () => {
    for (const enterprise of [enterpriseA, enterpriseB]) {
      const { nodes, totalCount } = await listAll(enterprise, via);
      const own = ledger.filter((e) => e.by === enterprise).map((e) => e.id);
      expect(nodes.map((n) => n.id).sort()).toEqual([...own].sort());
      expect(totalCount).toBe(own.length);
      expect(nodes.every((n) => n.source === 'ENTERPRISE_APPEAL' && n.enterprise.creditCode === enterprise.enterprise)).toBe(true);
    }
  });

  it('lists for an observer exactly the reports it made', async () => {
    for (const who of [observer, otherObserver]) {
      const { nodes } = await listAll(who, via);
      expect(nodes.map((n) => n.id).sort()).toEqual(
        ledger
          .filter((e) => e.by === who)
          .map((e) => e.id)
          .sort(),
      );
      expect(nodes.every((n) => n.source === 'UNDERCOVER_VISIT')).toBe(true);
    }
  });

  it("lets a lead unit filter its domain and read its responsible units' issues, and refuses other domains' (never a silent 0)", async () => {
    const domain = await listAll(politicsLeadStaff, via, { domainCode: 'POLITICS_LAW' });
    expect(domain.nodes.map((n) => n.id)).toContain(fixture.policeAppeal.id);
    expect(domain.nodes.every((n) => n.responsibleUnit.id !== APPROVAL && n.responsibleUnit.id !== MARKET)).toBe(true);
    const police = await listAll(politicsLeadStaff, via, { unitId: POLICE });
    expect(police.nodes.map((n) => n.id)).toContain(fixture.policeAppeal.id);
    const list = (filter: Record<string, unknown>) =>
      send(via, `query($filter: IssueFilter) { issues(filter: $filter) { totalCount } }`, { as: politicsLeadStaff, variables: { filter } });
    expectCoded((await list({ domainCode: 'ADMIN_APPROVAL' })).errors?.[0], 'FORBIDDEN');
    expectCoded((await list({ unitId: APPROVAL })).errors?.[0], 'FORBIDDEN');
  });

  it('lets the command office list every issue ever created', async () => {
    const { nodes, totalCount } = await listAll(office, via);
    expect(totalCount).toBe(ledger.length);
    expect(new Set(nodes.map((n) => n.id))).toEqual(new Set(ledger.map((e) => e.id)));
  });

  it('answers anonymous callers of issue and issues with UNAUTHENTICATED', async () => {
    const one = await send(via, `query($id: ID!) { issue(id: $id) { id title } }`, { variables: { id: fixture.appealA.id } });
    expect(one.data?.issue ?? null).toBeNull();
    expectCoded(one.errors?.[0], 'UNAUTHENTICATED');
    const many = await send(via, `{ issues { totalCount edges { node { id } } } }`);
    expect(many.data?.issues ?? null).toBeNull();
    expectCoded(many.errors?.[0], 'UNAUTHENTICATED');
    const alerts = await send(via, `{ issueAlerts { totalCount } }`);
    expectCoded(alerts.errors?.[0], 'UNAUTHENTICATED');
  });

  it('shows anonymous callers only the published cases, anonymised to the published title and summary', async () => {
    const response = await send(
      via,
      `{ publishedCases(first: 100) { totalCount edges { node { id title summary kind environment unit { id } publishedAt } } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.publishedCases.totalCount).toBe(1);
    const [node] = response.data.publishedCases.edges.map((e: any) => e.node);
    expect(node).toMatchObject({ id: fixture.published.id, ...PUBLISHED, environment: 'SERVICE', unit: { id: MARKET } });
    const body = JSON.stringify(response.data);
    expect(body).not.toContain(fixture.published.description);
    expect(body).not.toContain(fixture.published.title);
    expect(body).not.toContain(enterpriseB.enterprise);

    // The type itself has nothing else to give: no enterprise, no description, no reporter, no history.
    const type = await send(via, `{ __type(name: "PublishedCase") { fields { name } } }`);
    expect(type.data.__type.fields.map((f: any) => f.name).sort()).toEqual([
      'environment',
      'id',
      'kind',
      'publishedAt',
      'summary',
      'title',
      'unit',
    ]);
  });

  it('shows who reported an issue to the command office only', async () => {
    const reporters: [string, Caller, { subject: string; role: string; unit: { id: string } | null }][] = [
      ['appealA', enterpriseA, { subject: enterpriseA.subject, role: 'ENTERPRISE', unit: null }],
      ['observerReport', observer, { subject: observer.subject, role: 'OBSERVER', unit: null }],
      ['taxReport', taxStaff, { subject: taxStaff.subject, role: 'UNIT_STAFF', unit: { id: TAX } }],
    ];
    const query = `query($id: ID!) { issue(id: $id) { id reportedBy { subject role unit { id } } } }`;
    for (const [key, reporter, expected] of reporters) {
      const byOffice = await send(via, query, { as: office, variables: { id: fixture[key].id } });
      expect(byOffice.data.issue.reportedBy).toEqual(expected);
      const byReporter = await send(via, query, { as: reporter, variables: { id: fixture[key].id } });
      expect(byReporter.data.issue).toEqual({ id: fixture[key].id, reportedBy: null });
    }
    const byUnit = await send(via, query, { as: marketStaff, variables: { id: fixture.appealA.id } });
    expect(byUnit.data.issue).toEqual({ id: fixture.appealA.id, reportedBy: null });
  });

  it('does not reveal who reported an undercover finding through the history either, except to the office and the reporter', async () => {
    const finding = await report(observer, { source: 'UNDERCOVER_VISIT', unitId: MARKET, title: '暗访：窗口人员玩手机' });
    await step('acceptIssue', office, { id: finding.id, input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 3 } });
    await step('assignIssue', office, { id: finding.id, unitId: MARKET });
    const submitter = async (as: Caller) => (await read(finding.id, as, via)).history[0];
    expect(await submitter(office)).toMatchObject({ action: 'SUBMIT', actor: { subject: observer.subject, role: 'OBSERVER' } });
    expect(await submitter(observer)).toMatchObject({ action: 'SUBMIT', actor: { subject: observer.subject } });
    const seenByUnit = await submitter(marketStaff);
    expect(seenByUnit.action).toBe('SUBMIT');
    expect(seenByUnit.actor.subject).not.toBe(observer.subject);
    expect(JSON.stringify(await read(finding.id, marketStaff, via))).not.toContain(observer.subject);
  });
});

describe('a lead unit sees but cannot act on its domain units’ issues', () => {
  it('reads the issues of 市公安局 through Unit.issues on the gateway', async () => {
    const { data, errors } = await t.query(`{ unit(code: "PUBLIC_SECURITY_BUREAU") { issues(first: 100) { edges { node { id } } } } }`, {
      as: politicsLeadStaff,
    });
    expect(errors).toBeUndefined();
    expect(data.unit.issues.edges.map((e: any) => e.node.id)).toContain(fixture.policeAppeal.id);
    // Another domain's unit: refused, not an empty list.
    const other = await t.query(`{ unit(code: "ADMINISTRATIVE_APPROVAL_BUREAU") { issues { totalCount } } }`, { as: politicsLeadStaff });
    expectCoded(other.errors?.[0], 'FORBIDDEN');
  });

  it.each(transports)('refuses every handling action of the lead unit with FORBIDDEN, through the %s', async (via) => {
    const id = fixture.policeAppeal.id;
    await expectRefusals(
      id,
      'recordContact',
      { note: '已联系' },
      [
        [politicsLeadStaff, 'FORBIDDEN'],
        [politicsLeadAdmin, 'FORBIDDEN'],
      ],
      via,
    );
    await expectRefusals(id, 'returnIssue', { reason: '退回' }, [[politicsLeadAdmin, 'FORBIDDEN']], via);
    await expectRefusals(id, 'requestExtension', { totalWorkingDays: 20, reason: '会商' }, [[politicsLeadAdmin, 'FORBIDDEN']], via);
    await expectRefusals(id, 'escalateIssue', { supervisingLeader: '政法委领导' }, [[politicsLeadAdmin, 'FORBIDDEN']], via);
    // The responsible unit itself may act.
    const contacted = await expectAllowed(await read(id), 'recordContact', policeStaff, { note: via }, via);
    expect(contacted.status).toBe('CONTACTED');
    await expectRefusals(id, 'giveFeedback', { note: '答复' }, [[politicsLeadStaff, 'FORBIDDEN']], via);
    // Put it back where the other transport expects it: a fresh assignment to 市公安局.
    fixture.policeAppeal = await appealAt('ASSIGNED', { as: enterpriseB, unitCode: 'PUBLIC_SECURITY_BUREAU' });
  });
});

describe.each(transports)('who may take each action, through the %s', (via) => {
  it('refuses every mutation to an anonymous caller with UNAUTHENTICATED, changing nothing', async () => {
    const target = await appealAt('ASSIGNED');
    const count = await issueCount();
    const args: Partial<Record<Mutation, Record<string, unknown>>> = {
      acceptIssue: {},
      rejectIssue: { reason: '理由' },
      assignIssue: { unitId: APPROVAL },
      returnIssue: { reason: '理由' },
      recordContact: { note: '联系' },
      giveFeedback: { note: '反馈' },
      resolveIssue: { resolution: '办结' },
      rateIssue: { rating: 'SATISFIED' },
      closeIssue: { note: '销号' },
      reopenIssue: { reason: '重办' },
      escalateIssue: { supervisingLeader: '领导' },
      mergeIssue: { intoId: fixture.appealA.id },
      requestExtension: { totalWorkingDays: 20, reason: '会商' },
      grantExtension: {},
      remindIssue: { note: '催办' },
      planMilestones: { milestones: [{ title: '节点', dueOn: '2024-12-31' }] },
      completeMilestone: { milestoneId: '1', note: '完成' },
      publishIssue: { title: '案例', summary: '摘要', kind: 'NEGATIVE' },
      recordFollowUp: { input: { reached: false } },
      deescalateIssue: {},
      addCoHandler: { unitId: APPROVAL },
      removeCoHandler: { unitId: APPROVAL },
      contributeToIssue: { note: '协办' },
      requestReplan: { milestones: [{ title: '节点', dueOn: '2024-12-31' }], reason: '调整' },
      decideReplan: {},
    };
    for (const mutation of Object.keys(args) as Mutation[]) {
      await expectRefusals(target.id, mutation, args[mutation]!, [[anonymous, 'UNAUTHENTICATED']], via);
    }
    expect(await read(fixture.appealA.id)).toMatchObject({ absorbedCount: 0 });

    const submit = await send(via, `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, {
      variables: {
        input: { clientRequestId: requestId('anon'), kind: 'HELP', environment: 'SERVICE', title: '匿名', description: '匿名' },
      },
    });
    expectCoded(submit.errors?.[0], 'UNAUTHENTICATED');
    const reported = await reportRequest(anonymous, { source: 'MEDIA' }, via);
    expectCoded(reported.errors?.[0], 'UNAUTHENTICATED');
    const calendar = await send(
      via,
      `mutation { setCalendarYear(input: { year: 2026, notice: "国办发明电", off: [], workdays: [] }) { year } }`,
    );
    expectCoded(calendar.errors?.[0], 'UNAUTHENTICATED');
    expect(await issueCount()).toBe(count);
  });

  it('answers a unit acting on an issue it cannot see with NOT_FOUND, and one it sees but does not handle with FORBIDDEN', async () => {
    const issue = await appealAt('ASSIGNED', { unitCode: 'MARKET_REGULATION_BUREAU' });
    const notFound = await perform('recordContact', approvalStaff, { id: issue.id, note: '越权' }, via);
    expectCoded(notFound.error, 'NOT_FOUND');
    expect(notFound.error?.extensions?.id).toBe(issue.id);
    await expectRefusals(
      issue.id,
      'recordContact',
      { note: '越权' },
      [
        [approvalStaff, 'NOT_FOUND'],
        [taxStaff, 'NOT_FOUND'],
        [enterpriseB, 'NOT_FOUND'],
        [observer, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(issue.id, 'returnIssue', { reason: '越权' }, [[approvalAdmin, 'NOT_FOUND']], via);
    await expectRefusals(issue.id, 'requestExtension', { totalWorkingDays: 20, reason: '越权' }, [[approvalAdmin, 'NOT_FOUND']], via);
    // The reporting enterprise sees it but does not handle it.
    await expectRefusals(issue.id, 'recordContact', { note: '越权' }, [[enterpriseA, 'FORBIDDEN']], via);
    // The police appeal is seen by the lead unit: FORBIDDEN, not NOT_FOUND.
    await expectRefusals(
      fixture.policeAppeal.id,
      'recordContact',
      { note: '越权' },
      [
        [politicsLeadStaff, 'FORBIDDEN'],
        [marketStaff, 'NOT_FOUND'],
      ],
      via,
    );
  });

  it('refuses returnIssue and requestExtension to unit staff and lets the unit admin take them', async () => {
    const toReturn = await appealAt('ASSIGNED');
    const before = await expectRefusals(
      toReturn.id,
      'returnIssue',
      { reason: '不属本单位' },
      [
        [marketStaff, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
        [office, 'FORBIDDEN'],
      ],
      via,
    );
    expect((await expectAllowed(before, 'returnIssue', marketAdmin, { reason: '不属本单位' }, via)).status).toBe('RETURNED');

    const toExtend = await appealAt('ASSIGNED');
    const pending = await expectRefusals(
      toExtend.id,
      'requestExtension',
      { totalWorkingDays: 20, reason: '会商' },
      [
        [marketStaff, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
        [office, 'FORBIDDEN'],
      ],
      via,
    );
    const extended = await expectAllowed(pending, 'requestExtension', marketAdmin, { totalWorkingDays: 20, reason: '会商' }, via);
    expect(extended.extension).toMatchObject({ requestedWorkingDays: 20, pending: true });
  });

  it('lets only the command office accept and reject', async () => {
    const appeal = await appealAt('SUBMITTED');
    const selfFound = await report(taxStaff, { source: 'SELF_INSPECTION' });
    const observed = await report(observer, { source: 'UNDERCOVER_VISIT' });
    const input = { input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 } };
    await expectRefusals(
      appeal.id,
      'acceptIssue',
      {},
      [
        [enterpriseA, 'FORBIDDEN'],
        [enterpriseB, 'NOT_FOUND'],
        [marketAdmin, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(
      selfFound.id,
      'acceptIssue',
      input,
      [
        [taxAdmin, 'FORBIDDEN'],
        [taxStaff, 'FORBIDDEN'],
        [marketAdmin, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(
      observed.id,
      'acceptIssue',
      input,
      [
        [observer, 'FORBIDDEN'],
        [otherObserver, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(appeal.id, 'rejectIssue', { reason: '不予受理' }, [[enterpriseA, 'FORBIDDEN']], via);
    await expectRefusals(selfFound.id, 'rejectIssue', { reason: '不予受理' }, [[taxAdmin, 'FORBIDDEN']], via);
    await expectRefusals(observed.id, 'rejectIssue', { reason: '不予受理' }, [[observer, 'FORBIDDEN']], via);

    expect((await expectAllowed(await read(appeal.id), 'acceptIssue', office, {}, via)).status).toBe('ACCEPTED');
    expect((await expectAllowed(await read(selfFound.id), 'acceptIssue', office, input, via)).status).toBe('ACCEPTED');
    expect((await expectAllowed(await read(observed.id), 'rejectIssue', office, { reason: '查无实据' }, via)).status).toBe('REJECTED');
  });

  it('lets only the command office assign, escalate, merge, close and publish', async () => {
    const accepted = await appealAt('ACCEPTED');
    await expectRefusals(accepted.id, 'assignIssue', { unitId: MARKET }, [[enterpriseA, 'FORBIDDEN']], via);
    const selfFound = await step('acceptIssue', office, {
      id: (await report(taxStaff, { source: 'SELF_INSPECTION' })).id,
      input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 3 },
    });
    await expectRefusals(selfFound.id, 'assignIssue', { unitId: TAX }, [[taxAdmin, 'FORBIDDEN']], via);
    expect((await expectAllowed(await read(selfFound.id), 'assignIssue', office, { unitId: TAX }, via)).status).toBe('ASSIGNED');

    const assigned = await appealAt('ASSIGNED');
    await expectRefusals(
      assigned.id,
      'assignIssue',
      { unitId: APPROVAL },
      [
        [marketAdmin, 'FORBIDDEN'],
        [marketStaff, 'FORBIDDEN'],
      ],
      via,
    );
    await expectRefusals(
      assigned.id,
      'escalateIssue',
      { supervisingLeader: '副市长' },
      [
        [marketAdmin, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
      ],
      via,
    );
    expect(
      (await expectAllowed(await read(assigned.id), 'escalateIssue', office, { supervisingLeader: '副市长' }, via)).escalation,
    ).toEqual({ supervisingLeader: '副市长' });

    const duplicate = await appealAt('ASSIGNED');
    await expectRefusals(
      duplicate.id,
      'mergeIssue',
      { intoId: assigned.id },
      [
        [marketAdmin, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
      ],
      via,
    );
    expect((await read(assigned.id)).absorbedCount).toBe(0);
    expect((await expectAllowed(await read(duplicate.id), 'mergeIssue', office, { intoId: assigned.id }, via)).status).toBe('MERGED');

    const resolved = await appealAt('RESOLVED');
    await expectRefusals(
      resolved.id,
      'closeIssue',
      { note: '销号' },
      [
        [marketAdmin, 'FORBIDDEN'],
        [marketStaff, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
      ],
      via,
    );
    const closed = await expectAllowed(await read(resolved.id), 'closeIssue', office, { note: '销号' }, via);
    expect(closed.status).toBe('CLOSED');
    await expectRefusals(
      resolved.id,
      'publishIssue',
      PUBLISHED,
      [
        [marketAdmin, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
      ],
      via,
    );
    expect((await expectAllowed(closed, 'publishIssue', office, { title: '案例', summary: '摘要', kind: 'NEGATIVE' }, via)).published).toBe(
      true,
    );
  });

  it('lets only the command office decide an extension and send a reminder', async () => {
    const assigned = await appealAt('ASSIGNED');
    await step('requestExtension', marketAdmin, { id: assigned.id, totalWorkingDays: 20, reason: '会商' });
    await expectRefusals(
      assigned.id,
      'grantExtension',
      {},
      [
        [marketAdmin, 'FORBIDDEN'],
        [marketStaff, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
      ],
      via,
    );
    expect((await expectAllowed(await read(assigned.id), 'grantExtension', office, {}, via)).extension).toMatchObject({
      pending: false,
      grantedWorkingDays: 20,
    });

    clock.advance(24 * HOUR); // a working day later: the 2 office hours for the contact have run out
    await expectRefusals(
      assigned.id,
      'remindIssue',
      { note: '催办' },
      [
        [marketAdmin, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
        [approvalAdmin, 'NOT_FOUND'],
      ],
      via,
    );
    expect((await expectAllowed(await read(assigned.id), 'remindIssue', office, { note: '请抓紧联系' }, via)).reminderCount).toBe(1);
  });

  it('lets the reporting enterprise rate, and the enterprise or the command office reopen', async () => {
    const resolved = await appealAt('RESOLVED');
    await expectRefusals(
      resolved.id,
      'rateIssue',
      { rating: 'SATISFIED' },
      [
        [marketAdmin, 'FORBIDDEN'],
        [marketStaff, 'FORBIDDEN'],
        [enterpriseB, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(
      resolved.id,
      'reopenIssue',
      { reason: '重办' },
      [
        [marketAdmin, 'FORBIDDEN'],
        [marketStaff, 'FORBIDDEN'],
        [enterpriseB, 'NOT_FOUND'],
      ],
      via,
    );
    expect((await expectAllowed(await read(resolved.id), 'rateIssue', enterpriseA, { rating: 'SATISFIED' }, via)).status).toBe('RESOLVED');
    expect((await expectAllowed(await read(resolved.id), 'reopenIssue', enterpriseA, { reason: '又出现了' }, via)).status).toBe('REOPENED');
  });

  it('lets the command office record its follow-up (回访), never rate for the enterprise; a follow-up never reopens by itself', async () => {
    const resolved = await appealAt('RESOLVED');
    await expectRefusals(resolved.id, 'rateIssue', { rating: 'UNSATISFIED' }, [[office, 'FORBIDDEN']], via);
    const input = { reached: true, rating: 'UNSATISFIED', solved: false };
    await expectRefusals(
      resolved.id,
      'recordFollowUp',
      { input },
      [
        [marketAdmin, 'FORBIDDEN'],
        [enterpriseA, 'FORBIDDEN'],
        [approvalAdmin, 'NOT_FOUND'],
      ],
      via,
    );
    const followed = await expectAllowed(await read(resolved.id), 'recordFollowUp', office, { input }, via);
    expect(followed.status).toBe('RESOLVED');
    expect(followed.reopenCount).toBe(0);
  });

  it('lets only the handling unit and the command office work the loop and the milestones', async () => {
    const assigned = await appealAt('ASSIGNED');
    await expectRefusals(
      assigned.id,
      'recordContact',
      { note: '联系' },
      [
        [enterpriseA, 'FORBIDDEN'],
        [approvalStaff, 'NOT_FOUND'],
      ],
      via,
    );
    const contacted = await expectAllowed(await read(assigned.id), 'recordContact', marketStaff, { note: '联系' }, via);
    await expectRefusals(
      assigned.id,
      'giveFeedback',
      { note: '反馈' },
      [
        [enterpriseA, 'FORBIDDEN'],
        [approvalStaff, 'NOT_FOUND'],
      ],
      via,
    );
    const feedback = await expectAllowed(contacted, 'giveFeedback', office, { note: '反馈' }, via);
    await expectRefusals(
      assigned.id,
      'resolveIssue',
      { resolution: '办结' },
      [
        [enterpriseA, 'FORBIDDEN'],
        [approvalStaff, 'NOT_FOUND'],
      ],
      via,
    );
    expect((await expectAllowed(feedback, 'resolveIssue', marketAdmin, { resolution: '办结' }, via)).status).toBe('RESOLVED');

    const ongoing = await ongoingSelfFound('PUBLIC_SECURITY_BUREAU');
    const milestones = [{ title: '新节点', dueOn: '2024-12-20' }];
    const [first] = ongoing.milestones;
    await expectRefusals(
      ongoing.id,
      'planMilestones',
      { milestones },
      [
        [politicsLeadStaff, 'FORBIDDEN'],
        [marketStaff, 'NOT_FOUND'],
        [observer, 'NOT_FOUND'],
      ],
      via,
    );
    await expectRefusals(
      ongoing.id,
      'completeMilestone',
      { milestoneId: first.id, note: '完成' },
      [
        [politicsLeadStaff, 'FORBIDDEN'],
        [marketStaff, 'NOT_FOUND'],
      ],
      via,
    );
    const done = await expectAllowed(
      await read(ongoing.id),
      'completeMilestone',
      policeStaff,
      { milestoneId: first.id, note: '完成' },
      via,
    );
    expect(done.milestones[0].metAt).not.toBeNull();
    // The unit asks to move its plan; the command office may re-plan directly.
    await expectRefusals(ongoing.id, 'planMilestones', { milestones }, [[policeStaff, 'INVALID_TRANSITION']], via);
    expect((await expectAllowed(done, 'planMilestones', office, { milestones }, via)).milestones.map((m: any) => m.title)).toEqual([
      '制定方案',
      '新节点',
    ]);
  });

  it('lets only the command office keep the working-day calendar', async () => {
    const query = `{ calendarYears { year notice off workdays updatedAt } }`;
    const before = (await send(via, query)).data.calendarYears;
    const year2024 = before.find((y: any) => y.year === 2024);
    const mutation = `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year notice off workdays } }`;
    const input = { year: 2024, notice: year2024.notice, off: year2024.off, workdays: year2024.workdays };
    for (const as of [marketAdmin, politicsLeadAdmin, enterpriseA, observer] as Caller[]) {
      const refused = await send(via, mutation, { as, variables: { input } });
      expectCoded(refused.errors?.[0], 'FORBIDDEN');
    }
    expect((await send(via, query)).data.calendarYears).toEqual(before);
    clock.advance(MINUTE);
    const saved = await send(via, mutation, { as: office, variables: { input } });
    expect(saved.errors).toBeUndefined();
    expect(saved.data.setCalendarYear).toEqual(input);
  });
});

describe.each(transports)('who may submit and report, through the %s', (via) => {
  const submitDoc = `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id enterprise { creditCode } } }`;
  const appealInput = () => ({
    clientRequestId: requestId('who-submits'),
    kind: 'HELP',
    environment: 'SERVICE',
    title: '求助',
    description: '求助内容',
  });

  it('lets only an enterprise submit an appeal, for itself', async () => {
    const count = await issueCount();
    for (const as of [office, marketStaff, marketAdmin, observer] as Caller[]) {
      const refused = await send(via, submitDoc, { as, variables: { input: appealInput() } });
      expectCoded(refused.errors?.[0], 'FORBIDDEN');
    }
    expect(await issueCount()).toBe(count);
    const accepted = await send(via, submitDoc, { as: enterpriseB, variables: { input: appealInput() } });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.submitAppeal.enterprise).toEqual({ creditCode: enterpriseB.enterprise });
    ledger.push({ id: accepted.data.submitAppeal.id, by: enterpriseB });
    expect(await issueCount()).toBe(count + 1);
  });

  it('refuses reportIssue to an enterprise', async () => {
    const count = await issueCount();
    for (const source of ['ENTERPRISE_APPEAL', 'MEDIA', 'SELF_INSPECTION']) {
      expectCoded((await reportRequest(enterpriseA, { source }, via)).errors?.[0], 'FORBIDDEN');
    }
    expect(await issueCount()).toBe(count);
  });

  it('lets an observer report undercover findings only', async () => {
    const count = await issueCount();
    for (const source of ALL_SOURCES.filter((s) => s !== 'UNDERCOVER_VISIT')) {
      expectCoded((await reportRequest(observer, { source }, via)).errors?.[0], 'FORBIDDEN');
    }
    expect(await issueCount()).toBe(count);
    const made = await report(observer, { source: 'UNDERCOVER_VISIT', unitId: APPROVAL }, via);
    expect(made).toMatchObject({ source: 'UNDERCOVER_VISIT', status: 'SUBMITTED', proposedUnit: { id: APPROVAL } });
    expect(await issueCount()).toBe(count + 1);
  });

  it('lets a unit report through its own channels only, and only for its own unit', async () => {
    const count = await issueCount();
    for (const source of ALL_SOURCES.filter((s) => !UNIT_SOURCES.includes(s))) {
      expectCoded((await reportRequest(marketStaff, { source }, via)).errors?.[0], 'FORBIDDEN');
    }
    for (const unitId of [APPROVAL, POLICE, POLITICS_LEAD]) {
      expectCoded((await reportRequest(marketAdmin, { source: 'SELF_INSPECTION', unitId }, via)).errors?.[0], 'FORBIDDEN');
    }
    // A lead unit does not report for its domain's units either.
    expectCoded((await reportRequest(politicsLeadAdmin, { source: 'SELF_INSPECTION', unitId: POLICE }, via)).errors?.[0], 'FORBIDDEN');
    expect(await issueCount()).toBe(count);

    for (const source of UNIT_SOURCES) {
      const made = await report(marketStaff, { source }, via);
      expect(made).toMatchObject({ source, status: 'SUBMITTED', proposedUnit: { id: MARKET }, responsibleUnit: null });
    }
    const explicit = await report(marketAdmin, { source: 'SELF_INSPECTION', unitId: MARKET }, via);
    expect(explicit.proposedUnit).toEqual({ id: MARKET });
    expect(await issueCount()).toBe(count + UNIT_SOURCES.length + 1);
  });

  it('lets only the command office give receivedAt, for records imported from other platforms', async () => {
    const count = await issueCount();
    const receivedAt = new Date(clock.now().getTime() - 48 * HOUR).toISOString();
    expectCoded((await reportRequest(marketStaff, { source: 'SELF_INSPECTION', receivedAt }, via)).errors?.[0], 'FORBIDDEN');
    expectCoded((await reportRequest(observer, { source: 'UNDERCOVER_VISIT', receivedAt }, via)).errors?.[0], 'FORBIDDEN');
    expect(await issueCount()).toBe(count);
    const imported = await report(office, { source: 'HOTLINE_12345', appealKind: 'COMPLAINT', receivedAt }, via);
    expect(new Date(imported.receivedAt).getTime()).toBe(new Date(receivedAt).getTime());
    expect(imported.reportedBy).toMatchObject({ subject: office.subject, role: 'COMMAND_OFFICE' });
    expect(await issueCount()).toBe(count + 1);
  });
});

describe.each(transports)('who may read the statistics, through the %s', (via) => {
  const STATS = `received accepted closed overdueNow reopened responseRate satisfactionRate`;

  /** Unit.issueStats: `unit(code)` on the gateway, `_entities` on the subgraph as the gateway itself calls it. */
  function unitStats(as: Caller, unitId: string) {
    return via === 'gateway'
      ? t
          .query(`query($id: ID!) { unit(id: $id) { id issueStats { ${STATS} } } }`, { as, variables: { id: unitId } })
          .then((r) => ({ stats: r.data?.unit?.issueStats ?? null, error: r.errors?.[0] }))
      : t
          .querySubgraph('issues', `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { issueStats { ${STATS} } } } }`, {
            as,
            variables: { r: [{ __typename: 'Unit', id: unitId }] },
          })
          .then((r) => ({ stats: r.data?._entities?.[0]?.issueStats ?? null, error: r.errors?.[0] }));
  }

  function domainStats(as: Caller, code: string) {
    return via === 'gateway'
      ? t
          .query(`query($code: String!) { domain(code: $code) { code issueStats { ${STATS} } } }`, { as, variables: { code } })
          .then((r) => ({ stats: r.data?.domain?.issueStats ?? null, error: r.errors?.[0] }))
      : t
          .querySubgraph('issues', `query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { issueStats { ${STATS} } } } }`, {
            as,
            variables: { r: [{ __typename: 'Domain', code }] },
          })
          .then((r) => ({ stats: r.data?._entities?.[0]?.issueStats ?? null, error: r.errors?.[0] }));
  }

  it("lets a unit read its own Unit.issueStats, a lead unit its domain units', and refuses everyone else", async () => {
    const truth = await unitStats(office, MARKET);
    expect(truth.error).toBeUndefined();
    expect(truth.stats.received).toBeGreaterThan(0);
    expect(await unitStats(marketStaff, MARKET)).toEqual({ stats: truth.stats, error: undefined });
    expect(await unitStats(marketAdmin, MARKET)).toEqual({ stats: truth.stats, error: undefined });

    const police = await unitStats(office, POLICE);
    expect(police.stats.received).toBeGreaterThan(0);
    expect(await unitStats(politicsLeadStaff, POLICE)).toEqual({ stats: police.stats, error: undefined });
    expect(await unitStats(policeStaff, POLICE)).toEqual({ stats: police.stats, error: undefined });

    const refused: [Caller, string][] = [
      [marketStaff, TAX],
      [taxStaff, MARKET],
      [politicsLeadStaff, MARKET],
      [policeStaff, POLITICS_LEAD],
      [approvalAdmin, POLICE],
      [enterpriseA, MARKET],
      [observer, MARKET],
    ];
    for (const [as, unitId] of refused) {
      const { stats, error } = await unitStats(as, unitId);
      expect(stats).toBeNull();
      expectCoded(error, 'FORBIDDEN');
    }
    expectCoded((await unitStats(anonymous, MARKET)).error, 'UNAUTHENTICATED');
  });

  it('lets the lead unit and the command office read Domain.issueStats, and refuses everyone else', async () => {
    const truth = await domainStats(office, 'POLITICS_LAW');
    expect(truth.error).toBeUndefined();
    expect(truth.stats.received).toBeGreaterThan(0);
    expect(await domainStats(politicsLeadStaff, 'POLITICS_LAW')).toEqual({ stats: truth.stats, error: undefined });
    for (const [as, code] of [
      [policeStaff, 'POLITICS_LAW'],
      [marketStaff, 'POLITICS_LAW'],
      [politicsLeadAdmin, 'MARKET_REGULATION'],
      [enterpriseA, 'POLITICS_LAW'],
      [observer, 'POLITICS_LAW'],
    ] as [Caller, string][]) {
      const { stats, error } = await domainStats(as, code);
      expect(stats).toBeNull();
      expectCoded(error, 'FORBIDDEN');
    }
    expectCoded((await domainStats(anonymous, 'POLITICS_LAW')).error, 'UNAUTHENTICATED');
  });

  it('lets only the command office read the city-wide issueStats', async () => {
    const doc = `{ issueStats { ${STATS} } }`;
    const byOffice = await send(via, doc, { as: office });
    expect(byOffice.errors).toBeUndefined();
    expect(byOffice.data.issueStats.received).toBe(await issueCount());
    for (const as of [marketAdmin, politicsLeadAdmin, enterpriseA, observer] as Caller[]) {
      const refused = await send(via, doc, { as });
      expect(refused.data?.issueStats ?? null).toBeNull();
      expectCoded(refused.errors?.[0], 'FORBIDDEN');
    }
    expectCoded((await send(via, doc)).errors?.[0], 'UNAUTHENTICATED');
  });
});

describe.each(transports)('bad input, through the %s', (via) => {
  it('refuses unknown unitId, districtCode and domainCode filters with BAD_USER_INPUT naming the field', async () => {
    const list = (filter: Record<string, unknown>) =>
      send(via, `query($filter: IssueFilter) { issues(filter: $filter) { totalCount } }`, { as: office, variables: { filter } });
    expectBadInput(await list({ unitId: 'not-a-unit' }), 'filter.unitId');
    expectBadInput(await list({ unitId: '00000000-0000-4000-8000-000000000000' }), 'filter.unitId');
    expectBadInput(await list({ districtCode: '999999' }), 'filter.districtCode');
    expectBadInput(await list({ domainCode: 'NO_SUCH_DOMAIN' }), 'filter.domainCode');
    // Known values are accepted.
    for (const filter of [{ unitId: MARKET }, { districtCode: '370202' }, { domainCode: 'POLITICS_LAW' }]) {
      expect((await list(filter)).errors).toBeUndefined();
    }
  });

  const bad: [string, Caller, Record<string, unknown>, string][] = [
    ['an invalid credit code', office, { source: 'MEDIA', enterpriseCreditCode: '91370202ABCDEFGHI0' }, 'input.enterpriseCreditCode'],
    ['an empty title', marketStaff, { source: 'SELF_INSPECTION', title: '   ' }, 'input.title'],
    ['a title longer than 200 characters', marketStaff, { source: 'SELF_INSPECTION', title: '长'.repeat(201) }, 'input.title'],
    ['a clientRequestId with spaces', observer, { source: 'UNDERCOVER_VISIT', clientRequestId: 'has spaces 1' }, 'input.clientRequestId'],
    ['a receivedAt in the future', office, { source: 'HOTLINE_12345', receivedAt: '2030-01-01T00:00:00+08:00' }, 'input.receivedAt'],
    ['an unknown unit', office, { source: 'MEDIA', unitId: '00000000-0000-4000-8000-000000000000' }, 'input.unitId'],
    ['an unknown district', office, { source: 'MEDIA', districtCode: '999999' }, 'input.districtCode'],
  ];
  it.each(bad)('refuses a report with %s, creating nothing', async (_, as, input, field) => {
    const count = await issueCount();
    const response = await reportRequest(as, input, via);
    expect(response.data?.reportIssue ?? null).toBeNull();
    expectBadInput(response, field);
    expect(await issueCount()).toBe(count);
  });

  const badAppeals: [string, Record<string, unknown>, string][] = [
    ['an empty title', { title: '' }, 'input.title'],
    ['a title longer than 200 characters', { title: '诉'.repeat(201) }, 'input.title'],
    ['a clientRequestId with spaces', { clientRequestId: 'my request' }, 'input.clientRequestId'],
    ['an unknown district', { districtCode: '999999' }, 'input.districtCode'],
  ];
  it.each(badAppeals)('refuses an appeal with %s, creating nothing', async (_, input, field) => {
    const count = await issueCount();
    const response = await send(via, `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, {
      as: enterpriseA,
      variables: {
        input: {
          clientRequestId: requestId('bad-appeal'),
          kind: 'HELP',
          environment: 'SERVICE',
          title: '求助',
          description: '内容',
          ...input,
        },
      },
    });
    expect(response.data?.submitAppeal ?? null).toBeNull();
    expectBadInput(response, field);
    expect(await issueCount()).toBe(count);
  });
});
