/**
 * The evaluations slice reads the unit directory before its transactions, never inside (issue #20,
 * finding 5b). On the embedded database there is one connection: a transaction that asks the units
 * subgraph for the directory waits on a units subgraph waiting on that same connection, until the
 * directory's own time-out (5 s) gives up and the stale copy is used — the request has by then
 * answered REQUEST_TIMEOUT, and its transaction commits anyway. With DIRECTORY_TTL_MS=0 every
 * request finds the copy expired, and with a 4 s execution deadline such a wait is a refusal: each
 * action of the slice that runs a transaction must simply succeed here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type DatabaseHandle } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startPlatform, type Platform } from '../bin/platform.ts';
import { loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { TestClock } from './support/clock.ts';
import { evalCallers as who, evalDocs as docs } from './support/evaluations.ts';
import { post, tokenFor, type Caller } from './support/platform.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00'); // a Monday
const POLICE = unitIdForCode('PUBLIC_SECURITY_BUREAU');
const TAX = unitIdForCode('TAXATION_BUREAU');
let database: DatabaseHandle;
let platform: Platform;

async function ok(document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await post<any>(platform.gateway.url, { query: document, variables }, await tokenFor(as));
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

beforeAll(async () => {
  database = await openPglite();
  platform = await startPlatform({
    env: loadEnv({ DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false', DIRECTORY_TTL_MS: '0', EXECUTION_TIMEOUT_MS: '4000' }, slices),
    database,
    ephemeralPorts: true,
    now: clock.now,
    logger: createLogger({ level: 'error' }),
  });
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  await database?.close();
});

describe('on the embedded database with a directory that is always stale', () => {
  it('answers, rectifies and follows up a review, and appeals and decides another', async () => {
    const review = (n: number) => ({
      clientRequestId: `dir-${n}`,
      unitId: POLICE,
      serviceItem: '户籍办理',
      channel: 'WINDOW',
      level: 'UNSATISFIED',
      comment: '排队太久',
    });
    const first = (await ok(docs.submitReview, who.firm(1), { input: review(1) })).submitServiceReview.id;
    expect((await ok(docs.answer, who.policeStaff, { id: first, answer: '已核实，正在改进' })).answerServiceReview.status).toBe(
      'AWAITING_RECTIFICATION',
    );
    expect((await ok(docs.rectify, who.policeStaff, { id: first, measures: '增设窗口' })).rectifyServiceReview.status).toBe(
      'AWAITING_FOLLOW_UP',
    );
    expect(
      (await ok(docs.followUp, who.office, { id: first, input: { note: '企业认可', reached: true, level: 'SATISFIED' } }))
        .recordReviewFollowUp.status,
    ).toBe('DONE');
    const second = (await ok(docs.submitReview, who.firm(2), { input: review(2) })).submitServiceReview.id;
    expect((await ok(docs.appeal, who.policeAdmin, { id: second, reason: '该评价与本单位无关' })).appealServiceReview.appeal.text).toBe(
      '该评价与本单位无关',
    );
    expect((await ok(docs.decide, who.office, { id: second, decision: 'UPHELD', reason: '核实属实' })).decideReviewAppeal.status).toBe(
      'EXCLUDED',
    );
  });

  it('runs a contest from entries to publication', async () => {
    const criteria = [{ name: '综合', weight: 100 }];
    const contestId = (
      await ok(docs.createContest, who.office, { input: { title: '目录测试擂台', level: 'CITY', heldOn: '2026-06-10', criteria } })
    ).createContest.id;
    const entryText = { problems: '审批环节多', goals: '一次办结', ideas: '企业视角', measures: '压减材料' };
    const entryIds: string[] = [];
    for (const unitId of [POLICE, TAX])
      entryIds.push((await ok(docs.addEntry, who.office, { contestId, input: { unitId, ...entryText } })).addContestEntry.id);
    await ok(docs.assignJudge, who.office, { contestId, input: { subject: 'judge-0', role: 'OBSERVER', name: '评委0' } });
    await ok(docs.submitScores, who.judge(0), {
      contestId,
      scores: entryIds.map((entryId, i) => ({ entryId, criterion: 0, score: 80 + i })),
    });
    expect((await ok(docs.close, who.office, { id: contestId })).closeContest.status).toBe('CLOSED');
    expect((await ok(docs.publish, who.office, { id: contestId })).publishContest.status).toBe('PUBLISHED');
  });

  it('completes a tackling task’s milestone', async () => {
    const create = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id milestones { id } } }`;
    const complete = `mutation($id: ID!, $note: String!) { completeTaskMilestone(id: $id, note: $note) { id doneAt } }`;
    const task = (
      await ok(create, who.policeAdmin, {
        input: {
          unitId: POLICE,
          title: '压减材料',
          description: '户籍业务材料减半',
          dueOn: '2026-09-30',
          milestones: [{ title: '梳理清单', dueOn: '2026-07-31' }],
        },
      })
    ).createTask;
    expect(
      (await ok(complete, who.policeStaff, { id: task.milestones[0].id, note: '清单已梳理' })).completeTaskMilestone.doneAt,
    ).not.toBeNull();
  });

  it('publishes a half-yearly evaluation', async () => {
    const indicators = [
      { code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 50, measure: '统计部门提供的增长指数' },
      { code: 'REVIEWS', name: '好差评', kind: 'SERVICE_REVIEWS', weight: 50, measure: '好差评满意率' },
    ];
    await ok(`mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id } }`, who.office, {
      input: { period: '2026-H1', indicators, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] },
    });
    await ok(`mutation($input: IndicatorValueInput!) { setIndicatorValue(input: $input) { value } }`, who.office, {
      input: { period: '2026-H1', indicator: 'ECON', unitId: POLICE, value: 100, source: '统计局' },
    });
    clock.set('2026-07-06T10:00:00+08:00');
    const published = await ok(`mutation($p: String!) { publishEvaluation(period: $p) { status } }`, who.office, { p: '2026-H1' });
    expect(published.publishEvaluation.status).toBe('PUBLISHED');
  });
});
