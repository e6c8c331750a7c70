/**
 * What keeps the policies record honest: wrong transitions refused and nothing changed, two
 * reviewers never both deciding, idempotent imports, history that the database itself will not let
 * anybody rewrite, limits that run (and wait for a missing calendar year), overdue lists, an upheld
 * objection that stops the money, input refused field by field, the figures of every unit in a
 * constant number of statements, and a search served by its index.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { referenceUnits } from '../db/reference/organisation.ts';
import { beijingDate } from '../platform/calendar.ts';
import { tsvectorOf } from '../platform/search-text.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import {
  automaticItem,
  callers,
  code,
  direct,
  docs,
  firms,
  gateway,
  ok,
  policyInput,
  rdItem,
  registerFirms,
  requestId,
  TEST_YEAR_2027,
  unit,
} from './support/policies.ts';

const clock = new TestClock('2026-10-12T10:00:00+08:00'); // a Monday after the National Day block
const DAY = 86_400_000;
let t: TestPlatform;
let policyId: string;
const db = () => t.platform.database.forSubgraph('policies').db;
const query = async <T>(statement: ReturnType<typeof sql>) => rowsOf<T>(await db().execute(statement));

const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];
async function newItem(input: Record<string, unknown> = rdItem): Promise<string> {
  return (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input })).createPolicyItem.id;
}
async function submitted(itemId?: string): Promise<any> {
  const input = { clientRequestId: requestId('int'), itemId: itemId ?? (await newItem()), declaredBase: 100_000, materials };
  return (await ok(gateway(t), docs.submit, callers.hightech, { input })).submitApplication;
}
async function inNotice(endsOn = '2026-12-31'): Promise<any> {
  const application = await submitted();
  await ok(gateway(t), docs.approve, callers.scienceStaff, { id: application.id, amount: 10_000 });
  return (await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: application.id, endsOn })).startPublicNotice;
}
const read = async (id: string) => (await ok(gateway(t), docs.application, callers.scienceAdmin, { id })).application;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕20号' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('transitions', () => {
  it('refuses every wrong move with INVALID_TRANSITION naming the current state, and changes nothing', async () => {
    const application = await submitted();
    const before = await read(application.id);
    const wrong: [string, Record<string, unknown>][] = [
      [docs.resubmit, { id: application.id, input: { materials } }],
      [docs.startNotice, { id: application.id }],
      [docs.disburse, { id: application.id, input: { amount: 1, paidOn: beijingDate(clock.now()), paymentReference: 'X' } }],
    ];
    for (const [document, variables] of wrong) {
      const as = document === docs.resubmit ? callers.hightech : callers.scienceStaff;
      const response = await t.query(document, { as, variables });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'SUBMITTED' });
    }
    expect(await code(gateway(t), docs.rate, callers.hightech, { id: application.id, level: 'SATISFIED' })).toBe('INVALID_TRANSITION');
    expect(await read(application.id)).toEqual(before);
    expect(
      await code(gateway(t), docs.amend, callers.scienceAdmin, {
        id: (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id,
        input: { documentNumber: 'X', changeNote: 'Y' },
      }),
    ).toBe('INVALID_TRANSITION');
  });

  it('lets exactly one of two reviewers deciding at once win; the other is told it changed', async () => {
    const application = await submitted();
    const [approve, reject] = await Promise.all([
      t.query(docs.approve, {
        as: callers.scienceStaff,
        variables: { id: application.id, amount: 10_000, expectedVersion: application.version },
      }),
      t.querySubgraph('policies', docs.reject, { as: callers.scienceStaff2, variables: { id: application.id, reason: '不符合' } }),
    ]);
    const outcomes = [approve, reject].map((r) => r.errors?.[0]?.extensions?.code ?? 'OK');
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(['CONFLICT', 'INVALID_TRANSITION']).toContain(outcomes.find((o) => o !== 'OK'));
    const after = await read(application.id);
    expect(after.steps.filter((s: any) => ['APPROVE', 'REJECT'].includes(s.action))).toHaveLength(1);
    // A stale version is refused too, even when nobody races.
    expect(await code(gateway(t), docs.approve, callers.scienceStaff, { id: application.id, expectedVersion: application.version })).toBe(
      'CONFLICT',
    );
  });

  it('imports an application once per source reference, and refuses the reference reused for other content', async () => {
    const itemId = await newItem();
    const input = {
      sourceSystem: 'kjj-xmsb',
      externalReference: 'KJ-2026-77',
      itemId,
      enterpriseCreditCode: firms.hightech.creditCode,
      submittedAt: '2026-10-09T15:00:00+08:00',
      declaredBase: 500_000,
    };
    const first = (await ok(gateway(t), docs.importApplication, callers.scienceStaff, { input })).importApplication;
    expect(first).toMatchObject({
      source: 'IMPORTED',
      status: 'SUBMITTED',
      submittedAt: '2026-10-09T15:00:00+08:00',
      requestedAmount: 50_000,
    });
    expect((await ok(direct(t), docs.importApplication, callers.scienceAdmin, { input })).importApplication.id).toBe(first.id);
    expect(await code(gateway(t), docs.importApplication, callers.scienceStaff, { input: { ...input, declaredBase: 1 } })).toBe('CONFLICT');
    expect(
      await code(gateway(t), docs.importApplication, callers.scienceStaff, { input: { ...input, externalReference: 'KJ-2026-78' } }),
    ).toBe('CONFLICT');
    expect(
      await code(gateway(t), docs.importApplication, callers.scienceStaff, {
        input: { ...input, externalReference: 'KJ-2026-79', submittedAt: '2027-01-01T00:00:00+08:00' },
      }),
    ).toBe('BAD_USER_INPUT');
  });

  it('stops the grant on an upheld objection: no payment, and the enterprise may rate the outcome', async () => {
    const application = await inNotice();
    const objection = (await ok(gateway(t), docs.object, callers.startup, { id: application.id, input: { text: '该企业不是首次认定' } }))
      .fileObjection;
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, {
      id: objection.id,
      upheld: true,
      answer: '经核实，异议成立，终止兑现。',
    });
    const stopped = await read(application.id);
    expect(stopped).toMatchObject({ status: 'STOPPED', overdue: false, objections: [{ upheld: true }] });
    expect(
      await code(gateway(t), docs.disburse, callers.scienceStaff, {
        id: application.id,
        input: { amount: 10_000, paidOn: beijingDate(clock.now()), paymentReference: 'X' },
      }),
    ).toBe('INVALID_TRANSITION');
    expect(await code(gateway(t), docs.answerObjection, callers.scienceStaff, { id: objection.id, upheld: false, answer: '改口' })).toBe(
      'INVALID_TRANSITION',
    );
    expect(
      (await ok(gateway(t), docs.rate, callers.hightech, { id: application.id, level: 'UNSATISFIED' })).rateApplication.review.level,
    ).toBe('UNSATISFIED');
  });

  // The startup is the one registered 科技型中小企业, so eligible for every automatic item here.
  const automatic = { ...automaticItem, eligibility: { qualifications: ['TECH_SME'] } };
  const applicationsOf = async (itemId: string) =>
    (
      await query<{ status: string; source: string }>(
        sql`select status, source from policies.applications where item_id = ${itemId}::uuid and enterprise_credit_code = ${firms.startup.creditCode} order by entered_at`,
      )
    ).map((row) => `${row.source} ${row.status}`);

  it('does not grant automatically again to an enterprise whose grant was stopped', async () => {
    const itemId = await newItem(automatic);
    expect((await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId })).runAutomaticGrants).toMatchObject({
      eligible: 1,
      created: 1,
    });
    const [grant] = (await query<{ id: string }>(sql`select id from policies.applications where item_id = ${itemId}::uuid`)).map(
      (row) => row.id,
    );
    const objection = (await ok(gateway(t), docs.object, callers.hightech, { id: grant, input: { text: '该企业已迁出本市' } }))
      .fileObjection;
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, {
      id: objection.id,
      upheld: true,
      answer: '经核实，异议成立，终止兑现。',
    });
    expect((await ok(direct(t), docs.runGrants, callers.scienceStaff, { itemId })).runAutomaticGrants).toMatchObject({
      eligible: 1,
      created: 0,
      alreadyGranted: 1,
    });
    expect(await applicationsOf(itemId)).toEqual(['AUTOMATIC STOPPED']);
  });

  it('does not grant automatically to an enterprise that applied and was refused', async () => {
    const itemId = await newItem(automatic);
    const input = {
      sourceSystem: 'kjj-xmsb',
      externalReference: requestId('auto-refused'),
      itemId,
      enterpriseCreditCode: firms.startup.creditCode,
      submittedAt: '2026-10-09T15:00:00+08:00',
    };
    const imported = (await ok(gateway(t), docs.importApplication, callers.scienceStaff, { input })).importApplication;
    await ok(gateway(t), docs.reject, callers.scienceStaff, { id: imported.id, reason: '不符合入库年度要求' });
    expect((await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId })).runAutomaticGrants).toMatchObject({
      eligible: 1,
      created: 0,
      alreadyGranted: 1,
    });
    expect(await applicationsOf(itemId)).toEqual(['IMPORTED REJECTED']);
  });
});

describe('history that cannot be rewritten', () => {
  it('refuses, in the database itself, to change or delete events, notices, reviews, interpretations and revisions', async () => {
    const attempts = [
      sql`update policies.application_events set note = 'rewritten'`,
      sql`delete from policies.application_events`,
      sql`update policies.policy_events set note = 'rewritten'`,
      sql`delete from policies.policy_notices`,
      sql`delete from policies.service_reviews`,
      sql`update policies.policy_revisions set body = 'rewritten'`,
      sql`delete from policies.applications`,
      sql`delete from policies.policies`,
      sql`truncate policies.application_events`,
    ];
    for (const attempt of attempts) await expect(db().execute(attempt)).rejects.toMatchObject({ cause: { code: '42501' } });
  });

  it('lets a comment or an objection be answered once, never reworded', async () => {
    const application = await inNotice();
    const objection = (await ok(gateway(t), docs.object, callers.anonymous, { id: application.id, input: { text: '原文' } })).fileObjection;
    await expect(db().execute(sql`update policies.objections set body = '改写' where id = ${objection.id}`)).rejects.toMatchObject({
      cause: { code: '42501' },
    });
    await db().execute(
      sql`update policies.objections set answer = '答复', upheld = false, answered_at = now(), answered_by = 'x' where id = ${objection.id}`,
    );
    await expect(db().execute(sql`update policies.objections set answer = '再答复' where id = ${objection.id}`)).rejects.toMatchObject({
      cause: { code: '42501' },
    });
  });
});

describe('time limits', () => {
  it('lists a review past its limit as overdue, for the unit and the command office', async () => {
    const application = await submitted();
    expect(application.reviewDueAt).toBe('2026-10-27T00:00:00+08:00');
    const overdue = `{ applications(filter: { overdue: true }, first: 100) { edges { node { id } } } }`;
    const ids = async (as: any) => (await ok(gateway(t), overdue, as)).applications.edges.map((e: any) => e.node.id);
    expect(await ids(callers.scienceStaff)).not.toContain(application.id);
    clock.set('2026-10-27T08:00:00+08:00');
    expect(await ids(callers.scienceStaff)).toContain(application.id);
    expect(await ids(callers.office)).toContain(application.id);
    expect(await ids(callers.taxStaff)).toEqual([]);
    expect((await read(application.id)).overdue).toBe(true);
  });

  it('lists an objection unanswered at the end of the notice, and the payment past its limit', async () => {
    const application = await inNotice(beijingDate(new Date(clock.now().getTime() + DAY)));
    await ok(gateway(t), docs.object, callers.anonymous, { id: application.id, input: { text: '异议' } });
    clock.advance(2 * DAY);
    expect((await read(application.id)).overdue).toBe(true);
    expect(
      await code(gateway(t), docs.disburse, callers.scienceStaff, {
        id: application.id,
        input: { amount: 10_000, paidOn: beijingDate(clock.now()), paymentReference: 'X' },
      }),
    ).toBe('INVALID_TRANSITION');
  });

  it('counts a limit through a year the command office has not entered as provisional, and makes it final once it is', async () => {
    clock.set('2026-12-24T10:00:00+08:00');
    const application = await submitted();
    // 10 working days after 12-24: 25, 28, 29, 30, 31, then 2027 (weekends only): 1-1, 1-4, 5, 6, 7.
    expect(application).toMatchObject({ reviewDueAt: '2027-01-08T00:00:00+08:00', provisional: true, provisionalUntilYear: 2027 });
    const set = `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`;
    await ok(gateway(t), set, callers.office, { input: TEST_YEAR_2027 });
    // The next read brings the slice's calendar copy up to date, which settles what waited for the year.
    expect(await read(application.id)).toMatchObject({
      reviewDueAt: '2027-01-08T00:00:00+08:00',
      provisional: false,
      provisionalUntilYear: null,
    });
  });
});

describe('input', () => {
  it('refuses bad input with BAD_USER_INPUT naming the field, in both languages, and writes nothing', async () => {
    const bad: [string, Record<string, unknown>, string][] = [
      [
        docs.createItem,
        { policyId, input: { ...rdItem, eligibility: { industryCodePrefixes: ['X99'] } } },
        'input.eligibility.industryCodePrefixes[0]',
      ],
      [docs.createItem, { policyId, input: { ...rdItem, amount: { kind: 'RATE', rate: 1.5, base: '研发费用' } } }, 'input.amount.rate'],
      [docs.createItem, { policyId, input: { ...rdItem, amount: { kind: 'FIXED', amount: 10.123 } } }, 'input.amount.amount'],
      [docs.createItem, { policyId, input: { ...rdItem, eligibility: { districtCodes: ['999999'] } } }, 'input.eligibility.districtCodes'],
      [
        docs.createItem,
        { policyId, input: { ...rdItem, eligibility: { minYearsRegistered: 5, maxYearsRegistered: 2 } } },
        'input.eligibility.maxYearsRegistered',
      ],
      [docs.createItem, { policyId, input: { ...rdItem, name: '   ' } }, 'input.name'],
      [
        docs.createItem,
        { policyId, input: { ...rdItem, reviewingUnitId: '00000000-0000-0000-0000-000000000000' } },
        'input.reviewingUnitId',
      ],
      [docs.createItem, { policyId, input: { ...rdItem, automatic: true } }, 'input.automatic'],
      [docs.createPolicy, { input: { ...policyInput, level: 'DISTRICT' } }, 'input.districtCode'],
      [docs.createPolicy, { input: { ...policyInput, title: '标题\u202e反转' } }, 'input.title'],
      [docs.createPolicy, { input: { ...policyInput, validFrom: '2026-10-01', validUntil: '2026-09-01' } }, 'input.validUntil'],
    ];
    const before = await ok(
      gateway(t),
      `{ policyItems(filter: { status: [DRAFT, PUBLISHED, CLOSED] }) { totalCount } policies(filter: { status: [DRAFT, PUBLISHED] }) { totalCount } }`,
      callers.office,
    );
    for (const [document, variables, field] of bad) {
      const response = await t.query(document, { as: callers.scienceStaff, variables });
      expect(response.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
        messageZh: expect.any(String),
        messageEn: expect.any(String),
      });
    }
    expect(
      await ok(
        gateway(t),
        `{ policyItems(filter: { status: [DRAFT, PUBLISHED, CLOSED] }) { totalCount } policies(filter: { status: [DRAFT, PUBLISHED] }) { totalCount } }`,
        callers.office,
      ),
    ).toEqual(before);
  });

  it('refuses a search with nothing to search for, a forged cursor and a page too large, without crashing', async () => {
    const search = `query($text: String, $after: String, $first: Int) { policies(filter: { text: $text }, after: $after, first: $first) { totalCount } }`;
    expect((await t.querySubgraph('policies', search, { variables: { text: '《》——' } })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.text',
    });
    expect((await t.querySubgraph('policies', search, { variables: { after: 'not-a-cursor' } })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect((await t.querySubgraph('policies', search, { variables: { first: 1000 } })).errors?.[0]?.extensions?.code).toBe(
      'PAGE_SIZE_TOO_LARGE',
    );
    expect(
      (await t.querySubgraph('policies', `{ policy(id: "nope") { id } application(id: "x") { id } }`, { as: callers.office })).data,
    ).toEqual({ policy: null, application: null });
  });

  it('pages through a search without losing or repeating a row across the heading and body tiers', async () => {
    const make = async (title: string, text: string) => {
      const id = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: { ...policyInput, title, text } })).createPolicy
        .id;
      await ok(gateway(t), docs.publish, callers.scienceAdmin, { id, input: { documentNumber: requestId('文号') } });
      return id;
    };
    const heading = [await make('海洋牧场建设补助办法', '正文一'), await make('海洋牧场示范区管理规定', '正文二')];
    const body = [await make('渔业发展若干措施', '支持建设海洋牧场。'), await make('养殖业扶持办法', '海洋牧场项目优先。')];
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (
        await ok(
          gateway(t),
          `query($after: String) { policies(filter: { text: "海洋牧场" }, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id match { tier } } } } }`,
          callers.anonymous,
          { after },
        )
      ).policies;
      expect(page.totalCount).toBe(4);
      seen.push(...page.edges.map((e: any) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen.slice(0, 2).sort()).toEqual([...heading].sort());
    expect(seen.slice(2).sort()).toEqual([...body].sort());
  });
});

describe('scale', () => {
  it("answers every unit's figures in one gateway request with the same number of statements as for one unit", async () => {
    const stats = (first: number) =>
      `{ units(first: ${first}) { edges { node { id policyStats(period: { from: "2026-01-01", to: "2026-12-31" }) { approved reviews { count } } } } } }`;
    const statements = t.platform.statements.policies!;
    await ok(gateway(t), stats(1), callers.office);
    statements.count = 0;
    await ok(gateway(t), stats(1), callers.office);
    const one = statements.count;
    statements.count = 0;
    const all = await ok(gateway(t), stats(100), callers.office);
    expect(all.units.edges.length).toBeGreaterThan(40);
    expect(statements.count).toBe(one);
    expect(all.units.edges.find((e: any) => e.node.id === unit('SCIENCE_TECHNOLOGY_BUREAU')).node.policyStats.approved).toBeGreaterThan(0);
  });

  it('serves a Chinese search from the GIN index of character pairs, not a scan', async () => {
    // Enough rows for the planner to prefer an index, as on the real 30,000 documents.
    const unitId = referenceUnits.find((u) => u.code === 'SCIENCE_TECHNOLOGY_BUREAU')!.id;
    const filler = '为进一步优化营商环境，支持企业加大研发投入，推动产业转型升级，制定本政策。申报条件、材料清单与兑现流程见附件。';
    await db().execute(sql`
      insert into policies.policies (level, issuing_unit_id, environment, status, title, body, issued_on, valid_from, head_terms, body_terms, created_at, created_by, document_number)
      select 'MUNICIPAL', ${unitId}::uuid, 'POLICY', 'PUBLISHED', '填充政策 ' || n, ${filler}, date '2020-01-01' + (n % 900), date '2020-01-01',
        ${tsvectorOf('填充政策')}::tsvector || ('''' || n || '''')::tsvector, ${tsvectorOf('填充政策', filler)}::tsvector || ('''' || n || '''')::tsvector, now(), 'test', '填充〔' || n || '〕'
      from generate_series(1, 20000) as n`);
    await db().execute(sql`analyze policies.policies`);
    const plan = await query<{ 'QUERY PLAN': string }>(
      sql`explain select id from policies.policies where body_terms @@ ${"'海洋' & '洋牧' & '牧场'"}::tsquery and status <> 'DRAFT'`,
    );
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('policies_body_terms_idx');
    const headPlan = await query<{ 'QUERY PLAN': string }>(
      sql`explain select id from policies.policies where head_terms @@ ${"'海洋' & '洋牧' & '牧场'"}::tsquery order by issued_on desc, id desc limit 21`,
    );
    expect(headPlan.map((row) => row['QUERY PLAN']).join('\n')).toContain('policies_head_terms_idx');
  });
});
