/**
 * The whole loop on real PostgreSQL, through the gateway and straight to the subgraph: a unit
 * drafts, consults, publishes and amends a policy with items; an enterprise finds it by Chinese text,
 * sees why it matches, gets the notice and applies; the unit returns, then approves; the notice runs
 * with an objection answered; the money is recorded and rated; an automatic item grants without any
 * application, run twice, granted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  unit,
} from './support/policies.ts';

let t: TestPlatform;
const clock = new TestClock('2026-09-01T10:00:00+08:00'); // a Tuesday
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
});
afterAll(async () => {
  await t?.stop();
});

describe('a policy from draft to money received', () => {
  let policyId: string;
  let rdItemId: string;
  let automaticItemId: string;
  let applicationId: string;

  it('is drafted by a unit, with its items, and seen only by that unit while a draft', async () => {
    const created = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy;
    expect(created).toMatchObject({ status: 'DRAFT', revision: 1, issuingUnit: { id: unit('SCIENCE_TECHNOLOGY_BUREAU') } });
    policyId = created.id;
    rdItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id;
    automaticItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: automaticItem })).createPolicyItem.id;
    const read = `query($id: ID!) { policy(id: $id) { id status items { id status } } }`;
    expect((await ok(gateway(t), read, callers.scienceStaff, { id: policyId })).policy.items).toHaveLength(2);
    expect((await ok(gateway(t), read, callers.taxStaff, { id: policyId })).policy).toBeNull();
    expect((await ok(gateway(t), read, callers.anonymous, { id: policyId })).policy).toBeNull();
  });

  it('is opened for consultation; an enterprise comments, and publication waits for the answer and the end of the period', async () => {
    await ok(gateway(t), docs.openConsultation, callers.scienceStaff, { id: policyId, endsOn: '2026-09-08' });
    const comment = (await ok(gateway(t), docs.comment, callers.hightech, { policyId, text: '建议把科技型中小企业也纳入研发补助范围。' }))
      .commentOnPolicy;
    expect(
      await code(gateway(t), docs.publish, callers.scienceStaff, { id: policyId, input: { documentNumber: '青科规〔2026〕9号' } }),
    ).toBe('FORBIDDEN');
    expect(
      await code(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕9号' } }),
    ).toBe('INVALID_TRANSITION');
    await ok(gateway(t), docs.answer, callers.scienceStaff, { commentId: comment.id, answer: '已采纳，另行制定。' });
    expect(
      await code(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕9号' } }),
    ).toBe('INVALID_TRANSITION');
    clock.set('2026-09-09T09:00:00+08:00');
    const published = (
      await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕9号' } })
    ).publishPolicy;
    expect(published).toMatchObject({ status: 'PUBLISHED', documentNumber: '青科规〔2026〕9号', revision: 1 });
    expect(published.items.map((i: any) => i.status)).toEqual(['PUBLISHED', 'PUBLISHED']);
    const comments = `query($id: ID!) { policy(id: $id) { comments { text answer } } }`;
    expect((await ok(gateway(t), comments, callers.hightech, { id: policyId })).policy.comments).toEqual([
      { text: '建议把科技型中小企业也纳入研发补助范围。', answer: '已采纳，另行制定。' },
    ]);
    expect((await ok(gateway(t), comments, callers.startup, { id: policyId })).policy.comments).toEqual([]);
  });

  it('pushes a notice to each eligible enterprise only, once', async () => {
    const inbox = `query($code: String!) { enterprise(creditCode: $code) { creditCode policyNotices { totalCount edges { node { item { id name } } } } } }`;
    const hightech = (await ok(gateway(t), inbox, callers.hightech, { code: firms.hightech.creditCode })).enterprise.policyNotices;
    expect(hightech.edges.map((e: any) => e.node.item.id)).toEqual([rdItemId]);
    const startup = (await ok(gateway(t), inbox, callers.startup, { code: firms.startup.creditCode })).enterprise.policyNotices;
    expect(startup.edges.map((e: any) => e.node.item.id)).toEqual([automaticItemId]);
    expect((await ok(gateway(t), inbox, callers.logistics, { code: firms.logistics.creditCode })).enterprise.policyNotices.totalCount).toBe(
      0,
    );
    // A change that makes another enterprise eligible notifies it, and nobody twice.
    await ok(gateway(t), docs.updateItem, callers.scienceStaff, {
      id: rdItemId,
      input: { eligibility: { industryCodePrefixes: ['C', 'M'], qualifications: ['HIGH_TECH', 'TECH_SME'] } },
    });
    expect((await ok(gateway(t), inbox, callers.hightech, { code: firms.hightech.creditCode })).enterprise.policyNotices.totalCount).toBe(
      1,
    );
    expect((await ok(gateway(t), inbox, callers.startup, { code: firms.startup.creditCode })).enterprise.policyNotices.totalCount).toBe(2);
    await ok(gateway(t), docs.updateItem, callers.scienceStaff, { id: rdItemId, input: { eligibility: rdItem.eligibility } });
  });

  it('is found by anyone by Chinese text, ranked, with highlighted snippets', async () => {
    await ok(gateway(t), docs.interpret, callers.scienceStaff, {
      policyId,
      input: { title: '研发补助政策解读', text: '补助按审计后的研发费用计算，企业无需额外垫资。' },
    });
    const search = `query($text: String!) { policies(filter: { text: $text }, first: 5) { totalCount edges { node { id match { tier title { text html } snippet { text html highlights { start end } } } } } } }`;
    const byTitle = (await ok(gateway(t), search, callers.anonymous, { text: '研发投入' })).policies;
    expect(byTitle.totalCount).toBe(1);
    expect(byTitle.edges[0].node.match).toMatchObject({
      tier: 'HEADING',
      title: { html: '青岛市支持企业加大<mark>研发投入</mark>若干措施' },
    });
    const byInterpretation = (await ok(direct(t), search, callers.anonymous, { text: '无需额外垫资' })).policies;
    expect(byInterpretation.edges[0].node).toMatchObject({ id: policyId, match: { tier: 'BODY' } });
    const items = `{ policyItems(filter: { text: "研发费用" }) { edges { node { id name match { title { html } } } } } }`;
    expect((await ok(gateway(t), items, callers.anonymous)).policyItems.edges[0].node).toMatchObject({
      id: rdItemId,
      match: { title: { html: '高新技术企业<mark>研发费用</mark>补助' } },
    });
    expect((await ok(gateway(t), search, callers.anonymous, { text: '量子计算' })).policies.totalCount).toBe(0);
  });

  it('tells an enterprise what it is eligible for, and what it misses by one criterion, with the reasons', async () => {
    const matches = `query($code: String!) { policyMatches(creditCode: $code) { totalCount edges { node { eligible missing item { id } criteria { criterion met reason } } } } }`;
    const found = (await ok(gateway(t), matches, callers.hightech, { code: firms.hightech.creditCode })).policyMatches;
    const byItem = Object.fromEntries(found.edges.map((e: any) => [e.node.item.id, e.node]));
    expect(byItem[rdItemId]).toMatchObject({ eligible: true, missing: 0 });
    expect(byItem[automaticItemId]).toMatchObject({ eligible: false, missing: 1 });
    expect(byItem[automaticItemId].criteria.find((c: any) => !c.met)).toMatchObject({
      criterion: 'QUALIFICATION',
      reason: '缺少科技型中小企业（具备其一即可）',
    });
    // Another enterprise's profile is the units slice's to show or not.
    expect(await code(gateway(t), matches, callers.startup, { code: firms.hightech.creditCode })).toBe('NOT_FOUND');
    expect(await code(gateway(t), matches, callers.anonymous, { code: firms.hightech.creditCode })).toBe('UNAUTHENTICATED');
  });

  it('is amended into a new revision, the earlier one kept and readable', async () => {
    const amended = (
      await ok(gateway(t), docs.amend, callers.scienceAdmin, {
        id: policyId,
        input: { documentNumber: '青科规〔2026〕11号', changeNote: '补助比例不变，增加解读。', text: `${policyInput.text}（修订）` },
      })
    ).amendPolicy;
    expect(amended).toMatchObject({ status: 'PUBLISHED', revision: 2, documentNumber: '青科规〔2026〕11号' });
    expect(amended.revisions.map((r: any) => [r.revision, r.documentNumber, r.supersededAt !== null])).toEqual([
      [1, '青科规〔2026〕9号', true],
      [2, '青科规〔2026〕11号', false],
    ]);
  });

  it('takes an application from an eligible enterprise only, idempotently, and refuses a second one', async () => {
    const input = {
      clientRequestId: requestId('rd'),
      itemId: rdItemId,
      declaredBase: 2_000_000,
      materials: [{ name: '研发费用专项审计报告', reference: 'file://audit-2025.pdf' }],
    };
    expect(await code(gateway(t), docs.submit, callers.logistics, { input: { ...input, clientRequestId: requestId('rd') } })).toBe(
      'FORBIDDEN',
    );
    expect(await code(gateway(t), docs.submit, callers.hightech, { input: { ...input, materials: [] } })).toBe('BAD_USER_INPUT');
    const first = (await ok(gateway(t), docs.submit, callers.hightech, { input })).submitApplication;
    expect(first).toMatchObject({
      status: 'SUBMITTED',
      source: 'ONLINE',
      requestedAmount: 200_000,
      reviewDueAt: '2026-09-23T00:00:00+08:00',
    });
    expect(first.eligibility.every((c: any) => c.met)).toBe(true);
    const again = (await ok(gateway(t), docs.submit, callers.hightech, { input })).submitApplication;
    expect(again.id).toBe(first.id);
    expect(await code(gateway(t), docs.submit, callers.hightech, { input: { ...input, clientRequestId: requestId('rd') } })).toBe(
      'CONFLICT',
    );
    expect(await code(gateway(t), docs.submit, callers.hightech, { input: { ...input, declaredBase: 1 } })).toBe('CONFLICT');
    applicationId = first.id;
  });

  it('is returned for materials, resubmitted straight to the subgraph, and approved', async () => {
    clock.set('2026-09-10T10:00:00+08:00');
    await ok(gateway(t), docs.startReview, callers.scienceStaff, { id: applicationId });
    expect(await code(gateway(t), docs.approve, callers.scienceStaff2, { id: applicationId })).toBe('FORBIDDEN');
    const returned = (
      await ok(gateway(t), docs.returnApplication, callers.scienceStaff, {
        id: applicationId,
        reason: '审计报告缺少签章页',
        missing: ['研发费用专项审计报告'],
      })
    ).returnApplication;
    expect(returned).toMatchObject({ status: 'RETURNED', missingMaterials: ['研发费用专项审计报告'], overdue: false });
    clock.set('2026-09-14T10:00:00+08:00');
    const resubmitted = (
      await ok(direct(t), docs.resubmit, callers.hightech, {
        id: applicationId,
        input: { materials: [{ name: '研发费用专项审计报告', reference: 'file://audit-2025-signed.pdf' }] },
      })
    ).resubmitApplication;
    // The review limit restarts on resubmission: 10 working days from 9-14.
    expect(resubmitted).toMatchObject({ status: 'RESUBMITTED', reviewDueAt: '2026-09-29T00:00:00+08:00', missingMaterials: [] });
    clock.set('2026-09-16T10:00:00+08:00');
    expect(await code(gateway(t), docs.approve, callers.scienceStaff, { id: applicationId, amount: 300_000 })).toBe('BAD_USER_INPUT');
    const approved = (await ok(gateway(t), docs.approve, callers.scienceStaff2, { id: applicationId, amount: 180_000 })).approveApplication;
    expect(approved).toMatchObject({ status: 'APPROVED', approvedAmount: 180_000, paymentDueAt: '2026-10-01T00:00:00+08:00' });
    expect(await code(gateway(t), docs.approve, callers.scienceStaff2, { id: applicationId })).toBe('INVALID_TRANSITION');
  });

  it('runs a public notice in which anyone may object; the objection is answered before the money is recorded', async () => {
    const noticed = (await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: applicationId })).startPublicNotice;
    // Five working days after 9-16: 9-17, 18, Sunday 20 (调休), 21, 22.
    expect(noticed).toMatchObject({ status: 'PUBLIC_NOTICE', publicNotice: { endsOn: '2026-09-22', running: true } });
    const board = `{ publicNotices { totalCount edges { node { applicationId amount enterprise { creditCode } period { endsOn running } } } } }`;
    expect((await ok(gateway(t), board, callers.anonymous)).publicNotices.edges.map((e: any) => e.node.applicationId)).toEqual([
      applicationId,
    ]);
    const objection = (
      await ok(direct(t), docs.object, callers.anonymous, {
        id: applicationId,
        input: { text: '该企业研发费用有虚报嫌疑。', contact: '138****0000' },
      })
    ).fileObjection;
    expect(objection).toMatchObject({ answer: null, answerDueAt: '2026-09-23T00:00:00+08:00' });
    const applicantView = (await ok(gateway(t), docs.application, callers.hightech, { id: applicationId })).application;
    expect(applicantView.objections).toEqual([expect.objectContaining({ text: '该企业研发费用有虚报嫌疑。', contact: null })]);
    expect((await ok(gateway(t), docs.application, callers.scienceStaff, { id: applicationId })).application.objections[0].contact).toBe(
      '138****0000',
    );
    const pay = { id: applicationId, input: { amount: 180_000, paidOn: '2026-09-16', paymentReference: 'QDCZ-2026-09001' } };
    expect(await code(gateway(t), docs.disburse, callers.scienceStaff, pay)).toBe('INVALID_TRANSITION');
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, {
      id: objection.id,
      upheld: false,
      answer: '经核查审计报告，研发费用真实。',
    });
    clock.set('2026-09-24T09:00:00+08:00');
    expect(await code(gateway(t), docs.object, callers.anonymous, { id: applicationId, input: { text: '补充异议' } })).toBe(
      'INVALID_TRANSITION',
    );
    const paid = (await ok(gateway(t), docs.disburse, callers.scienceStaff, { ...pay, input: { ...pay.input, paidOn: '2026-09-24' } }))
      .recordDisbursement;
    // 兑现周期: from submission on 9-09 to payment on 9-24: 10, 11, 14 … 18, Sunday 20, 21 … 24.
    expect(paid).toMatchObject({
      status: 'DISBURSED',
      disbursement: { amount: 180_000, paidOn: '2026-09-24', workingDays: 12 },
      overdue: false,
    });
  });

  it('is rated by the enterprise once, and every step shows its working days', async () => {
    const rated = (
      await ok(gateway(t), docs.rate, callers.hightech, { id: applicationId, level: 'SATISFIED', comment: '退回一次，但说明清楚。' })
    ).rateApplication;
    expect(rated.review).toEqual({ level: 'SATISFIED', score: 4, comment: '退回一次，但说明清楚。' });
    expect(await code(gateway(t), docs.rate, callers.hightech, { id: applicationId, level: 'VERY_SATISFIED' })).toBe('INVALID_TRANSITION');
    expect(rated.steps.map((s: any) => [s.action, s.toStatus, s.workingDays])).toEqual([
      ['SUBMIT', 'SUBMITTED', null],
      ['START_REVIEW', 'UNDER_REVIEW', 1],
      ['RETURN', 'RETURNED', 0],
      ['RESUBMIT', 'RESUBMITTED', 2],
      ['APPROVE', 'APPROVED', 2],
      ['START_NOTICE', 'PUBLIC_NOTICE', 0],
      ['OBJECTION', 'PUBLIC_NOTICE', 0],
      ['ANSWER_OBJECTION', 'PUBLIC_NOTICE', 0],
      ['DISBURSE', 'DISBURSED', 7],
      ['RATE', 'DISBURSED', 0],
    ]);
  });

  it('grants an automatic item to every eligible enterprise without an application, and a second run grants nothing', async () => {
    const first = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
    expect(first).toMatchObject({ eligible: 1, created: 1, alreadyGranted: 0 });
    const second = (await ok(direct(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
    expect(second).toMatchObject({ eligible: 1, created: 0, alreadyGranted: 1 });
    const mine = `query($code: String!) { enterprise(creditCode: $code) { applications { totalCount edges { node { status source approvedAmount item { id } steps { action } } } } } }`;
    const startup = (await ok(gateway(t), mine, callers.startup, { code: firms.startup.creditCode })).enterprise.applications;
    expect(startup.totalCount).toBe(1);
    expect(startup.edges[0].node).toMatchObject({
      status: 'PUBLIC_NOTICE',
      source: 'AUTOMATIC',
      approvedAmount: 50_000,
      item: { id: automaticItemId },
      steps: [{ action: 'AUTOMATIC_GRANT' }],
    });
    expect(
      await code(gateway(t), docs.submit, callers.startup, { input: { clientRequestId: requestId('auto'), itemId: automaticItemId } }),
    ).toBe('BAD_USER_INPUT');
  });

  it("adds up in the reviewing unit's figures for the command office", async () => {
    const figures = `query($id: ID!) { unit(id: $id) { name policyStats(period: { from: "2026-09-01", to: "2026-09-30" }) {
      itemsPublished applicationsReceived automaticGrants approved refused disbursedCount disbursedAmount medianDisbursementWorkingDays pastLimits
      reviews { count satisfied averageScore satisfactionRate } } } }`;
    const stats = (await ok(gateway(t), figures, callers.office, { id: unit('SCIENCE_TECHNOLOGY_BUREAU') })).unit.policyStats;
    expect(stats).toEqual({
      itemsPublished: 2,
      applicationsReceived: 1,
      automaticGrants: 1,
      approved: 2,
      refused: 0,
      disbursedCount: 1,
      disbursedAmount: 180_000,
      medianDisbursementWorkingDays: 12,
      pastLimits: 0,
      reviews: { count: 1, satisfied: 1, averageScore: 4, satisfactionRate: 1 },
    });
    expect(await code(gateway(t), figures, callers.taxStaff, { id: unit('SCIENCE_TECHNOLOGY_BUREAU') })).toBe('FORBIDDEN');
  });

  it('closes the items when the policy is repealed, and keeps the record', async () => {
    const repealed = (await ok(gateway(t), docs.repeal, callers.scienceAdmin, { id: policyId, reason: '已被新政策取代' })).repealPolicy;
    expect(repealed).toMatchObject({
      status: 'REPEALED',
      repealReason: '已被新政策取代',
      items: [{ status: 'CLOSED' }, { status: 'CLOSED' }],
    });
    expect(
      await code(gateway(t), docs.submit, callers.hightech, { input: { clientRequestId: requestId('closed'), itemId: rdItemId } }),
    ).toBe('INVALID_TRANSITION');
    const history = `query($id: ID!) { policy(id: $id) { status history { action toStatus } } }`;
    expect((await ok(gateway(t), history, callers.scienceStaff, { id: policyId })).policy.history.map((h: any) => h.action)).toEqual([
      'CREATE',
      'ADD_ITEM',
      'ADD_ITEM',
      'OPEN_CONSULTATION',
      'COMMENT',
      'ANSWER_COMMENT',
      'PUBLISH',
      'UPDATE_ITEM',
      'UPDATE_ITEM',
      'INTERPRET',
      'AMEND',
      'REPEAL',
    ]);
    expect((await ok(gateway(t), history, callers.anonymous, { id: policyId })).policy).toEqual({ status: 'REPEALED', history: [] });
  });
});
