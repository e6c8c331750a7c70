/**
 * 督导检查, the half-yearly evaluation, the board and its exports — through the gateway and straight
 * against the evaluations subgraph, on real PostgreSQL: tasks and milestones, quarterly reports on
 * time, late and missing; an evaluation defined, previewed live, published and frozen (the database
 * refuses changes too), explained input by input and recomputed from its frozen inputs to the same
 * numbers; grades public; the board in a constant number of statements per subgraph; the CSV (with
 * its byte-order mark) and the .xlsx (read back with exceljs) carrying the same figures.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors } from './support/doors.ts';
import { evalCallers as who } from './support/evaluations.ts';
import { boardExports } from '../gateway/exports.ts';
import { createGateway } from '../gateway/server.ts';
import { createAuthenticator } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { startHttpService, type RunningService } from '../platform/http.ts';
import { silentLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';

/** Ports the Fetch standard blocks (undici refuses them with "bad port"), those a test may listen on. */
const FETCH_REFUSED_PORTS = [6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080, 4045, 5060, 5061];

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
type Via = 'gateway' | 'evaluations subgraph';
const transports: Via[] = ['gateway', 'evaluations subgraph'];
const { send, ok } = doors(() => t, 'evaluations');
async function code(via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<string> {
  const response = await send(via, document, as, variables);
  expect(response.errors, `expected a refusal, got ${JSON.stringify(response.data)}`).toBeDefined();
  expect(response.errors![0]!.message).toMatch(/ \/ /);
  return response.errors![0]!.extensions!.code;
}

const POLICE = unitIdForCode('PUBLIC_SECURITY_BUREAU');
const TAX = unitIdForCode('TAXATION_BUREAU');
const JUSTICE = unitIdForCode('JUSTICE_BUREAU');
const COURT = unitIdForCode('INTERMEDIATE_PEOPLES_COURT');

const docs = {
  createTask: `mutation($input: CreateTaskInput!) { createTask(input: $input) { id kind unit { id } domain { code } dueOn milestones { id title dueOn doneAt late overdue } } }`,
  complete: `mutation($id: ID!, $note: String!) { completeTaskMilestone(id: $id, note: $note) { id doneAt late overdue task { id } } }`,
  overdue: `query { overdueTaskMilestones(first: 50) { totalCount edges { node { id title dueOn overdue task { unit { id } } } } } }`,
  tasks: `query($filter: TaskFilter) { tasks(filter: $filter, first: 50) { totalCount edges { node { id kind title unit { id } } } } }`,
  report: `mutation($input: QuarterlyReportInput!) { submitQuarterlyReport(input: $input) { id unit { id } quarter version submittedAt dueAt late } }`,
  status: `query($q: String!, $only: Boolean) { quarterlyReportStatus(quarter: $q, onlyProblems: $only) { unit { id } dueAt late missing firstReport { version late } latestReport { version } } }`,
  punctuality: `query($id: ID!, $p: PeriodInput) { unit(id: $id) { reportPunctuality(period: $p) } }`,
  createEvaluation: `mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id period from to status version indicators { code kind weight mandatory } gradingMethod gradeCutoffs minimumCoverage } }`,
  setValue: `mutation($input: IndicatorValueInput!) { setIndicatorValue(input: $input) { unit { id } indicator value source } }`,
  evaluation: `query($p: String!) { evaluation(period: $p) { id status publishedAt
      preview { unit { id } evaluated score rank grade preview coverage { ...coverage } inputs { indicator kind value source fetchedAt normalised weight contribution } }
      results { unit { id } evaluated score rank grade preview coverage { ...coverage } inputs { indicator kind value source fetchedAt normalised weight contribution } }
      recomputed { unit { id } evaluated score rank grade coverage { ...coverage } inputs { indicator value normalised contribution } }
      decisions { unit { id } kind text } } }
    fragment coverage on EvaluationCoverage { indicators indicatorsTotal weight missing { code mandatory } }`,
  publish: `mutation($p: String!) { publishEvaluation(period: $p) { id status publishedAt } }`,
  decide: `mutation($input: EvaluationDecisionInput!) { recordEvaluationDecision(input: $input) { id kind text unit { id } } }`,
  grade: `query($id: ID!, $p: String!) { unit(id: $id) { grade(period: $p) { evaluated score grade rank preview coverage { indicators weight missing { code } } } } }`,
  board: `query($p: String!, $dates: PeriodInput!) { board(period: $p) { unit { id code name issueStats(period: $dates) { received rectificationRate } policyStats(period: $dates) { approved disbursedCount } }
      domain { code } latestContestRank contestsAgain reviews reviewSatisfactionRate reportPunctuality score grade evaluated coverage { indicators indicatorsTotal weight missing { code } } preview } }`,
};

const H2 = '2026-H2';
const H2_DATES = { from: '2026-07-01', to: '2026-12-31' };
// Mandatory as the command office sets them here: economic operation and report punctuality.
const indicators = [
  { code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 30, measure: '统计部门提供的增长指数', mandatory: true },
  { code: 'REVIEWS', name: '好差评', kind: 'SERVICE_REVIEWS', weight: 20, measure: '好差评满意率', mandatory: false },
  { code: 'REPORTS', name: '季度报告', kind: 'REPORT_PUNCTUALITY', weight: 20, measure: '季度报告按时率', mandatory: true },
  { code: 'RECT', name: '问题整改', kind: 'RECTIFICATION', weight: 15, measure: '问题整改率', mandatory: false },
  { code: 'POLICY', name: '政策兑现', kind: 'POLICY_HONOURING', weight: 15, measure: '已兑现 ÷ 已批准', mandatory: false },
];

beforeAll(async () => {
  // No background workers: with the directory never cached, each slice's once-a-minute sweep asks the units subgraph for
  // it, and those statements would be counted against the board's (the statement tests below count requests only).
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0', OUTBOX_WORKER: 'false' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('tackling tasks and milestones', () => {
  let milestoneId: string;
  it.each(transports)(
    'lets a unit’s admin, its domain’s lead admin and the command office create tasks; refuses the rest (%s)',
    async (via) => {
      const input = (unitId: string) => ({
        unitId,
        title: `攻坚：一件事一次办 ${via}`,
        description: '高频事项集成办理',
        dueOn: '2026-12-31',
        milestones: [
          { title: '梳理清单', dueOn: '2026-06-30' },
          { title: '上线运行', dueOn: '2026-09-30' },
        ],
      });
      const own = (await ok(docs.createTask, who.policeAdmin, { input: input(POLICE) }, via)).createTask;
      expect(own).toMatchObject({ kind: 'TACKLING', unit: { id: POLICE }, domain: { code: 'POLITICS_LAW' } });
      expect(own.milestones.map((m: any) => m.dueOn)).toEqual(['2026-06-30', '2026-09-30']);
      if (via === 'gateway') milestoneId = own.milestones[0].id;
      await ok(docs.createTask, who.politicsLeadAdmin, { input: input(JUSTICE) }, via);
      await ok(docs.createTask, who.office, { input: input(TAX) }, via);
      expect(await code(via, docs.createTask, who.policeStaff, { input: input(POLICE) })).toBe('FORBIDDEN');
      expect(await code(via, docs.createTask, who.taxAdmin, { input: input(POLICE) })).toBe('FORBIDDEN');
      expect(await code(via, docs.createTask, who.anonymous, { input: input(POLICE) })).toBe('UNAUTHENTICATED');
      expect(
        await code(via, docs.createTask, who.policeAdmin, {
          input: { ...input(POLICE), milestones: [{ title: '晚了', dueOn: '2027-01-05' }] },
        }),
      ).toBe('BAD_USER_INPUT');
    },
  );

  it('lists tasks by scope and marks a milestone overdue, then done late, once', async () => {
    expect((await ok(docs.tasks, who.policeStaff)).tasks.edges.every((e: any) => e.node.unit?.id === POLICE || e.node.unit === null)).toBe(
      true,
    );
    expect((await ok(docs.tasks, who.office)).tasks.totalCount).toBe(6 + 2);
    // The plan's own dated duties are tasks of every unit: 3/31 方案备案 and 4/20 第一批自查问题清单.
    const duties = (await ok(docs.tasks, who.policeStaff, { filter: { kind: 'PLAN_DUTY' } })).tasks.edges.map((e: any) => e.node.title);
    expect(duties).toHaveLength(2);
    expect(duties.join()).toContain('自查问题清单');
    expect(await code('gateway', docs.tasks, who.enterprise)).toBe('FORBIDDEN');
    clock.set('2026-07-02T09:00:00+08:00');
    const overdue = (await ok(docs.overdue, who.office)).overdueTaskMilestones;
    expect(overdue.totalCount).toBe(6);
    expect((await ok(docs.overdue, who.policeStaff)).overdueTaskMilestones.totalCount).toBe(2);
    expect(await code('gateway', docs.complete, who.taxStaff, { id: milestoneId, note: '完成' })).toBe('NOT_FOUND');
    expect(await code('gateway', docs.complete, who.politicsLeadStaff, { id: milestoneId, note: '完成' })).toBe('FORBIDDEN');
    const done = (await ok(docs.complete, who.policeStaff, { id: milestoneId, note: '清单已梳理' })).completeTaskMilestone;
    expect(done).toMatchObject({ late: true, overdue: false });
    expect(await code('evaluations subgraph', docs.complete, who.policeStaff, { id: milestoneId, note: '再次' })).toBe(
      'INVALID_TRANSITION',
    );
    expect((await ok(docs.overdue, who.office)).overdueTaskMilestones.totalCount).toBe(5);
  });
});

describe('quarterly reports', () => {
  it('records reports on time, late and missing, judging punctuality on the first filing', async () => {
    clock.set('2026-07-05T10:00:00+08:00');
    const onTime = (await ok(docs.report, who.policeAdmin, { input: { quarter: '2026-Q2', content: '二季度攻坚进展' } }))
      .submitQuarterlyReport;
    expect(onTime).toMatchObject({ unit: { id: POLICE }, version: 1, late: false, dueAt: '2026-07-11T00:00:00+08:00' });
    expect(await code('gateway', docs.report, who.policeStaff, { input: { quarter: '2026-Q2', content: '内容' } })).toBe('FORBIDDEN');
    expect(
      await code('evaluations subgraph', docs.report, who.taxAdmin, { input: { unitId: POLICE, quarter: '2026-Q2', content: '内容' } }),
    ).toBe('FORBIDDEN');
    expect(await code('gateway', docs.report, who.policeAdmin, { input: { quarter: '2026-Q4', content: '未来' } })).toBe('BAD_USER_INPUT');
    expect(await code('gateway', docs.report, who.policeAdmin, { input: { quarter: '2026-Q5', content: '无此季度' } })).toBe(
      'BAD_USER_INPUT',
    );
    clock.set('2026-07-15T10:00:00+08:00');
    expect((await ok(docs.report, who.taxAdmin, { input: { quarter: '2026-Q2', content: '迟报' } })).submitQuarterlyReport.late).toBe(true);
    const correction = (await ok(docs.report, who.policeAdmin, { input: { quarter: '2026-Q2', content: '更正' } })).submitQuarterlyReport;
    expect(correction).toMatchObject({ version: 2, late: true });
    const status = (await ok(docs.status, who.office, { q: '2026-Q2' })).quarterlyReportStatus;
    const of = (id: string) => status.find((s: any) => s.unit.id === id);
    expect(of(POLICE)).toMatchObject({
      late: false,
      missing: false,
      firstReport: { version: 1, late: false },
      latestReport: { version: 2 },
    });
    expect(of(TAX)).toMatchObject({ late: true, missing: false });
    expect(of(JUSTICE)).toMatchObject({ late: false, missing: true, firstReport: null });
    const problems = (await ok(docs.status, who.office, { q: '2026-Q2', only: true })).quarterlyReportStatus
      .map((s: any) => s.unit.id)
      .sort();
    expect(problems).toEqual([TAX, JUSTICE].sort());
    expect((await ok(docs.status, who.policeStaff, { q: '2026-Q2' })).quarterlyReportStatus.map((s: any) => s.unit.id)).toEqual([POLICE]);
    const punctual = async (id: string) => (await ok(docs.punctuality, who.office, { id, p: H2_DATES })).unit.reportPunctuality;
    expect(await punctual(POLICE)).toBe(1);
    expect(await punctual(TAX)).toBe(0);
    expect(await punctual(JUSTICE)).toBe(0);
    expect(await code('gateway', docs.punctuality, who.taxStaff, { id: POLICE, p: H2_DATES })).toBe('FORBIDDEN');
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(db.execute(sql`update evaluations.quarterly_reports set late = false`)).rejects.toThrow();
  });
});

describe('the half-yearly evaluation', () => {
  it.each(transports)('is defined only by the command office, with weights summing to 100 (%s)', async (via) => {
    const input = { period: H2, indicators, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] };
    expect(await code(via, docs.createEvaluation, who.policeAdmin, { input })).toBe('FORBIDDEN');
    expect(await code(via, docs.createEvaluation, who.office, { input: { ...input, indicators: indicators.slice(1) } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(via, docs.createEvaluation, who.office, { input: { ...input, gradeCutoffs: [60, 75, 90] } })).toBe('BAD_USER_INPUT');
    expect(await code(via, docs.createEvaluation, who.office, { input: { ...input, period: '2026-H3' } })).toBe('BAD_USER_INPUT');
    const defined = (await ok(docs.createEvaluation, who.office, { input }, via)).createEvaluation;
    expect(defined).toMatchObject({ period: H2, from: '2026-07-01', to: '2026-12-31', status: 'DRAFT' });
  });

  it('marks indicators mandatory as the plan evaluates every unit unless the command office says otherwise, and keeps every definition', async () => {
    const unmarked = indicators.map(({ mandatory: _, ...indicator }) => indicator);
    const byDefault = (
      await ok(docs.createEvaluation, who.office, {
        input: { period: H2, indicators: unmarked, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] },
      })
    ).createEvaluation;
    expect(Object.fromEntries(byDefault.indicators.map((i: any) => [i.code, i.mandatory]))).toEqual({
      ECON: true,
      REVIEWS: false,
      REPORTS: true,
      RECT: true,
      POLICY: false,
    });
    expect(byDefault.minimumCoverage).toBe(0);
    const input = { period: H2, indicators, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] };
    expect(await code('gateway', docs.createEvaluation, who.office, { input: { ...input, minimumCoverage: 101 } })).toBe('BAD_USER_INPUT');
    const set = (await ok(docs.createEvaluation, who.office, { input })).createEvaluation;
    expect(set.indicators.filter((i: any) => i.mandatory).map((i: any) => i.code)).toEqual(['ECON', 'REPORTS']);
    const history = `query($p: String!) { evaluation(period: $p) { version minimumCoverage definitions { version minimumCoverage definedBy definedAt indicators { code mandatory } } } }`;
    const kept = (await ok(history, who.office, { p: H2 })).evaluation;
    expect(kept.definitions.at(-1)).toMatchObject({ version: kept.version, minimumCoverage: 0 });
    expect(kept.definitions.at(-2).indicators.find((i: any) => i.code === 'RECT').mandatory).toBe(true);
    expect(kept.definitions.at(-1).indicators.find((i: any) => i.code === 'RECT').mandatory).toBe(false);
    expect(kept.definitions.map((d: any) => d.version)).toEqual([...kept.definitions.keys()].map((k) => k + 1));
    expect(kept.definitions.every((d: any) => d.definedBy.length > 0)).toBe(true);
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(db.execute(sql`update evaluations.evaluation_definitions set minimum_coverage = 100`)).rejects.toThrow();
  });

  it('takes entered values only for entered indicators, from the command office', async () => {
    for (const [unitId, value] of [
      [POLICE, 120],
      [TAX, 80],
      [JUSTICE, 100],
    ] as const) {
      await ok(docs.setValue, who.office, { input: { period: H2, indicator: 'ECON', unitId, value: value - 1, source: '统计局初步数' } });
      await ok(docs.setValue, who.office, { input: { period: H2, indicator: 'ECON', unitId, value, source: '统计局正式数' } });
    }
    expect(
      await code('gateway', docs.setValue, who.office, {
        input: { period: H2, indicator: 'RECT', unitId: POLICE, value: 1, source: '手填' },
      }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await code('gateway', docs.setValue, who.office, {
        input: { period: H2, indicator: 'NOPE', unitId: POLICE, value: 1, source: '手填' },
      }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await code('evaluations subgraph', docs.setValue, who.policeAdmin, {
        input: { period: H2, indicator: 'ECON', unitId: POLICE, value: 999, source: '自报' },
      }),
    ).toBe('FORBIDDEN');
  });

  it('imports a whole table of values at once, or nothing when one row is wrong', async () => {
    const importValues = `mutation($input: IndicatorImportInput!) { importIndicatorValues(input: $input) { unit { id } indicator value source } }`;
    const rows = [POLICE, TAX, JUSTICE].map((unitId) => ({ unitId, value: 50 }));
    const table = (extra: Record<string, unknown>) => ({ input: { period: H2, indicator: 'ECON', source: '第三方调查', rows, ...extra } });
    const bad = [...rows.slice(0, 2), { unitId: '00000000-0000-4000-8000-000000000000', value: 1 }];
    const refused = await send('gateway', importValues, who.office, table({ rows: bad }));
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rows[2].unitId' });
    expect(await code('evaluations subgraph', importValues, who.policeAdmin, table({}))).toBe('FORBIDDEN');
    expect(await code('gateway', importValues, who.office, table({ indicator: 'RECT' }))).toBe('BAD_USER_INPUT');
    // Nothing of the refused tables was written: the preview still reads the last entered values.
    const econ = (await ok(docs.evaluation, who.office, { p: H2 })).evaluation.preview
      .find((r: any) => r.unit.id === POLICE)
      .inputs.find((i: any) => i.indicator === 'ECON');
    expect(econ.value).toBe(120);
    const imported = (
      await ok(
        importValues,
        who.office,
        table({ source: '统计局正式数（导入）', rows: rows.map((r, i) => ({ ...r, value: [120, 80, 100][i] })) }),
      )
    ).importIndicatorValues;
    expect(imported.map((v: any) => v.value)).toEqual([120, 80, 100]);
  });

  it('counts the reports of the half year’s own quarters, once they are due', async () => {
    clock.set('2026-10-09T10:00:00+08:00');
    await ok(docs.report, who.policeAdmin, { input: { quarter: '2026-Q3', content: '三季度攻坚进展' } });
    clock.set('2026-10-12T10:00:00+08:00');
    expect(
      (await ok(docs.report, who.taxAdmin, { input: { quarter: '2026-Q3', content: '三季度（迟报）' } })).submitQuarterlyReport.late,
    ).toBe(true);
    clock.set('2026-12-06T10:00:00+08:00');
    const row = async (id: string) =>
      (await ok(docs.evaluation, who.office, { p: H2 })).evaluation.preview.find((r: any) => r.unit.id === id);
    const reports = (await row(POLICE)).inputs.find((i: any) => i.indicator === 'REPORTS');
    // Q3 is due (10-10); Q4's report is not yet (2027-01-10); Q2's, due in July, is H1's.
    expect(reports).toMatchObject({ value: 1, normalised: 100 });
    expect(reports.source).toContain('2026-Q3, 2026-Q4');
    expect((await row(TAX)).inputs.find((i: any) => i.indicator === 'REPORTS').value).toBe(0);
  });

  let preview: any[];
  it('previews live for the command office only, explaining every input', async () => {
    // The court has an economic figure but no quarterly report to judge: 1 of 5 indicators, 30 of the weight.
    await ok(docs.setValue, who.office, { input: { period: H2, indicator: 'ECON', unitId: COURT, value: 100, source: '统计局正式数' } });
    const issues = t.platform.statements.issues!;
    issues.count = 0;
    const evaluation = (await ok(docs.evaluation, who.office, { p: H2 })).evaluation;
    expect(issues.count).toBeGreaterThan(0); // the rectification rates were asked of the issues subgraph
    expect(evaluation.results).toBeNull();
    preview = evaluation.preview;
    const row = (id: string) => preview.find((r: any) => r.unit.id === id);
    // ECON min–max over 80…120; report punctuality 1, 0, 0; nothing else has a value, so those weights are left out.
    expect(row(POLICE)).toMatchObject({
      evaluated: true,
      score: 100,
      rank: 1,
      grade: 'EXCELLENT',
      preview: true,
      coverage: { indicators: 2, indicatorsTotal: 5, weight: 50 },
    });
    expect(row(JUSTICE)).toMatchObject({ evaluated: true, score: 30, rank: 2, grade: 'POOR' });
    expect(row(TAX)).toMatchObject({ evaluated: true, score: 0, rank: 3, grade: 'POOR' });
    expect(row(POLICE).coverage.missing.map((m: any) => m.code)).toEqual(['REVIEWS', 'RECT', 'POLICY']);
    // No data, or a mandatory indicator missing: not evaluated — never 较差 with 0, never ranked.
    expect(row(COURT)).toMatchObject({
      evaluated: false,
      score: null,
      rank: null,
      grade: null,
      coverage: { indicators: 1, indicatorsTotal: 5, weight: 30 },
    });
    expect(row(COURT).coverage.missing).toContainEqual({ code: 'REPORTS', mandatory: true });
    expect(row(COURT).inputs.every((i: any) => i.contribution === 0)).toBe(true);
    const idle = preview.filter((r: any) => ![POLICE, JUSTICE, TAX, COURT].includes(r.unit.id));
    expect(
      idle.every(
        (r: any) =>
          r.evaluated === false && r.grade === null && r.score === null && r.coverage.weight === 0 && r.coverage.missing.length === 5,
      ),
    ).toBe(true);
    expect(preview.filter((r: any) => r.evaluated).map((r: any) => r.unit.id)).toEqual([POLICE, JUSTICE, TAX]);
    const econ = row(JUSTICE).inputs.find((i: any) => i.indicator === 'ECON');
    expect(econ).toMatchObject({ value: 100, normalised: 50, weight: 30, contribution: 30 });
    expect(econ.source).toContain('统计局正式数');
    const rect = row(POLICE).inputs.find((i: any) => i.indicator === 'RECT');
    expect(rect).toMatchObject({ value: null, normalised: null, contribution: 0 });
    expect(rect.source).toContain('issues');
    expect(preview.length).toBeGreaterThan(40);
    expect((await ok(docs.evaluation, who.policeAdmin, { p: H2 })).evaluation).toBeNull();
    expect((await ok(docs.evaluation, who.anonymous, { p: H2 })).evaluation).toBeNull();
  });

  it('refuses to publish a half year before it has ended and its reports are due, saying when; the preview stays', async () => {
    // 2026-12-06: the half year runs to 12-31 and its Q4 report is due at 24:00 of 2027-01-10.
    const defined = `query($p: String!) { evaluation(period: $p) { status version publishableAfter preview { unit { id } } } }`;
    const before = (await ok(defined, who.office, { p: H2 })).evaluation;
    expect(before.publishableAfter).toBe('2027-01-11T00:00:00+08:00');
    const refused = await send('gateway', docs.publish, who.office, { p: H2 });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_EARLY', possibleAfter: '2027-01-11T00:00:00+08:00' });
    expect(refused.errors![0]!.message).toContain('2027-01-11 00:00');
    expect(refused.errors![0]!.message).toMatch(/ \/ .*Beijing time/);
    // Nothing was frozen: still a draft with its live preview, and the command office may still redefine it.
    const after = (await ok(defined, who.office, { p: H2 })).evaluation;
    expect(after).toMatchObject({ status: 'DRAFT', version: before.version });
    expect(after.preview.length).toBeGreaterThan(40);
    const redefined = (
      await ok(docs.createEvaluation, who.office, {
        input: { period: H2, indicators, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] },
      })
    ).createEvaluation;
    expect(redefined).toMatchObject({ status: 'DRAFT', version: before.version + 1 });
    // Without report punctuality, the end of the half year is enough.
    const noReports = [{ code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 100, measure: '统计部门提供的增长指数' }];
    const other = `mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { publishableAfter } }`;
    expect(
      (
        await ok(other, who.office, {
          input: { period: '2025-H2', indicators: noReports, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] },
        })
      ).createEvaluation.publishableAfter,
    ).toBe('2026-01-01T00:00:00+08:00');
    // The Q4 reports come in; at the very instant they fall due it is still too early.
    clock.set('2027-01-05T10:00:00+08:00');
    await ok(docs.report, who.policeAdmin, { input: { quarter: '2026-Q4', content: '四季度攻坚进展' } });
    clock.set('2027-01-08T10:00:00+08:00');
    await ok(docs.report, who.taxAdmin, { input: { quarter: '2026-Q4', content: '四季度攻坚进展' } });
    clock.set('2027-01-11T00:00:00+08:00');
    expect(await code('evaluations subgraph', docs.publish, who.office, { p: H2 })).toBe('TOO_EARLY');
  });

  it.each(transports)('publishes once, by the command office only (%s)', async (via) => {
    clock.set('2027-01-11T09:00:00+08:00');
    if (via === 'evaluations subgraph') {
      expect(await code(via, docs.publish, who.policeAdmin, { p: H2 })).toBe('FORBIDDEN');
      expect(await code(via, docs.publish, who.office, { p: '2026-H1' })).toBe('INVALID_TRANSITION');
      return;
    }
    // What is frozen is what the preview shows at the moment of publication.
    preview = (await ok(docs.evaluation, who.office, { p: H2 })).evaluation.preview;
    expect(preview.find((r: any) => r.unit.id === TAX)).toMatchObject({ score: 20 }); // Q3 late, Q4 on time: 0.5 × 20 ÷ 50 weight present
    expect((await ok(docs.publish, who.office, { p: H2 }, via)).publishEvaluation.status).toBe('PUBLISHED');
    expect(await code(via, docs.publish, who.office, { p: H2 })).toBe('INVALID_TRANSITION');
  });

  it('freezes the result, shows it to everyone, and recomputes it to the same numbers', async () => {
    const published = (await ok(docs.evaluation, who.anonymous, { p: H2 })).evaluation;
    expect(published.status).toBe('PUBLISHED');
    expect(published.preview).toBeNull();
    expect(published.recomputed).toBeNull(); // the recomputation is the command office's
    const strip = (rows: any[]) => rows.map((r) => ({ unit: r.unit.id, score: r.score, rank: r.rank, grade: r.grade }));
    expect(new Map(strip(published.results).map((r) => [r.unit, r]))).toEqual(new Map(strip(preview).map((r) => [r.unit, r])));
    // An entered value names the unit that entered it, never the official's account (the token's subject).
    const officeSubject = 'test-command_office-user';
    expect(JSON.stringify(published.results)).not.toContain(officeSubject);
    expect(published.results.find((r: any) => r.unit.id === JUSTICE).inputs.find((i: any) => i.indicator === 'ECON').source).toMatch(
      /^entered by unit COMMAND_OFFICE .+ at .+: 统计局正式数/,
    );
    const gradeInputs = `query($id: ID!, $p: String!) { unit(id: $id) { grade(period: $p) { inputs { indicator source } } } }`;
    const justice = (await ok(gradeInputs, who.anonymous, { id: JUSTICE, p: H2 })).unit.grade.inputs;
    expect(justice.find((i: any) => i.indicator === 'ECON').source).toMatch(/^entered by unit COMMAND_OFFICE /);
    expect(JSON.stringify(justice)).not.toContain(officeSubject);
    const office = (await ok(docs.evaluation, who.office, { p: H2 })).evaluation;
    expect(strip(office.recomputed).sort((a, b) => a.unit.localeCompare(b.unit))).toEqual(
      strip(office.results).sort((a, b) => a.unit.localeCompare(b.unit)),
    );
    expect(office.recomputed.find((r: any) => r.unit.id === JUSTICE).inputs).toEqual(
      office.results
        .find((r: any) => r.unit.id === JUSTICE)
        .inputs.map((i: any) => ({ indicator: i.indicator, value: i.value, normalised: i.normalised, contribution: i.contribution })),
    );
    // Later changes to the inputs do not move a published result.
    clock.set('2027-01-12T10:00:00+08:00');
    await ok(docs.report, who.policeAdmin, { input: { quarter: '2026-Q4', content: '更正' } });
    expect(
      await code('gateway', docs.setValue, who.office, { input: { period: H2, indicator: 'ECON', unitId: TAX, value: 500, source: '改' } }),
    ).toBe('INVALID_TRANSITION');
    expect(
      await code('gateway', docs.createEvaluation, who.office, {
        input: { period: H2, indicators, gradingMethod: 'QUOTAS', gradeCutoffs: [0.2, 0.3, 0.3] },
      }),
    ).toBe('INVALID_TRANSITION');
    expect((await ok(docs.grade, who.anonymous, { id: POLICE, p: H2 })).unit.grade).toMatchObject({
      evaluated: true,
      score: 100,
      grade: 'EXCELLENT',
      preview: false,
    });
    const court = (await ok(docs.grade, who.anonymous, { id: COURT, p: H2 })).unit.grade;
    expect(court).toMatchObject({ evaluated: false, score: null, grade: null, rank: null, coverage: { indicators: 1, weight: 30 } });
    expect(court.coverage.missing.map((m: any) => m.code)).toContain('REPORTS');
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(db.execute(sql`update evaluations.evaluation_results set grade = 'EXCELLENT'`)).rejects.toThrow();
    await expect(db.execute(sql`update evaluations.evaluations set grade_cutoffs = '[0,0,0]'`)).rejects.toThrow();
  });

  it('gives quota grades by the number of evaluated units only, and leaves out a unit below the minimum coverage', async () => {
    // 2025-H2: two optional indicators; a unit needs 50 of the weight. Quotas 40% / 30% / 30% of the 3 evaluated units.
    const input = {
      period: '2025-H2',
      indicators: [
        { code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 60, measure: '统计部门提供的增长指数', mandatory: false },
        { code: 'MARKET', name: '市场主体满意度', kind: 'MARKET_SATISFACTION', weight: 40, measure: '第三方调查得分', mandatory: false },
      ],
      gradingMethod: 'QUOTAS',
      gradeCutoffs: [0.4, 0.3, 0.3],
      minimumCoverage: 50,
    };
    expect((await ok(docs.createEvaluation, who.office, { input })).createEvaluation).toMatchObject({ minimumCoverage: 50 });
    for (const [unitId, value] of [
      [POLICE, 120],
      [TAX, 80],
      [JUSTICE, 100],
    ] as const) {
      await ok(docs.setValue, who.office, { input: { period: '2025-H2', indicator: 'ECON', unitId, value, source: '统计局' } });
    }
    await ok(docs.setValue, who.office, {
      input: { period: '2025-H2', indicator: 'MARKET', unitId: COURT, value: 90, source: '第三方调查' },
    });
    expect((await ok(docs.publish, who.office, { p: '2025-H2' })).publishEvaluation.status).toBe('PUBLISHED');
    const results = (await ok(docs.evaluation, who.anonymous, { p: '2025-H2' })).evaluation.results;
    const of = (id: string) => results.find((r: any) => r.unit.id === id);
    // ⌊0.4 × 3⌋ = 1 优秀, ⌊0.7 × 3⌋ = 2 良好, ⌊1.0 × 3⌋ = 3 一般 — not shares of every unit in the city.
    expect([of(POLICE), of(JUSTICE), of(TAX)].map((r: any) => [r.rank, r.grade])).toEqual([
      [1, 'EXCELLENT'],
      [2, 'GOOD'],
      [3, 'FAIR'],
    ]);
    expect(of(COURT)).toMatchObject({
      evaluated: false,
      grade: null,
      coverage: { indicators: 1, indicatorsTotal: 2, weight: 40, missing: [{ code: 'ECON', mandatory: false }] },
    });
    expect(results.filter((r: any) => r.evaluated)).toHaveLength(3);
    expect(results.slice(0, 3).map((r: any) => r.unit.id)).toEqual([POLICE, JUSTICE, TAX]);
    const recomputed = (await ok(docs.evaluation, who.office, { p: '2025-H2' })).evaluation.recomputed;
    const strip = (rows: any[]) => rows.map((r) => [r.unit.id, r.evaluated, r.score, r.rank, r.grade]).sort();
    expect(strip(recomputed)).toEqual(strip(results));
    const db = t.database.handle.forSubgraph('evaluations').db;
    // The database itself keeps a not-evaluated result ungraded (and published results unchanged).
    await expect(
      db.execute(
        sql`insert into evaluations.evaluation_results (evaluation_id, unit_id, evaluated, score, rank, grade, inputs) select evaluation_id, gen_random_uuid(), false, 0, 99, 'POOR', inputs from evaluations.evaluation_results limit 1`,
      ),
    ).rejects.toThrow();
  });

  it.each(transports)('records commendations and accountability against published results, by the command office (%s)', async (via) => {
    const input = { period: H2, unitId: POLICE, kind: 'COMMENDATION', text: '通报表扬' };
    expect(await code(via, docs.decide, who.policeAdmin, { input })).toBe('FORBIDDEN');
    expect((await ok(docs.decide, who.office, { input }, via)).recordEvaluationDecision).toMatchObject({
      kind: 'COMMENDATION',
      unit: { id: POLICE },
    });
    expect(await code(via, docs.decide, who.office, { input: { ...input, unitId: unitIdForCode('COMMAND_OFFICE') } })).toBe(
      'BAD_USER_INPUT',
    );
    const decisions = (await ok(docs.evaluation, who.policeStaff, { p: H2 })).evaluation.decisions;
    expect(decisions.every((d: any) => d.unit.id === POLICE)).toBe(true);
    expect((await ok(docs.evaluation, who.taxStaff, { p: H2 })).evaluation.decisions).toEqual([]);
  });
});

describe('the board and its exports', () => {
  it('gives every evaluated unit one row, with a constant number of statements per subgraph', async () => {
    const { evaluations: ev, issues, policies } = t.platform.statements;
    // Each unit's code and name come with its row (@provides, from the evaluations subgraph's copy
    // of the directory): asking for them makes the gateway fetch nothing from the units subgraph; a
    // field only the units subgraph has (kind) makes it fetch. Counted as the gateway's fetches
    // (gateway_subgraph_fetches_total), not as the units subgraph's SQL statements: with the
    // directory never cached here (DIRECTORY_TTL_MS=0) each slice's own directory reads land on
    // that counter too, two or three per request by timing (14 or 21 statements, seen in CI).
    const unitsFetches = async (fields: string) => {
      const fetched = async () => {
        const text = await (await fetch(new URL('/metrics', t.gatewayUrl))).text();
        return text
          .split('\n')
          .filter((line) => line.startsWith('gateway_subgraph_fetches_total{') && line.includes('subgraph="units"'))
          .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      };
      const before = await fetched();
      await ok(`{ board(period: "${H2}") { unit { ${fields} } } }`, who.office);
      return (await fetched()) - before;
    };
    expect(await unitsFetches('id')).toBe(0);
    expect(await unitsFetches('id code name')).toBe(0);
    expect(await unitsFetches('id kind')).toBeGreaterThan(0);
    for (const counter of [ev!, issues!, policies!]) counter.count = 0;
    const board = (await ok(docs.board, who.office, { p: H2, dates: H2_DATES })).board;
    expect(board.length).toBeGreaterThan(40);
    const police = board.find((r: any) => r.unit.id === POLICE);
    expect(police).toMatchObject({
      unit: { code: 'PUBLIC_SECURITY_BUREAU', name: '市公安局' },
      domain: { code: 'POLITICS_LAW' },
      reportPunctuality: 1,
      score: 100,
      grade: 'EXCELLENT',
      preview: false,
      reviews: 0,
    });
    expect(police.unit.issueStats).toMatchObject({ received: 0 });
    // The half year's own quarters: Q3 late, Q4 on time.
    expect(board.find((r: any) => r.unit.id === TAX)).toMatchObject({ reportPunctuality: 0.5, score: 20, grade: 'POOR', evaluated: true });
    expect(board.find((r: any) => r.unit.id === COURT)).toMatchObject({
      score: null,
      grade: null,
      evaluated: false,
      coverage: { indicators: 1, indicatorsTotal: 5, weight: 30 },
    });
    expect(board.filter((r: any) => r.evaluated).length).toBe(3);
    expect(ev!.count).toBeLessThanOrEqual(8);
    // issueStats (4), and the plan duties due in the half year asked once for every unit (#26: 2).
    expect(issues!.count).toBeLessThanOrEqual(6);
    expect(policies!.count).toBeLessThanOrEqual(8);
    expect(await code('gateway', docs.board, who.policeAdmin, { p: H2, dates: H2_DATES })).toBe('FORBIDDEN');
    expect(await code('evaluations subgraph', `query { board(period: "${H2}") { score } }`, who.anonymous)).toBe('UNAUTHENTICATED');
    // A half year not yet defined: a live board without scores.
    const h1 = (await ok(docs.board, who.office, { p: '2026-H1', dates: { from: '2026-01-01', to: '2026-06-30' } })).board;
    expect(h1.every((r: any) => r.score === null && r.grade === null && r.evaluated === null && r.coverage === null)).toBe(true);
  });

  const get = async (path: string, as?: Caller) => {
    const token = as ? await t.tokenFor(as) : undefined;
    return fetch(new URL(path, t.gatewayUrl), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  };

  it('exports the board as CSV with a byte-order mark, the same figures as the query', async () => {
    const response = await get(`/exports/board.csv?period=${H2}`, who.office);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain('board-2026-H2.csv');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    // The table follows the header block (the period, when made, the definitions: test/board-files.e2e.ts).
    const all = text.trimEnd().split('\r\n');
    const lines = all.slice(all.findIndex((line) => line.startsWith('排名,单位代码,')));
    const board = (await ok(docs.board, who.office, { p: H2, dates: H2_DATES })).board;
    expect(lines).toHaveLength(board.length + 1);
    expect(lines[0]!.split(',')).toContain('综合得分');
    const headers = lines[0]!.split(',');
    const column = (line: string, header: string) => line.split(',')[headers.indexOf(header)];
    const police = lines.find((line) => column(line, '单位代码') === 'PUBLIC_SECURITY_BUREAU')!;
    expect(police).toContain('市公安局');
    expect(column(police, '综合得分')).toBe('100');
    expect(column(police, '等次')).toBe('优秀');
    expect(column(police, '参评依据')).toBe('2/5 项指标，权重 50%');
    // A unit without the data is 未参评, with what it lacks — not an empty score next to 较差.
    const court = lines.find((line) => column(line, '单位代码') === 'INTERMEDIATE_PEOPLES_COURT')!;
    expect(column(court, '综合得分')).toBe('');
    expect(column(court, '等次')).toBe('未参评');
    expect(column(court, '缺少的指标')).toContain('季度报告（必备）');
    expect(lines.filter((line) => line.split(',')[headers.indexOf('等次')] === '较差')).toHaveLength(2);
  });

  it('exports the board as an .xlsx that exceljs reads back with the same values', async () => {
    const response = await get(`/exports/board.xlsx?period=${H2}`, who.office);
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as any);
    const sheet = workbook.getWorksheet('看板')!;
    const board = (await ok(docs.board, who.office, { p: H2, dates: H2_DATES })).board;
    expect(sheet.rowCount).toBe(board.length + 1);
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 2)).toEqual(['排名', '单位代码']);
    const col = (name: string) => headers.indexOf(name) + 1;
    let found = 0;
    sheet.eachRow((row, index) => {
      if (index === 1) return;
      const codeValue = row.getCell(col('单位代码')).value;
      const expected = board.find((r: any) => r.unit.code === codeValue);
      expect(expected).toBeDefined();
      expect(row.getCell(col('综合得分')).value ?? null).toBe(expected.score);
      expect(row.getCell(col('季度报告按时率')).value ?? null).toBe(expected.reportPunctuality);
      expect(row.getCell(col('等次')).value).toBe(
        expected.evaluated ? { EXCELLENT: '优秀', GOOD: '良好', FAIR: '一般', POOR: '较差' }[expected.grade as string] : '未参评',
      );
      found++;
    });
    expect(found).toBe(board.length);
  });

  it('refuses exports to anyone but the command office, and a malformed period, with coded errors', async () => {
    const body = async (response: Response) => ((await response.json()) as any).errors[0].extensions.code;
    let response = await get(`/exports/board.csv?period=${H2}`);
    expect(response.status).toBe(401);
    expect(await body(response)).toBe('UNAUTHENTICATED');
    response = await get(`/exports/board.xlsx?period=${H2}`, who.policeAdmin);
    expect(response.status).toBe(403);
    expect(await body(response)).toBe('FORBIDDEN');
    response = await get(`/exports/board.csv?period=2026-Q1`, who.office);
    expect(response.status).toBe(400);
    expect(await body(response)).toBe('BAD_USER_INPUT');
    response = await fetch(new URL(`/exports/board.csv?period=${H2}`, t.gatewayUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.tokenFor(who.office)}` },
    });
    expect(response.status).toBe(405);
  });

  it('exports the board from a gateway on a port Node’s fetch refuses (6000, as with PORT_OFFSET=2000): built in-process', async () => {
    // The gateway once fetched its own GraphQL endpoint to build the file, and fetch refuses 6000
    // and the other "bad ports" outright: every export was a 503.
    const env = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices);
    const authenticator = createAuthenticator(env.auth);
    const subgraphUrls = Object.fromEntries(Object.entries(t.platform.subgraphs).map(([name, service]) => [name, `${service.url}graphql`]));
    let gateway: RunningService | undefined;
    for (const port of FETCH_REFUSED_PORTS) {
      try {
        const service = createGateway({ authenticator, subgraphUrls, limits: env.limits, introspection: false, logger: silentLogger });
        gateway = await startHttpService({
          service,
          port,
          host: '127.0.0.1',
          limits: env.limits,
          routes: [boardExports({ authenticator, gateway: service })],
          logger: silentLogger,
        });
        break;
      } catch {
        // taken on this machine: the next port fetch refuses
      }
    }
    expect(gateway, 'no port fetch refuses was free').toBeDefined();
    try {
      await expect(fetch(`http://127.0.0.1:${gateway!.port}/health`)).rejects.toThrow();
      const token = await t.tokenFor(who.office);
      const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get(
            {
              host: '127.0.0.1',
              port: gateway!.port,
              path: `/exports/board.csv?period=${H2}`,
              headers: { authorization: `Bearer ${token}` },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            },
          )
          .on('error', reject);
      });
      expect(response.status, response.body.slice(0, 300)).toBe(200);
      const board = (await ok(docs.board, who.office, { p: H2, dates: H2_DATES })).board;
      const lines = response.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines.slice(lines.findIndex((line) => line.startsWith('排名,单位代码,')))).toHaveLength(board.length + 1);
      expect(response.body).toContain(',PUBLIC_SECURITY_BUREAU,');
    } finally {
      await gateway?.close();
    }
  });
});
