/**
 * A late payment is late (issue #21, item 4). Every limit an application passes — the review, the
 * payment, the answer to an objection — is judged at the step that ends it and kept as evidence:
 * the step shows it (`steps { limits }`), the payment and the objection say whether they were late,
 * the application says it was late once its work is done (`overdue` is for a limit running now),
 * and `policyStats` counts it. A review missed before a return stays missed after the resubmission
 * restarts the clock; a grant stopped after its payment limit passed lapsed late. A judgment on a
 * provisional limit is judged again, once, when the year is entered; nothing else of it changes,
 * even in SQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { expectKeptEqualsRebuild } from './support/database.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import {
  APPLICATION_FIELDS,
  automaticItem,
  callers,
  docs,
  gateway,
  ok,
  policyInput,
  rdItem,
  registerFirms,
  requestId,
  unit,
} from './support/policies.ts';

const clock = new TestClock('2026-11-02T10:00:00+08:00'); // a Monday
let t: TestPlatform;
const SCIENCE = unit('SCIENCE_TECHNOLOGY_BUREAU');
const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];
/** 2027 as this test enters it: New Year's Day off. */
const YEAR_2027 = { year: 2027, notice: '2027 年部分节假日安排（测试数据）', off: ['2027-01-01'], workdays: [] as string[] };

const LATENESS = /* GraphQL */ `
  id status overdue late provisional
  disbursement { paidOn late }
  objections { id answer late }
  steps { action limits { limit startsAt dueAt judgedAt late provisional } }
`;
const read = async (id: string) =>
  (await ok(gateway(t), `query($id: ID!) { application(id: $id) { ${LATENESS} } }`, callers.scienceAdmin, { id })).application;
const stepOf = (application: any, action: string) => application.steps.filter((s: any) => s.action === action).at(-1);
const stats = async (from: string, to: string) =>
  (
    await ok(
      gateway(t),
      `query($id: ID!, $period: PeriodInput) { unit(id: $id) { policyStats(period: $period) { pastLimits lateReviews latePayments lateObjectionAnswers } } }`,
      callers.office,
      { id: SCIENCE, period: { from, to } },
    )
  ).unit.policyStats;
const expectKeptFiguresRebuildable = async () => {
  for (const [table, keys] of [
    ['policies.policy_figures', ['unit_id', 'day']],
    ['policies.policy_figures_monthly', ['unit_id', 'month']],
  ] as const) {
    await expectKeptEqualsRebuild(t.database.handle.owner(), {
      table,
      keys: [...keys],
      rebuild: 'policies.rebuild_figures',
      staging: 'policies.figure_changes',
    });
  }
};

let policyId: string;
const ids = {} as Record<'rdItem' | 'automaticItem' | 'openItem' | 'shortItem' | 'grant' | 'rd' | 'stopped', string>;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  const item = async (input: Record<string, unknown>) =>
    (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input })).createPolicyItem.id;
  ids.rdItem = await item(rdItem);
  ids.automaticItem = await item(automaticItem);
  // Anyone may apply; review in 2 working days, pay in 3.
  ids.openItem = await item({
    name: '企业开办服务补贴',
    kind: 'SUBSIDY',
    description: '新开办企业补贴。',
    amount: { kind: 'FIXED', amount: 5_000 },
    reviewWorkingDays: 2,
    paymentWorkingDays: 3,
  });
  ids.shortItem = await item({ ...rdItem, name: '跨年短时限项目', reviewWorkingDays: 2 });
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕40号' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('a limit passed is recorded at the step that missed it', () => {
  it('says an automatic grant paid after its payment limit was paid late, though nothing is overdue any more', async () => {
    const run = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: ids.automaticItem })).runAutomaticGrants;
    expect(run).toMatchObject({ created: 1, noticeEndsOn: '2026-11-09' });
    const listed = `query($itemId: ID!) { applications(filter: { itemId: $itemId }) { edges { node { id paymentDueAt } } } }`;
    const granted = (await ok(gateway(t), listed, callers.scienceStaff, { itemId: ids.automaticItem })).applications.edges[0].node;
    // Ten working days after Monday 11-02: 11-03 … 11-16.
    expect(granted.paymentDueAt).toBe('2026-11-17T00:00:00+08:00');
    ids.grant = granted.id;

    clock.set('2026-11-20T10:00:00+08:00');
    expect(await read(ids.grant)).toMatchObject({ overdue: true, late: false });
    await ok(gateway(t), docs.disburse, callers.scienceStaff, {
      id: ids.grant,
      input: { amount: 50_000, paidOn: '2026-11-20', paymentReference: 'QDCZ-2026-2001' },
    });
    const paid = await read(ids.grant);
    expect(paid).toMatchObject({ status: 'DISBURSED', overdue: false, late: true, disbursement: { paidOn: '2026-11-20', late: true } });
    expect(stepOf(paid, 'DISBURSE').limits).toEqual([
      {
        limit: 'PAYMENT',
        startsAt: '2026-11-02T10:00:00+08:00',
        dueAt: '2026-11-17T00:00:00+08:00',
        judgedAt: '2026-11-21T00:00:00+08:00',
        late: true,
        provisional: false,
      },
    ]);
    // Nothing else ended a limit.
    expect(paid.steps.filter((s: any) => s.limits.length).map((s: any) => s.action)).toEqual(['DISBURSE']);
  });

  it('keeps a review missed before a return as missed after the resubmission restarts the clock, and a late answer to an objection', async () => {
    clock.set('2026-11-02T10:00:00+08:00');
    const submitted = (
      await ok(gateway(t), docs.submit, callers.hightech, {
        input: { clientRequestId: requestId('late'), itemId: ids.rdItem, declaredBase: 1_000_000, materials },
      })
    ).submitApplication;
    expect(submitted.reviewDueAt).toBe('2026-11-17T00:00:00+08:00');
    ids.rd = submitted.id;
    clock.set('2026-11-18T10:00:00+08:00');
    await ok(gateway(t), docs.returnApplication, callers.scienceStaff, {
      id: ids.rd,
      reason: '审计报告缺页',
      missing: ['研发费用专项审计报告'],
    });
    clock.set('2026-11-19T10:00:00+08:00');
    const resubmitted = (await ok(gateway(t), docs.resubmit, callers.hightech, { id: ids.rd, input: { materials } })).resubmitApplication;
    // The review clock restarts (补正后重新起算): the new limit is met, the missed one stays missed.
    expect(resubmitted).toMatchObject({ reviewDueAt: '2026-12-04T00:00:00+08:00', overdue: false });
    clock.set('2026-11-20T10:00:00+08:00');
    await ok(gateway(t), docs.approve, callers.scienceStaff, { id: ids.rd, amount: 100_000 });
    await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: ids.rd });
    clock.set('2026-11-23T10:00:00+08:00');
    const objection = (await ok(gateway(t), docs.object, callers.anonymous, { id: ids.rd, input: { text: '该企业研发费用存疑' } }))
      .fileObjection;
    expect(objection.answerDueAt).toBe('2026-11-28T00:00:00+08:00');
    clock.set('2026-11-30T10:00:00+08:00');
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, {
      id: objection.id,
      upheld: false,
      answer: '经核实，审计报告真实有效',
    });
    await ok(gateway(t), docs.disburse, callers.scienceStaff, {
      id: ids.rd,
      input: { amount: 100_000, paidOn: '2026-11-30', paymentReference: 'QDCZ-2026-2002' },
    });

    const rd = await read(ids.rd);
    expect(rd).toMatchObject({ status: 'DISBURSED', overdue: false, late: true, disbursement: { late: false } });
    expect(rd.objections).toEqual([{ id: objection.id, answer: '经核实，审计报告真实有效', late: true }]);
    expect(
      rd.steps.filter((s: any) => s.limits.length).map((s: any) => [s.action, s.limits.map((l: any) => [l.limit, l.dueAt, l.late])]),
    ).toEqual([
      ['RETURN', [['REVIEW', '2026-11-17T00:00:00+08:00', true]]],
      ['APPROVE', [['REVIEW', '2026-12-04T00:00:00+08:00', false]]],
      ['ANSWER_OBJECTION', [['OBJECTION_ANSWER', '2026-11-28T00:00:00+08:00', true]]],
      ['DISBURSE', [['PAYMENT', '2026-12-05T00:00:00+08:00', false]]],
    ]);
  });

  it('counts a grant stopped after its payment limit passed as a payment missed, with the late answer that stopped it', async () => {
    clock.set('2026-11-02T10:00:00+08:00');
    const submitted = (
      await ok(gateway(t), docs.submit, callers.logistics, { input: { clientRequestId: requestId('stop'), itemId: ids.openItem } })
    ).submitApplication;
    clock.set('2026-11-03T10:00:00+08:00');
    const approved = (await ok(gateway(t), docs.approve, callers.scienceStaff, { id: submitted.id })).approveApplication;
    expect(approved.paymentDueAt).toBe('2026-11-07T00:00:00+08:00');
    await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: submitted.id });
    clock.set('2026-11-04T10:00:00+08:00');
    const objection = (await ok(gateway(t), docs.object, callers.anonymous, { id: submitted.id, input: { text: '该企业并非新开办' } }))
      .fileObjection;
    clock.set('2026-11-12T10:00:00+08:00');
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, { id: objection.id, upheld: true, answer: '异议成立' });
    const stopped = await read(submitted.id);
    expect(stopped).toMatchObject({ status: 'STOPPED', overdue: false, late: true, objections: [{ late: true }] });
    expect(stepOf(stopped, 'STOP').limits.map((l: any) => [l.limit, l.dueAt, l.judgedAt, l.late])).toEqual([
      ['OBJECTION_ANSWER', '2026-11-11T00:00:00+08:00', '2026-11-12T10:00:00+08:00', true],
      ['PAYMENT', '2026-11-07T00:00:00+08:00', '2026-11-12T10:00:00+08:00', true],
    ]);
    ids.stopped = submitted.id;
  });

  it('counts every missed limit in policyStats, by the applications submitted in the period, kept as the rows say', async () => {
    // The return's review, the grant's payment, the stopped grant's payment; two late answers; three applications.
    expect(await stats('2026-11-01', '2026-11-30')).toEqual({ pastLimits: 3, lateReviews: 1, latePayments: 2, lateObjectionAnswers: 2 });
    expect(await stats('2026-10-01', '2026-10-31')).toEqual({ pastLimits: 0, lateReviews: 0, latePayments: 0, lateObjectionAnswers: 0 });
    await expectKeptFiguresRebuildable();
  });

  it('keeps the judgments as evidence the serving role cannot rewrite or delete', async () => {
    const db = t.database.handle.forSubgraph('policies').db;
    await expect(
      db.execute(sql`update policies.limit_outcomes set due_at = due_at + interval '30 days' where application_id = ${ids.grant}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
    await expect(
      db.execute(sql`update policies.limit_outcomes set judged_at = due_at where application_id = ${ids.rd}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
    await expect(db.execute(sql`delete from policies.limit_outcomes where application_id = ${ids.stopped}`)).rejects.toMatchObject({
      cause: { code: '42501' },
    });
    expect((await read(ids.grant)).late).toBe(true);
  });
});

describe('a limit judged while its year was missing', () => {
  it('is judged on the provisional limit, and again, once, when the year is entered', async () => {
    clock.set('2026-12-30T10:00:00+08:00'); // Wednesday
    const submitted = (
      await ok(gateway(t), docs.submit, callers.hightech, {
        input: { clientRequestId: requestId('y'), itemId: ids.shortItem, declaredBase: 100_000, materials },
      })
    ).submitApplication;
    // Two working days: 12-31 and 2027-01-01, counted while 2027 is missing.
    expect(submitted).toMatchObject({ reviewDueAt: '2027-01-02T00:00:00+08:00', provisional: true });
    clock.set('2027-01-02T10:00:00+08:00');
    await ok(gateway(t), docs.approve, callers.scienceStaff, { id: submitted.id, amount: 10_000 });
    const judged = await read(submitted.id);
    expect(stepOf(judged, 'APPROVE').limits).toEqual([
      {
        limit: 'REVIEW',
        startsAt: '2026-12-30T10:00:00+08:00',
        dueAt: '2027-01-02T00:00:00+08:00',
        judgedAt: '2027-01-02T10:00:00+08:00',
        late: true,
        provisional: true,
      },
    ]);
    expect(judged.late).toBe(true);
    expect(await stats('2026-12-01', '2026-12-31')).toMatchObject({ pastLimits: 1, lateReviews: 1 });

    await ok(gateway(t), `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, callers.office, {
      input: YEAR_2027,
    });
    // New Year's Day off: 12-31 and Monday 01-04; the approval on Saturday 01-02 was on time.
    const settled = await read(submitted.id);
    expect(stepOf(settled, 'APPROVE').limits).toEqual([
      {
        limit: 'REVIEW',
        startsAt: '2026-12-30T10:00:00+08:00',
        dueAt: '2027-01-05T00:00:00+08:00',
        judgedAt: '2027-01-02T10:00:00+08:00',
        late: false,
        provisional: false,
      },
    ]);
    expect(settled).toMatchObject({ late: false, provisional: false });
    expect(await stats('2026-12-01', '2026-12-31')).toMatchObject({ pastLimits: 0, lateReviews: 0 });
    await expectKeptFiguresRebuildable();
    // Judged again once: final now, it is out of reach like every other judgment.
    const db = t.database.handle.forSubgraph('policies').db;
    await expect(
      db.execute(sql`update policies.limit_outcomes set due_at = due_at - interval '3 days' where application_id = ${submitted.id}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
  });
});

// The whole application document of the contract still reads (the support's fields and the new ones).
it('reads with the contract’s application fields', async () => {
  expect(
    (await ok(gateway(t), `query($id: ID!) { application(id: $id) { ${APPLICATION_FIELDS} late } }`, callers.scienceAdmin, { id: ids.rd }))
      .application.late,
  ).toBe(true);
});
