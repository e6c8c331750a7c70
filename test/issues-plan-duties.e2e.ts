/**
 * The plan's dated duties per unit (issue #26 §1), on real PostgreSQL, through the gateway and
 * directly against the issues subgraph: every unit the plan names is expected to file (方案备案 by
 * 3/31, 自查问题清单 by 4/20, and the batches the command office declares); a unit's admin files
 * its part, and a self-check list's problems become SELF_INSPECTION issues in the same step; late
 * and missing filings are listed per unit and counted in the evaluation's punctuality indicator
 * (the board shows it). Every role allowed and refused; a refused write changes nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors, codeOf } from './support/doors.ts';
import { HOUR, TestClock } from './support/clock.ts';
import { requestId, unit } from './support/issues.ts';

const clock = new TestClock('2026-12-01T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

type Via = 'gateway' | 'issues subgraph';
const office: Caller = 'COMMAND_OFFICE';
const adminOf = (code: string) => ({ role: 'UNIT_ADMIN', unit: code }) as const satisfies Caller;
const policeAdmin = adminOf('PUBLIC_SECURITY_BUREAU');
const policeStaff = { role: 'UNIT_STAFF', unit: 'PUBLIC_SECURITY_BUREAU' } as const satisfies Caller;
const drcAdmin = adminOf('DEVELOPMENT_REFORM_COMMISSION');
const taxAdmin = adminOf('TAXATION_BUREAU');
const jimoAdmin = adminOf('JIMO_DISTRICT');
const zoneAdmin = { role: 'UNIT_ADMIN', unitId: unit('WEST_COAST_NEW_AREA') } as const satisfies Caller;
const enterprise = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370215', 61) } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const POLICE = unit('PUBLIC_SECURITY_BUREAU');
const DRC = unit('DEVELOPMENT_REFORM_COMMISSION');
const TAX = unit('TAXATION_BUREAU');
/** 10 lead, 4 responsible and 35 participating units, and the 10 districts. */
const PLAN_UNITS = 59;

const FILING = `id version documentReference late filedAt dueAt unit { id } duty { code kind }
  issues { id source status title proposedUnit { id } planDutyFiling { id } }`;
const docs = {
  declare: `mutation($input: DeclarePlanDutyInput!) { declarePlanDuty(input: $input) { code kind title dueOn dueAt expected missing } }`,
  file: `mutation($input: FilePlanDutyInput!) { filePlanDuty(input: $input) { ${FILING} } }`,
  duties: `{ planDuties { code kind dueOn expected onTime late missing } }`,
  duty: `query($code: ID!, $only: Boolean) { planDuty(code: $code) { code expected onTime late missing
    units(onlyProblems: $only) { unit { id } late missing firstFiling { id late } latestFiling { id version } } } }`,
  figures: `query($id: ID!, $p: PeriodInput) { unit(id: $id) { planDutyFigures(period: $p) { expected onTime late missing } } }`,
  board: `query($p: String!) { board(period: $p) { unit { id } reportPunctuality } }`,
};

const { send, ok } = doors(() => t, 'issues');
async function counts() {
  const db = t.database.handle.forSubgraph('issues').db;
  const [row] = rowsOf<{ issues: number; filings: number; duties: number }>(
    await db.execute(sql`select (select count(*)::int from issues.issues) as issues,
      (select count(*)::int from issues.plan_duty_filings) as filings, (select count(*)::int from issues.plan_duties) as duties`),
  );
  return row;
}

const problems = [
  {
    environment: 'SERVICE',
    title: '户籍窗口午间不办理业务',
    description: '群众反映午休时段窗口停办，需延时服务',
    responsibleLeader: '张副局长',
  },
  { environment: 'RULE_OF_LAW', title: '涉企行政执法检查频次偏高', description: '部分企业一季度内被多次检查', districtCode: '370215' },
];
let secondList: string;

describe('the plan names its duties and the units they are expected from', () => {
  it('ships the plan’s own duties (方案备案 3/31, 自查问题清单 4/20), expected from every named unit and now missing', async () => {
    const { planDuties } = await ok(docs.duties, office);
    expect(planDuties.slice(0, 2)).toEqual([
      {
        code: 'MOBILIZE:2023-03-31',
        kind: 'PLAN_DOCUMENT',
        dueOn: '2023-03-31',
        expected: PLAN_UNITS,
        onTime: 0,
        late: 0,
        missing: PLAN_UNITS,
      },
      {
        code: 'FIND_PROBLEMS:2023-04-20',
        kind: 'SELF_CHECK_LIST',
        dueOn: '2023-04-20',
        expected: PLAN_UNITS,
        onTime: 0,
        late: 0,
        missing: PLAN_UNITS,
      },
    ]);
  });

  it.each<Via>(['gateway', 'issues subgraph'])('lets only the command office declare a further batch (%s)', async (via) => {
    const before = await counts();
    const input = { kind: 'SELF_CHECK_LIST', title: '第二批自查问题清单', dueOn: '2026-12-04' };
    for (const [as, code] of [
      [policeAdmin, 'FORBIDDEN'],
      [enterprise, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(codeOf(await send(via, docs.declare, as, { input }))).toBe(code);
    }
    expect(codeOf(await send(via, docs.declare, office, { input: { ...input, dueOn: '2026-02-30' } }))).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
    if (via !== 'gateway') return;
    const declared = (await ok(docs.declare, office, { input })).declarePlanDuty;
    expect(declared).toMatchObject({
      code: 'SELF_CHECK_LIST:2026-12-04:1',
      dueAt: '2026-12-05T00:00:00+08:00',
      expected: PLAN_UNITS,
      missing: 0,
    });
    secondList = declared.code;
  });
});

describe('a unit files its part', () => {
  it('turns a self-check list’s problems into SELF_INSPECTION issues of the unit, in the same step, once per request', async () => {
    const before = await counts();
    const input = { clientRequestId: requestId('list'), dutyCode: secondList, documentReference: '青公发〔2026〕18号', problems };
    const filed = (await ok(docs.file, policeAdmin, { input })).filePlanDuty;
    expect(filed).toMatchObject({ version: 1, late: false, unit: { id: POLICE }, duty: { code: secondList, kind: 'SELF_CHECK_LIST' } });
    expect(filed.issues).toHaveLength(2);
    for (const issue of filed.issues) {
      expect(issue).toMatchObject({
        source: 'SELF_INSPECTION',
        status: 'SUBMITTED',
        proposedUnit: { id: POLICE },
        planDutyFiling: { id: filed.id },
      });
    }
    expect(filed.issues.map((i: any) => i.title)).toEqual(problems.map((p) => p.title));
    // A retry returns the first filing and adds nothing; the same id for other content is a conflict.
    expect((await ok(docs.file, policeAdmin, { input })).filePlanDuty.id).toBe(filed.id);
    expect(codeOf(await t.query(docs.file, { as: policeAdmin, variables: { input: { ...input, documentReference: '另一份' } } }))).toBe(
      'CONFLICT',
    );
    expect(await counts()).toMatchObject({ issues: before!.issues + 2, filings: before!.filings + 1 });
    // The command office sees the new issues waiting for intake, linked to the filing.
    const seen = await ok(`query($id: ID!) { issue(id: $id) { source planDutyFiling { id documentReference unit { id } } } }`, office, {
      id: filed.issues[0].id,
    });
    expect(seen.issue).toEqual({
      source: 'SELF_INSPECTION',
      planDutyFiling: { id: filed.id, documentReference: '青公发〔2026〕18号', unit: { id: POLICE } },
    });
  });

  it.each<Via>(['gateway', 'issues subgraph'])('is refused to everyone but a named unit’s admin, changing nothing (%s)', async (via) => {
    const before = await counts();
    const input = () => ({ clientRequestId: requestId('refused'), dutyCode: secondList, documentReference: '文号', problems });
    for (const [as, code] of [
      [policeStaff, 'FORBIDDEN'],
      [zoneAdmin, 'FORBIDDEN'], // a function zone is not named by the plan
      [office, 'FORBIDDEN'], // the command office receives the filings
      [enterprise, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(codeOf(await send(via, docs.file, as, { input: input() })), JSON.stringify(as)).toBe(code);
    }
    expect(codeOf(await send(via, docs.file, taxAdmin, { input: { ...input(), dutyCode: 'NO:SUCH' } }))).toBe('NOT_FOUND');
    // A plan document lists no problems; a problem needs a real district.
    expect(codeOf(await send(via, docs.file, taxAdmin, { input: { ...input(), dutyCode: 'MOBILIZE:2023-03-31' } }))).toBe('BAD_USER_INPUT');
    const badDistrict = [{ ...problems[0], districtCode: '999999' }];
    expect(codeOf(await send(via, docs.file, taxAdmin, { input: { ...input(), problems: badDistrict } }))).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('judges a filing after 24:00 of the due day late, for good; a correction is a new version', async () => {
    // The 2023 plan document, filed directly against the subgraph years late.
    const old = await ok(
      docs.file,
      taxAdmin,
      { input: { clientRequestId: requestId('doc'), dutyCode: 'MOBILIZE:2023-03-31', documentReference: '青税发〔2023〕1号' } },
      'issues subgraph',
    );
    expect(old.filePlanDuty).toMatchObject({ version: 1, late: true, issues: [] });
    clock.set('2026-12-05T00:00:01+08:00');
    const late = (
      await ok(docs.file, drcAdmin, {
        input: { clientRequestId: requestId('late'), dutyCode: secondList, documentReference: '青发改〔2026〕9号', problems: [] },
      })
    ).filePlanDuty;
    expect(late).toMatchObject({ version: 1, late: true, dueAt: '2026-12-05T00:00:00+08:00' });
    clock.advance(24 * HOUR);
    const corrected = (
      await ok(docs.file, policeAdmin, {
        input: { clientRequestId: requestId('fix'), dutyCode: secondList, documentReference: '青公发〔2026〕18号（更正）' },
      })
    ).filePlanDuty;
    expect(corrected).toMatchObject({ version: 2, late: true });
    const db = t.database.handle.forSubgraph('issues').db;
    await expect(db.execute(sql`update issues.plan_duty_filings set late = false`)).rejects.toThrow();
  });
});

describe('late and missing filings, where the command office looks', () => {
  it('lists each unit on time, late or missing — the command office every named unit, a unit its own', async () => {
    const { planDuty } = await ok(docs.duty, office, { code: secondList, only: true });
    expect(planDuty).toMatchObject({ expected: PLAN_UNITS, onTime: 1, late: 1, missing: PLAN_UNITS - 2 });
    // The police filed on time (its correction later does not change that): not a problem.
    expect(planDuty.units.find((u: any) => u.unit.id === POLICE)).toBeUndefined();
    expect(planDuty.units.find((u: any) => u.unit.id === DRC)).toMatchObject({ late: true, missing: false });
    expect(planDuty.units.find((u: any) => u.unit.id === TAX)).toMatchObject({ late: false, missing: true, firstFiling: null });
    expect(planDuty.units).toHaveLength(PLAN_UNITS - 1);

    const own = (await ok(docs.duty, policeAdmin, { code: secondList, only: false })).planDuty;
    expect(own).toMatchObject({ expected: 1, onTime: 1, late: 0, missing: 0 });
    expect(own.units).toEqual([
      {
        unit: { id: POLICE },
        late: false,
        missing: false,
        firstFiling: { id: expect.any(String), late: false },
        latestFiling: { id: expect.any(String), version: 2 },
      },
    ]);
    expect((await ok(docs.duty, jimoAdmin, { code: secondList })).planDuty).toMatchObject({ expected: 1, missing: 1 });
    expect(codeOf(await t.query(docs.duties, { as: enterprise }))).toBe('FORBIDDEN');
    expect(codeOf(await t.query(docs.duties, { as: observer }))).toBe('FORBIDDEN');
    expect(codeOf(await t.querySubgraph('issues', docs.duties, { as: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
  });

  it('counts each unit’s duties due in a period, for whoever may read the unit', async () => {
    const p = { from: '2026-07-01', to: '2026-12-31' };
    const figures = async (id: string, as: Caller = office) => (await ok(docs.figures, as, { id, p })).unit.planDutyFigures;
    expect(await figures(POLICE)).toEqual({ expected: 1, onTime: 1, late: 0, missing: 0 });
    expect(await figures(DRC)).toEqual({ expected: 1, onTime: 0, late: 1, missing: 0 });
    expect(await figures(TAX)).toEqual({ expected: 1, onTime: 0, late: 0, missing: 1 });
    expect(await figures(POLICE, policeStaff)).toEqual({ expected: 1, onTime: 1, late: 0, missing: 0 });
    // All time: the 2023 duties too (the tax bureau's plan document late, its self-check list missing).
    const all = (await ok(`query($id: ID!) { unit(id: $id) { planDutyFigures { expected onTime late missing } } }`, office, { id: TAX }))
      .unit;
    expect(all.planDutyFigures).toEqual({ expected: 3, onTime: 0, late: 1, missing: 2 });
    expect(codeOf(await t.query(docs.figures, { as: policeStaff, variables: { id: DRC, p } }))).toBe('FORBIDDEN');
    expect(codeOf(await t.query(docs.figures, { as: enterprise, variables: { id: DRC, p } }))).toBe('FORBIDDEN');
  });

  it('counts them in report punctuality on the board and in the evaluation’s indicator', async () => {
    const board = (await ok(docs.board, office, { p: '2026-H2' })).board;
    const punctualityOf = (id: string) => board.find((r: any) => r.unit.id === id).reportPunctuality;
    // No tackling task, so no quarterly report was expected: the duty alone decides.
    expect([punctualityOf(POLICE), punctualityOf(DRC), punctualityOf(TAX)]).toEqual([1, 0, 0]);
    const indicators = [
      { code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 80, measure: '增长指数', mandatory: false },
      { code: 'REPORTS', name: '按时报送', kind: 'REPORT_PUNCTUALITY', weight: 20, measure: '季度报告和方案职责按时率', mandatory: true },
    ];
    await ok(`mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id } }`, office, {
      input: { period: '2026-H2', indicators, gradingMethod: 'THRESHOLDS', gradeCutoffs: [90, 75, 60] },
    });
    const { evaluation } = await ok(
      `{ evaluation(period: "2026-H2") { preview { unit { id } inputs { indicator value source } } } }`,
      office,
    );
    const reports = (id: string) =>
      evaluation.preview.find((r: any) => r.unit.id === id).inputs.find((i: any) => i.indicator === 'REPORTS');
    expect(reports(POLICE)).toMatchObject({ value: 1 });
    expect(reports(DRC).value).toBe(0);
    // The missing unit too: a duty not filed counts against it, in the evaluation as on the board.
    expect(reports(TAX).value).toBe(0);
    expect(reports(POLICE).source).toContain('planDutyFigures');
    expect(reports(TAX).source).toContain('planDutyFigures');
  });
});
