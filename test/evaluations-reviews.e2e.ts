/**
 * 好差评 through the gateway and straight against the evaluations subgraph, on real PostgreSQL:
 * the public reviews without signing in, within abuse limits that count the caller across both
 * doors; retries are recorded once; a bad review's answer and rectification limits run in working
 * days on the 2026 calendar (the Dragon Boat holiday included), late steps are kept as late;
 * follow-ups, appeals and the command office's decision; who reads lists and figures; the figures
 * of every unit in one statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock, HOUR } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors } from './support/doors.ts';
import { evalCallers as who, evalDocs as docs } from './support/evaluations.ts';
import { expectKeptEqualsRebuild } from './support/database.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00'); // a Monday
let t: TestPlatform;
type Via = 'gateway' | 'evaluations subgraph';
const transports: Via[] = ['gateway', 'evaluations subgraph'];
const { send, ok } = doors(() => t, 'evaluations');
async function refusal(via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) {
  const response = await send(via, document, as, variables);
  expect(response.errors, `expected a refusal, got ${JSON.stringify(response.data)}`).toBeDefined();
  expect(response.errors![0]!.message).toMatch(/ \/ /);
  return response.errors![0]!.extensions!;
}
const code = async (via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) =>
  (await refusal(via, document, as, variables)).code;

const POLICE = unitIdForCode('PUBLIC_SECURITY_BUREAU');
const TAX = unitIdForCode('TAXATION_BUREAU');
let requests = 0;
const review = (unitId: string, level: string, extra: Record<string, unknown> = {}) => ({
  clientRequestId: `r-${++requests}`,
  unitId,
  serviceItem: '户籍办理',
  channel: 'WINDOW',
  level,
  comment: '测试评价',
  ...extra,
});
const countReviews = async () => {
  const rows: any = await t.database.handle
    .forSubgraph('evaluations')
    .db.execute(sql`select count(*)::int as n from evaluations.service_reviews`);
  return (rows.rows ?? rows)[0].n as number;
};

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('submitting', () => {
  it.each(transports)('takes a review from the public without signing in, once per clientRequestId (%s)', async (via) => {
    const input = review(TAX, 'VERY_SATISFIED', { channel: 'ONLINE' });
    const first = (await ok(docs.submitReview, who.anonymous, { input }, via)).submitServiceReview;
    expect(first).toMatchObject({
      reviewerKind: 'PUBLIC',
      level: 'VERY_SATISFIED',
      score: 5,
      bad: false,
      status: 'NO_ACTION',
      answerDueAt: null,
      overdue: false,
    });
    const again = (await ok(docs.submitReview, who.anonymous, { input }, via)).submitServiceReview;
    expect(again.id).toBe(first.id);
    expect(await code(via, docs.submitReview, who.anonymous, { input: { ...input, level: 'UNSATISFIED' } })).toBe('CONFLICT');
  });

  it('limits one caller to 3 reviews of a unit a day, counted across the gateway and the subgraph, then the next day again', async () => {
    const before = await countReviews();
    const commerce = unitIdForCode('COMMERCE_BUREAU');
    await ok(docs.submitReview, who.anonymous, { input: review(commerce, 'SATISFIED') }, 'gateway');
    await ok(docs.submitReview, who.anonymous, { input: review(commerce, 'SATISFIED') }, 'evaluations subgraph');
    await ok(docs.submitReview, who.anonymous, { input: review(commerce, 'SATISFIED') }, 'gateway');
    for (const via of transports) {
      const refused = await refusal(via, docs.submitReview, who.anonymous, { input: review(commerce, 'VERY_UNSATISFIED') });
      expect(refused.code).toBe('RATE_LIMITED');
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    }
    // Another enterprise is another reviewer.
    await ok(docs.submitReview, who.firm(1), { input: review(commerce, 'SATISFIED') });
    expect(await countReviews()).toBe(before + 4);
    clock.advance(24 * HOUR);
    await ok(docs.submitReview, who.anonymous, { input: review(commerce, 'SATISFIED') });
    clock.set('2026-06-01T10:00:00+08:00');
  });

  it('limits one reviewer to 10 reviews an hour over all units', async () => {
    const units = [
      'EDUCATION_BUREAU',
      'SCIENCE_TECHNOLOGY_BUREAU',
      'JUSTICE_BUREAU',
      'COMMERCE_BUREAU',
      'TRANSPORT_BUREAU',
      'HOUSING_CONSTRUCTION_BUREAU',
      'ECOLOGY_ENVIRONMENT_BUREAU',
      'INDUSTRY_IT_BUREAU',
      'DEVELOPMENT_REFORM_COMMISSION',
      'NATURAL_RESOURCES_PLANNING_BUREAU',
      'ADMINISTRATIVE_APPROVAL_BUREAU',
    ];
    for (const unit of units.slice(0, 10)) await ok(docs.submitReview, who.firm(2), { input: review(unitIdForCode(unit), 'SATISFIED') });
    expect(await code('gateway', docs.submitReview, who.firm(2), { input: review(unitIdForCode(units[10]!), 'SATISFIED') })).toBe(
      'RATE_LIMITED',
    );
  });

  it.each(transports)('refuses a unit reviewing itself, unknown units and bad input, changing nothing (%s)', async (via) => {
    const before = await countReviews();
    expect(await code(via, docs.submitReview, who.policeStaff, { input: review(POLICE, 'VERY_SATISFIED') })).toBe('FORBIDDEN');
    expect(await code(via, docs.submitReview, who.firm(3), { input: review('00000000-0000-4000-8000-000000000000', 'SATISFIED') })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(via, docs.submitReview, who.firm(3), { input: review(POLICE, 'SATISFIED', { serviceItem: '   ' }) })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(via, docs.submitReview, who.firm(3), { input: review(POLICE, 'SATISFIED', { clientRequestId: 'has space' }) })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await countReviews()).toBe(before);
  });
});

describe('a bad review from receipt to follow-up', () => {
  let id: string;

  beforeAll(async () => {
    clock.set('2026-06-01T10:00:00+08:00');
    id = (await ok(docs.submitReview, who.firm(10), { input: review(POLICE, 'UNSATISFIED', { comment: '窗口排队两小时' }) }))
      .submitServiceReview.id;
  });

  it('sets its limits in working days: answer by the next working day, rectification by the 15th, past the Dragon Boat holiday', async () => {
    const [found] = (await ok(docs.reviews, who.policeStaff, { filter: { bad: true } })).serviceReviews.edges;
    expect(found.node).toMatchObject({
      id,
      bad: true,
      status: 'AWAITING_ANSWER',
      reviewerKind: 'ENTERPRISE',
      score: 2,
      pendingCalendarYear: null,
    });
    // 6-02 is the 1st working day; 6-19…21 are off, so the 15th is 6-23 (periods end at 24:00 Beijing time).
    expect(found.node.answerDueAt).toBe('2026-06-03T00:00:00+08:00');
    expect(found.node.rectifyDueAt).toBe('2026-06-24T00:00:00+08:00');
  });

  it.each(transports)('lets only the reviewed unit answer; its lead reads but may not act; others learn nothing (%s)', async (via) => {
    expect(await code(via, docs.answer, who.politicsLeadStaff, { id, answer: '已核实' })).toBe('FORBIDDEN');
    expect(await code(via, docs.answer, who.office, { id, answer: '已核实' })).toBe('FORBIDDEN');
    expect(await code(via, docs.answer, who.taxStaff, { id, answer: '已核实' })).toBe('NOT_FOUND');
    expect(await code(via, docs.answer, who.firm(10), { id, answer: '已核实' })).toBe('NOT_FOUND');
    expect(await code(via, docs.answer, who.anonymous, { id, answer: '已核实' })).toBe('UNAUTHENTICATED');
    expect(await code(via, docs.rectify, who.policeStaff, { id, measures: '增开窗口' })).toBe('INVALID_TRANSITION');
    expect(await code(via, docs.answer, who.policeStaff, { id, answer: '  ' })).toBe('BAD_USER_INPUT');
  });

  it('lists it as overdue once the answer limit passes with no answer, and keeps the late answer late', async () => {
    clock.set('2026-06-03T09:00:00+08:00');
    const overdue = (await ok(docs.reviews, who.office, { filter: { overdue: true } })).serviceReviews;
    expect(overdue.edges.map((e: any) => e.node.id)).toEqual([id]);
    expect(overdue.edges[0].node.overdue).toBe(true);
    const answered = (await ok(docs.answer, who.policeStaff, { id, answer: '已电话联系企业，核实属实' })).answerServiceReview;
    expect(answered).toMatchObject({ status: 'AWAITING_RECTIFICATION', overdue: false, answer: { late: true } });
    expect(await code('gateway', docs.answer, who.policeStaff, { id, answer: '再答一次' })).toBe('INVALID_TRANSITION');
    clock.set('2026-06-23T20:00:00+08:00'); // within the rectification limit
    const rectified = (await ok(docs.rectify, who.policeAdmin, { id, measures: '高峰时段增开两个窗口' })).rectifyServiceReview;
    expect(rectified).toMatchObject({ status: 'AWAITING_FOLLOW_UP', rectification: { late: false } });
    expect(await code('gateway', docs.followUp, who.policeStaff, { id, input: { reached: true, note: '满意' } })).toBe('BAD_USER_INPUT');
    const followed = (await ok(docs.followUp, who.office, { id, input: { reached: true, level: 'SATISFIED', note: '企业表示满意' } }))
      .recordReviewFollowUp;
    expect(followed.status).toBe('DONE');
    const again = (await ok(docs.followUp, who.policeStaff, { id, input: { reached: false, note: '再次回访未接通' } }))
      .recordReviewFollowUp;
    expect(again.followUps.map((f: any) => f.reached)).toEqual([true, false]);
    expect(again.level).toBe('UNSATISFIED'); // the review's words never change
  });

  it('refuses rewriting the record, also in the database', async () => {
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(db.execute(sql`update evaluations.service_reviews set level = 'SATISFIED' where id = ${id}::uuid`)).rejects.toThrow();
    await expect(db.execute(sql`update evaluations.review_actions set late = false`)).rejects.toThrow();
    await expect(db.execute(sql`delete from evaluations.review_actions`)).rejects.toThrow();
  });
});

describe('appeals', () => {
  it.each(transports)('lets the reviewed unit’s admin appeal once and only the command office decide (%s)', async (via) => {
    clock.set('2026-06-02T10:00:00+08:00');
    const { id } = (await ok(docs.submitReview, who.firm(via === 'gateway' ? 20 : 21), { input: review(TAX, 'VERY_UNSATISFIED') }))
      .submitServiceReview;
    const good = (await ok(docs.submitReview, who.firm(via === 'gateway' ? 20 : 21), { input: review(TAX, 'SATISFIED') }))
      .submitServiceReview;
    expect(await code(via, docs.appeal, who.taxAdmin, { id: good.id, reason: '不实' })).toBe('INVALID_TRANSITION');
    expect(await code(via, docs.appeal, who.taxStaff, { id, reason: '不实' })).toBe('FORBIDDEN');
    expect(await code(via, docs.decide, who.office, { id, decision: 'UPHELD', reason: '成立' })).toBe('INVALID_TRANSITION');
    expect((await ok(docs.appeal, who.taxAdmin, { id, reason: '退税按时到账，评价不实' }, via)).appealServiceReview.appeal.text).toContain(
      '退税',
    );
    expect(await code(via, docs.appeal, who.taxAdmin, { id, reason: '再申诉' })).toBe('INVALID_TRANSITION');
    expect(await code(via, docs.decide, who.taxAdmin, { id, decision: 'UPHELD', reason: '成立' })).toBe('FORBIDDEN');
    const decided = (await ok(docs.decide, who.office, { id, decision: via === 'gateway' ? 'UPHELD' : 'REJECTED', reason: '经核实' }, via))
      .decideReviewAppeal;
    expect(decided.appealDecision.decision).toBe(via === 'gateway' ? 'UPHELD' : 'REJECTED');
    expect(decided.status).toBe(via === 'gateway' ? 'EXCLUDED' : 'AWAITING_ANSWER');
    expect(await code(via, docs.decide, who.office, { id, decision: 'REJECTED', reason: '改判' })).toBe('INVALID_TRANSITION');
  });
});

describe('reading and figures', () => {
  it.each(transports)('lists a unit its own reviews, a lead its domain’s, the command office all; refuses the rest (%s)', async (via) => {
    const units = async (as: Caller) =>
      new Set((await ok(docs.reviews, as, { first: 100 }, via)).serviceReviews.edges.map((e: any) => e.node.unit.id));
    expect([...(await units(who.policeStaff))]).toEqual([POLICE]);
    // The lead of 政法 sees its domain's units: the police's review and the justice bureau's (the hourly-limit test).
    expect([...(await units(who.politicsLeadStaff))].sort()).toEqual([POLICE, unitIdForCode('JUSTICE_BUREAU')].sort());
    expect((await units(who.office)).size).toBeGreaterThan(5);
    expect([...(await units(who.taxStaff))]).toEqual([TAX]);
    expect(await code(via, docs.reviews, who.firm(10), {})).toBe('FORBIDDEN');
    expect(await code(via, docs.reviews, who.anonymous, {})).toBe('UNAUTHENTICATED');
  });

  it('counts the figures by their definitions, upheld appeals excluded', async () => {
    clock.set('2026-07-01T10:00:00+08:00');
    const june = { from: '2026-06-01', to: '2026-06-30' };
    const police = (await ok(docs.unitReviewStats, who.politicsLeadStaff, { id: POLICE, period: june })).unit.reviewStats;
    expect(police).toMatchObject({
      count: 1,
      badReviews: 1,
      satisfactionRate: 0,
      rectificationRate: 1,
      onTimeRate: 0,
      overdueNow: 0,
      excluded: 0,
    });
    const tax = (await ok(docs.unitReviewStats, who.office, { id: TAX, period: june })).unit.reviewStats;
    // TAX in June: very satisfied ×2 (one per door), satisfied ×2 (appeal tests), the upheld one excluded, the rejected one still bad and now overdue.
    expect(tax).toMatchObject({ count: 5, badReviews: 1, excluded: 1, rectificationRate: 0, onTimeRate: 0, overdueNow: 1 });
    expect(tax.satisfactionRate).toBeCloseTo(4 / 5);
    // The other slices' ratings of the unit's work are asked of their own subgraphs (none here), and weigh in by count.
    const { issues, policies } = t.platform.statements;
    issues!.count = 0;
    policies!.count = 0;
    const combined = (
      await ok(
        `query($id: ID!, $period: PeriodInput) { unit(id: $id) { reviewStats(period: $period) { count satisfactionRate overallSatisfactionRate otherSources { source count satisfactionRate } } } }`,
        who.office,
        { id: TAX, period: june },
      )
    ).unit.reviewStats;
    expect(combined.otherSources).toEqual([
      { source: 'ISSUE_HANDLING', count: 0, satisfactionRate: null },
      { source: 'POLICY_APPLICATIONS', count: 0, satisfactionRate: null },
    ]);
    expect(combined.overallSatisfactionRate).toBeCloseTo(4 / 5);
    expect(issues!.count).toBeGreaterThan(0);
    expect(policies!.count).toBeGreaterThan(0);
    expect(await code('gateway', docs.unitReviewStats, who.taxStaff, { id: POLICE, period: june })).toBe('FORBIDDEN');
    expect(await code('evaluations subgraph', docs.reviewStats, who.anonymous, { id: POLICE, period: june })).toBe('UNAUTHENTICATED');
    // Kept per unit and day by triggers (answers, late steps, appeals upheld): equal to a rebuild from every review.
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
  });

  it("answers every unit's figures in one gateway request with the same number of statements as for one unit", async () => {
    const stats = (first: number) =>
      `{ units(first: ${first}) { edges { node { id reviewStats(period: { from: "2026-01-01", to: "2026-12-31" }) { count badReviews } } } } }`;
    const statements = t.platform.statements.evaluations!;
    await ok(stats(1), who.office);
    statements.count = 0;
    await ok(stats(1), who.office);
    const one = statements.count;
    statements.count = 0;
    const all = await ok(stats(100), who.office);
    expect(all.units.edges.length).toBeGreaterThan(40);
    expect(statements.count).toBe(one);
    expect(all.units.edges.find((e: any) => e.node.id === POLICE).node.reviewStats.badReviews).toBe(1);
  });
});
