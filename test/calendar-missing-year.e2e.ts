/**
 * Working-day limits through a year the calendar lacks, in the slices that read the calendar from
 * the issues slice (issue #20): policies and evaluations count them as the issues slice does —
 * provisional, weekends the only days off, marked `provisional` wherever a due time is shown —
 * instead of refusing (CALENDAR_YEAR_MISSING) or leaving them empty. When the command office enters
 * the year, each slice recomputes its own provisional limits, met or not, from its own tables, with
 * the working days they were set with; lateness judged on a provisional limit is judged again, once,
 * and nothing final is rewritten.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { expectKeptEqualsRebuild } from './support/database.ts';
import { evalCallers as who, evalDocs } from './support/evaluations.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { automaticItem, callers, docs, gateway, ok, policyInput, rdItem, registerFirms, requestId } from './support/policies.ts';

const clock = new TestClock('2026-12-24T10:00:00+08:00'); // a Thursday
let t: TestPlatform;

/** 2027 as this test enters it (the State Council's notice is not out yet): New Year's Day off. */
const YEAR_2027 = { year: 2027, notice: '2027 年部分节假日安排（测试数据）', off: ['2027-01-01'], workdays: [] as string[] };
const POLICE = unitIdForCode('PUBLIC_SECURITY_BUREAU');
const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];

const read = async (id: string) => (await ok(gateway(t), docs.application, callers.scienceAdmin, { id })).application;
const readReview = async (id: string) =>
  (await ok(gateway(t), evalDocs.reviews, who.office, { filter: { unitId: POLICE }, first: 50 })).serviceReviews.edges
    .map((e: any) => e.node)
    .find((r: any) => r.id === id);

let policyId: string;
const created: Record<string, any> = {};

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕30号' } });
});
afterAll(async () => {
  await t?.stop();
});

async function newItem(input: Record<string, unknown>): Promise<string> {
  return (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input })).createPolicyItem.id;
}

describe('before 2027 is entered', () => {
  it('counts an application’s limits through 2027 with weekends as the only days off, and says they are provisional', async () => {
    const noticeItem = await newItem({ ...rdItem, name: '跨年公示项目' });
    const paidItem = await newItem({ ...rdItem, name: '跨年兑现项目' });
    const submit = async (itemId: string) =>
      (
        await ok(gateway(t), docs.submit, callers.hightech, {
          input: { clientRequestId: requestId('y'), itemId, declaredBase: 100_000, materials },
        })
      ).submitApplication;
    const a = await submit(noticeItem);
    // 10 working days after Thursday 12-24: 25, 28, 29, 30, 31, 2027-01-01 (counted), 01-04 … 01-07.
    expect(a).toMatchObject({ reviewDueAt: '2027-01-08T00:00:00+08:00', provisional: true, provisionalUntilYear: 2027 });
    const d = await submit(paidItem);
    // The item's limit changes after submission: the application keeps the 10 days it was given.
    await ok(gateway(t), docs.updateItem, callers.scienceStaff, { id: noticeItem, input: { reviewWorkingDays: 20 } });

    clock.set('2026-12-28T10:00:00+08:00'); // Monday
    for (const application of [a, d]) {
      const approved = (await ok(gateway(t), docs.approve, callers.scienceStaff, { id: application.id, amount: 10_000 }))
        .approveApplication;
      // 10 working days to pay: 29, 30, 31, 01-01, 01-04 … 01-08, 01-11.
      expect(approved).toMatchObject({ paymentDueAt: '2027-01-12T00:00:00+08:00', provisional: true });
      const noticed = (await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: application.id })).startPublicNotice;
      // Five working days of public notice: 29, 30, 31, 01-01, 01-04 — it used to be refused with CALENDAR_YEAR_MISSING.
      expect(noticed.publicNotice).toMatchObject({ endsOn: '2027-01-04', provisional: true, running: true });
    }
    const objection = (await ok(gateway(t), docs.object, callers.anonymous, { id: a.id, input: { text: '跨年异议' } })).fileObjection;
    expect(objection).toMatchObject({ answerDueAt: '2027-01-05T00:00:00+08:00' });
    expect((await read(a.id)).objections).toEqual([
      expect.objectContaining({ answerDueAt: '2027-01-05T00:00:00+08:00', provisional: true }),
    ]);
    Object.assign(created, { a, d, noticeItem });
  });

  it('runs automatic grants whose notice reaches 2027, with a provisional end, where it used to refuse', async () => {
    const item = await newItem({ ...automaticItem, name: '跨年免申即享' });
    const run = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: item })).runAutomaticGrants;
    expect(run).toMatchObject({ created: 1, noticeEndsOn: '2027-01-04', provisional: true });
    const granted = (
      await ok(
        gateway(t),
        `query($itemId: ID!) { applications(filter: { itemId: $itemId }) { edges { node { id paymentDueAt provisional publicNotice { endsOn provisional } } } } }`,
        callers.scienceStaff,
        { itemId: item },
      )
    ).applications.edges[0].node;
    expect(granted).toMatchObject({
      paymentDueAt: '2027-01-12T00:00:00+08:00',
      provisional: true,
      publicNotice: { endsOn: '2027-01-04', provisional: true },
    });
    created.granted = granted;
  });

  it('pays after a provisional notice, counting the cycle provisionally; the notice as held stands', async () => {
    clock.set('2027-01-05T10:00:00+08:00');
    const paid = (
      await ok(gateway(t), docs.disburse, callers.scienceStaff, {
        id: created.d.id,
        input: { amount: 10_000, paidOn: '2027-01-05', paymentReference: 'QDCZ-2027-0001' },
      })
    ).recordDisbursement;
    // 12-25, 12-28 … 12-31, 01-01, 01-04, 01-05.
    expect(paid.disbursement).toMatchObject({ workingDays: 8, provisional: true });
    expect(paid.publicNotice).toMatchObject({ endsOn: '2027-01-04', provisional: false });
  });

  it('gives a bad review provisional limits and judges an answer on them, provisionally', async () => {
    clock.set('2026-12-31T10:00:00+08:00'); // Thursday
    const review = (
      await ok(gateway(t), evalDocs.submitReview, who.firm(1), {
        input: {
          clientRequestId: requestId('r'),
          unitId: POLICE,
          serviceItem: '户籍办理',
          channel: 'WINDOW',
          level: 'UNSATISFIED',
          comment: '跨年差评',
        },
      })
    ).submitServiceReview;
    // One working day: 2027-01-01 (counted); fifteen: 01-01, 01-04 … 01-08, 01-11 … 01-15, 01-18 … 01-21.
    expect(review).toMatchObject({
      answerDueAt: '2027-01-02T00:00:00+08:00',
      rectifyDueAt: '2027-01-22T00:00:00+08:00',
      provisional: true,
      pendingCalendarYear: 2027,
    });
    clock.set('2027-01-02T10:00:00+08:00'); // Saturday: late on the provisional limit
    const answered = (await ok(gateway(t), evalDocs.answer, who.policeAdmin, { id: review.id, answer: '已核实' })).answerServiceReview;
    expect(answered.answer).toMatchObject({ late: true, provisional: true });
    clock.set('2027-01-05T11:00:00+08:00');
    const rectified = (await ok(gateway(t), evalDocs.rectify, who.policeAdmin, { id: review.id, measures: '已整改' })).rectifyServiceReview;
    expect(rectified.rectification).toMatchObject({ late: false, provisional: true });
    const stats = (
      await ok(gateway(t), evalDocs.unitReviewStats, who.office, { id: POLICE, period: { from: '2026-12-01', to: '2026-12-31' } })
    ).unit.reviewStats;
    expect(stats).toMatchObject({ badReviews: 1, rectificationRate: 1, onTimeRate: 0 });
    created.review = review;
  });

  it('keeps a final review’s limits and a final lateness out of reach of its own role', async () => {
    clock.set('2026-12-01T10:00:00+08:00');
    const final = (
      await ok(gateway(t), evalDocs.submitReview, who.firm(2), {
        input: { clientRequestId: requestId('r'), unitId: POLICE, serviceItem: '户籍办理', channel: 'WINDOW', level: 'UNSATISFIED' },
      })
    ).submitServiceReview;
    expect(final).toMatchObject({ provisional: false, answerDueAt: '2026-12-03T00:00:00+08:00' });
    await ok(gateway(t), evalDocs.answer, who.policeAdmin, { id: final.id, answer: '已核实' });
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(
      db.execute(sql`update evaluations.service_reviews set answer_due_at = answer_due_at + interval '1 day' where id = ${final.id}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
    await expect(
      db.execute(sql`update evaluations.review_actions set late = not late where review_id = ${final.id}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
    await expect(db.execute(sql`delete from evaluations.review_actions where review_id = ${created.review.id}`)).rejects.toMatchObject({
      cause: { code: '42501' },
    });
    // Even a provisional one: only its limits may move, never its words.
    await expect(
      db.execute(sql`update evaluations.service_reviews set comment = '改写' where id = ${created.review.id}`),
    ).rejects.toMatchObject({ cause: { code: '42501' } });
  });
});

describe('when the command office enters 2027', () => {
  beforeAll(async () => {
    clock.set('2027-01-05T12:00:00+08:00');
    await ok(gateway(t), `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, callers.office, {
      input: YEAR_2027,
    });
  });

  it('recomputes an application’s limits, met or not, with the working days they were set with', async () => {
    const a = await read(created.a.id);
    // Review (met at the approval): 25, 28 … 31, 01-04 … 01-08 — ten days still, not the item's twenty now.
    expect(a).toMatchObject({
      reviewDueAt: '2027-01-09T00:00:00+08:00',
      paymentDueAt: '2027-01-13T00:00:00+08:00',
      provisional: false,
      provisionalUntilYear: null,
    });
    // The notice still runs: it ends on its fifth real working day; the objection is due then.
    expect(a.publicNotice).toMatchObject({ endsOn: '2027-01-05', provisional: false, running: true });
    expect(a.objections).toEqual([expect.objectContaining({ answerDueAt: '2027-01-06T00:00:00+08:00', provisional: false })]);
    const granted = await read(created.granted.id);
    expect(granted).toMatchObject({
      paymentDueAt: '2027-01-13T00:00:00+08:00',
      provisional: false,
      publicNotice: { endsOn: '2027-01-05', provisional: false },
    });
  });

  it('keeps a notice that was over and acted on as it was held, and counts the payment cycle again', async () => {
    const d = await read(created.d.id);
    expect(d.publicNotice).toMatchObject({ endsOn: '2027-01-04', provisional: false });
    expect(d.disbursement).toMatchObject({ workingDays: 7, provisional: false });
    expect(d).toMatchObject({ provisional: false, paymentDueAt: '2027-01-13T00:00:00+08:00' });
  });

  it('recomputes a bad review’s limits and judges its answer again on the final one, figures and all', async () => {
    const review = await readReview(created.review.id);
    // One working day after Thursday 12-31: Monday 01-04 (New Year's Day off); fifteen: 01-04 … 01-22.
    expect(review).toMatchObject({
      answerDueAt: '2027-01-05T00:00:00+08:00',
      rectifyDueAt: '2027-01-23T00:00:00+08:00',
      provisional: false,
      pendingCalendarYear: null,
    });
    expect(review.answer).toMatchObject({ late: false, provisional: false });
    expect(review.rectification).toMatchObject({ late: false, provisional: false });
    const stats = (
      await ok(gateway(t), evalDocs.unitReviewStats, who.office, { id: POLICE, period: { from: '2026-12-31', to: '2026-12-31' } })
    ).unit.reviewStats;
    expect(stats).toMatchObject({ badReviews: 1, rectificationRate: 1, onTimeRate: 1 });
    for (const [table, period] of [
      ['evaluations.review_figures', 'day'],
      ['evaluations.review_figures_monthly', 'month'],
    ] as const) {
      await expectKeptEqualsRebuild(t.database.handle.owner(), {
        table,
        keys: ['unit_id', period],
        rebuild: 'evaluations.rebuild_review_figures',
        staging: 'evaluations.review_figure_changes',
      });
    }
    for (const [table, keys] of [
      ['policies.policy_figures', ['unit_id', 'day']],
      ['policies.cycle_figures', ['unit_id', 'day', 'working_days']],
    ] as const) {
      await expectKeptEqualsRebuild(t.database.handle.owner(), {
        table,
        keys: [...keys],
        rebuild: 'policies.rebuild_figures',
        staging: 'policies.figure_changes',
      });
    }
  });

  it('leaves nothing provisional, and nothing to warn about', async () => {
    const response = await fetch(`${t.gatewayUrl}ready`);
    const body = (await response.json()) as { checks: Record<string, string> };
    expect(response.status).toBe(200);
    expect(Object.keys(body.checks).filter((check) => check.endsWith('.calendar'))).toEqual([]);
    const left = await t.database.handle.owner().execute(sql`
      select (select count(*) from policies.applications where pending_calendar_year is not null or notice_pending_calendar_year is not null)::int as applications,
             (select count(*) from evaluations.service_reviews where pending_calendar_year is not null)::int as reviews,
             (select count(*) from evaluations.review_actions where late_provisional)::int as actions`);
    expect(((left as any).rows ?? left)[0]).toEqual({ applications: 0, reviews: 0, actions: 0 });
  });
});
