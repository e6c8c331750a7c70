/**
 * The platform starts on any date, sample data and all, whether or not the working-day calendar
 * has the year (issue #20: from 2026-12-28 the policies sample data reached 2027, which the shipped
 * calendar lacks, and `npm start` died). The clock is injected (the platform's one clock, as every
 * e2e test does); test/start-paths.test.ts runs the real `npm start` under faketime as well.
 *
 * Where a limit runs through 2027 it is provisional in every slice (weekends the only days off),
 * /ready and the start log say so without failing, and entering the year recomputes it everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { expectKeptEqualsRebuild } from './support/database.ts';
import { expectKeptFiguresRebuildable } from './support/issues.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const SLICES_COUNTING_WORKING_DAYS = ['issues', 'policies', 'evaluations'];
const DAY = 86_400_000;
/** The units every plan duty expects: 10 lead, 4 responsible and 35 participating units, and the 10 districts. */
const PLAN_UNITS = 59;
const team = (code: string, planned: number, reports: number) => ({
  team: code,
  plannedMembers: planned,
  activeMembers: 1,
  reportsFiled: reports,
  issuesAccepted: reports,
  issuesRectified: 0,
});

/** 2027 as a test enters it (the State Council's notice is not out yet): New Year's Day off. */
const YEAR_2027 = { year: 2027, notice: '2027 年部分节假日安排（测试数据）', off: ['2027-01-01'], workdays: [] as string[] };

async function startAt(at: string, lines: Record<string, unknown>[]): Promise<TestPlatform> {
  const clock = new TestClock(at);
  return startTestPlatform({
    now: clock.now,
    // A calendar copy is never trusted for long here: entering the year shows at the next request.
    env: { LOAD_SAMPLE_DATA: 'true', DIRECTORY_TTL_MS: '0' },
    logger: createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }),
  });
}

async function ready(t: TestPlatform): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${t.gatewayUrl}ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

async function ok(t: TestPlatform, document: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await t.query(document, { as: 'COMMAND_OFFICE', variables });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

const PROVISIONAL = /* GraphQL */ `
  {
    issues(first: 50) {
      totalCount
      edges {
        node {
          deadlines {
            dueAt
            provisional
            provisionalUntilYear
            workingDays
            hours
          }
        }
      }
    }
    applications(first: 100) {
      totalCount
      edges {
        node {
          id
          status
          provisional
          provisionalUntilYear
          reviewDueAt
          paymentDueAt
          publicNotice {
            endsOn
            provisional
          }
          objections {
            answerDueAt
            provisional
          }
        }
      }
    }
    serviceReviews(first: 50) {
      totalCount
      edges {
        node {
          id
          unit {
            id
          }
          reviewedAt
          provisional
          pendingCalendarYear
          answerDueAt
          rectifyDueAt
        }
      }
    }
  }
`;

describe.each(['2026-12-28T09:00:00+08:00', '2027-01-04T09:00:00+08:00', '2027-06-30T09:00:00+08:00'])(
  'a fresh start with sample data on %s, 2027 not in the calendar',
  (at) => {
    let t: TestPlatform;
    const lines: Record<string, unknown>[] = [];
    beforeAll(async () => {
      t = await startAt(at, lines);
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('starts, with every slice’s sample data loaded', async () => {
      const data = await ok(t, PROVISIONAL);
      // The ten sample issues, the two problems 市公安局's sample self-check filing turned into issues (plan duties, #26),
      // the problem 市税务局's principal found in a hall and the sample project's obstacle (#26 §2, §3),
      // and the duplicate pair waiting for intake (多头反映, #26 §7).
      expect(data.issues.totalCount).toBe(16);
      expect(data.applications.totalCount).toBeGreaterThan(10);
      expect(data.serviceReviews.totalCount).toBe(9);
      // The plan's records near today: 市税务局's principal served this quarter (two days ago), 市商务局's has not;
      // the enterprise point was last visited 40 days ago, the project point yesterday; its first 包保 leader left
      // 50 days ago and handed it to the other deputy.
      const records = await ok(
        t,
        `{ hallDuty { served notServed { id } } signedProjects { totalCount edges { node { sample daysSinceSigning } } }
          monitoringPoints(filter: { unvisitedOnly: true }) { totalCount edges { node { kind sample leader { name } } } }
          unitLeaders(unitId: "${unitIdForCode('COMMERCE_BUREAU')}", inPost: false) {
            name departure { reason successor { name } pointsHandedOver } } }`,
      );
      expect(records.unitLeaders).toEqual([
        {
          name: '孙副局长（样例）',
          departure: { reason: '调任市发展改革委（样例）', successor: { name: '周副局长（样例）' }, pointsHandedOver: 1 },
        },
      ]);
      expect(records.hallDuty.served).toBe(1);
      expect(records.hallDuty.notServed.map((u: { id: string }) => u.id)).toContain(unitIdForCode('COMMERCE_BUREAU'));
      expect(records.signedProjects.edges).toEqual([{ node: { sample: true, daysSinceSigning: 500 } }]);
      expect(records.monitoringPoints.edges).toEqual([
        { node: { kind: 'ENTERPRISE', sample: true, leader: { name: '周副局长（样例）' } } },
      ]);
    });

    it('shows the sample’s plan duties, observer teams and surveys where the command office looks, dated from the start', async () => {
      // The start is at 09:00 Beijing: its date is the sample's today.
      const day = (offset: number) => new Date(Date.parse(`${at.slice(0, 10)}T00:00:00Z`) + offset * DAY).toISOString().slice(0, 10);
      const beijing = (offset: number, time: string) => `${day(offset)}T${time}:00+08:00`;
      const data = await ok(
        t,
        `{ planDuties { title kind dueOn dueAt expected onTime late missing
             units { unit { id } late missing firstFiling { filedAt late documentReference issues { source status } } } }
           observerTeams { team plannedMembers activeMembers reportsFiled issuesAccepted issuesRectified }
           observerReports { totalCount edges { node { team reportedAt membership { name } issue { source } } } }
           surveys(first: 10) { totalCount edges { node { title audience subject unit { id } opensAt closesAt state
             results { responses averageRating } } } } }`,
      );
      const period = { from: day(-45), to: day(0) };
      const recent = await ok(t, `query($p: PeriodInput) { observerTeams(period: $p) { team reportsFiled } }`, {
        p: { ...period, from: day(-44) },
      });
      const since = await ok(t, `query($p: PeriodInput) { observerTeams(period: $p) { team reportsFiled } }`, { p: period });

      // Plan duties: the second self-check list, due three days ago — 市公安局 filed on time (five days
      // ago, its two problems now SELF_INSPECTION issues waiting for intake), 市发展改革委 late (yesterday),
      // every other unit the plan names missing; the plan document, due in ten days, filed by 市行政审批局.
      const duty = (title: string) => data.planDuties.find((d: { title: string }) => d.title === title);
      const statusOf = (d: any, code: string) => d.units.find((u: any) => u.unit.id === unitIdForCode(code));
      const list = duty('第二批自查问题清单（样例）');
      expect(list).toMatchObject({
        kind: 'SELF_CHECK_LIST',
        dueOn: day(-3),
        dueAt: beijing(-2, '00:00'),
        expected: PLAN_UNITS,
        onTime: 1,
        late: 1,
        missing: PLAN_UNITS - 2,
      });
      expect(statusOf(list, 'PUBLIC_SECURITY_BUREAU')).toMatchObject({
        late: false,
        missing: false,
        firstFiling: {
          filedAt: beijing(-5, '15:00'),
          late: false,
          issues: [
            { source: 'SELF_INSPECTION', status: 'SUBMITTED' },
            { source: 'SELF_INSPECTION', status: 'SUBMITTED' },
          ],
        },
      });
      expect(statusOf(list, 'DEVELOPMENT_REFORM_COMMISSION')).toMatchObject({
        late: true,
        missing: false,
        firstFiling: { filedAt: beijing(-1, '10:00'), late: true, issues: [] },
      });
      expect(statusOf(list, 'TAXATION_BUREAU')).toMatchObject({ late: false, missing: true, firstFiling: null });
      const document = duty('下一阶段专项行动方案备案（样例）');
      expect(document).toMatchObject({ kind: 'PLAN_DOCUMENT', dueOn: day(10), onTime: 1, late: 0, missing: 0 });
      expect(statusOf(document, 'ADMINISTRATIVE_APPROVAL_BUREAU')).toMatchObject({
        missing: false,
        firstFiling: { filedAt: beijing(-1, '10:00'), late: false, documentReference: '青审批发〔样例〕8号' },
      });
      expect(statusOf(document, 'TAXATION_BUREAU')).toMatchObject({ late: false, missing: false, firstFiling: null });

      // Observer teams: the experience officer's undercover finding 45 days ago, accepted and still being
      // rectified; one member serving in each team (the second expert's term ended three weeks ago).
      expect(data.observerTeams).toEqual([
        team('EXPERT_COMMITTEE', 20, 0),
        team('MEDIA_OBSERVER', 12, 0),
        team('EXPERIENCE_OFFICER', 56, 1),
      ]);
      expect(data.observerReports).toEqual({
        totalCount: 1,
        edges: [
          {
            node: {
              team: 'EXPERIENCE_OFFICER',
              reportedAt: beijing(-45, '10:00'),
              membership: { name: '李体验（样例）' },
              issue: { source: 'UNDERCOVER_VISIT' },
            },
          },
        ],
      });
      const filedIn = (figures: { team: string; reportsFiled: number }[]) => figures.map((f) => [f.team, f.reportsFiled]);
      expect(filedIn(since.observerTeams)).toEqual([
        ['EXPERT_COMMITTEE', 0],
        ['MEDIA_OBSERVER', 0],
        ['EXPERIENCE_OFFICER', 1],
      ]);
      expect(filedIn(recent.observerTeams).every(([, n]) => n === 0)).toBe(true);

      // Surveys: published three days ago — 市行政审批局's, answered by five enterprises (ratings
      // 5 4 5 3 4 and 4 4 5 2 4: 4.0 on average), and 即墨区's public one, three answers (4, 3, 2).
      const survey = (title: string) => data.surveys.edges.map((e: any) => e.node).find((n: any) => n.title === title);
      expect(data.surveys.totalCount).toBe(2);
      expect(survey('（样例）市行政审批局政务服务企业满意度调查')).toEqual({
        title: '（样例）市行政审批局政务服务企业满意度调查',
        audience: 'ENTERPRISES',
        subject: 'UNIT',
        unit: { id: unitIdForCode('ADMINISTRATIVE_APPROVAL_BUREAU') },
        opensAt: beijing(-3, '09:00'),
        closesAt: beijing(21, '00:00'),
        state: 'OPEN',
        results: { responses: 5, averageRating: 4 },
      });
      expect(survey('（样例）即墨区群众办事满意度调查')).toMatchObject({
        audience: 'PUBLIC',
        subject: 'DISTRICT',
        unit: { id: unitIdForCode('JIMO_DISTRICT') },
        opensAt: beijing(-3, '09:35'),
        state: 'OPEN',
        results: { responses: 3, averageRating: 3 },
      });
      // The half year's evaluation reads 市行政审批局's market satisfaction from it: 4.0 × 20, five sheets.
      const half = `${at.slice(0, 4)}-H${Number(at.slice(5, 7)) <= 6 ? 1 : 2}`;
      const { evaluation } = await ok(
        t,
        `query($p: String!) { evaluation(period: $p) { preview { unit { id } inputs { indicator value responses } } } }`,
        {
          p: half,
        },
      );
      const inputs = (code: string) => evaluation.preview.find((r: any) => r.unit.id === unitIdForCode(code)).inputs;
      expect(inputs('ADMINISTRATIVE_APPROVAL_BUREAU').find((i: any) => i.indicator === 'MARKET')).toEqual({
        indicator: 'MARKET',
        value: 80,
        responses: 5,
      });
      // The others' were entered by hand: no answer sheets.
      expect(inputs('TAXATION_BUREAU').find((i: any) => i.indicator === 'MARKET')).toEqual({
        indicator: 'MARKET',
        value: 88,
        responses: null,
      });
    });

    it('is ready, and /ready warns that 2027 is missing in every slice that counts working days', async () => {
      const { status, checks } = await ready(t);
      expect(status).toBe(200);
      for (const slice of SLICES_COUNTING_WORKING_DAYS) {
        expect(checks[slice]).toBe('ok');
        expect(checks[`${slice}.calendar`], slice).toMatch(/^warning: no working-day calendar for 2027 .*provisional/);
      }
    });

    it('says the same in the start log, as warnings', () => {
      for (const slice of SLICES_COUNTING_WORKING_DAYS) {
        const warning = lines.find((line) => line.service === slice && line.check === 'calendar');
        expect(warning, `${slice}: ${JSON.stringify(lines)}`).toMatchObject({
          level: 40,
          msg: expect.stringMatching(/no working-day calendar for 2027/),
        });
      }
      expect(
        lines.filter((line) => (line.level as number) >= 50),
        JSON.stringify(lines),
      ).toEqual([]);
    });

    it('marks the limits reaching 2027 provisional in every slice, and only those', async () => {
      const data = await ok(t, PROVISIONAL);
      // Limits counted in working days or office hours (a planned milestone's date is no count).
      const deadlines = data.issues.edges
        .flatMap((e: any) => e.node.deadlines)
        .filter((d: any) => d.workingDays !== null || d.hours !== null);
      const applications = data.applications.edges.map((e: any) => e.node);
      const reviews = data.serviceReviews.edges.map((e: any) => e.node);
      for (const [slice, rows, due] of [
        ['issues', deadlines, (d: any) => [d.dueAt]],
        ['policies', applications, (a: any) => [a.reviewDueAt, a.paymentDueAt]],
        ['evaluations', reviews, (r: any) => [r.answerDueAt, r.rectifyDueAt]],
      ] as const) {
        const provisional = rows.filter((row: any) => row.provisional);
        expect(provisional.length, `${slice}: some limit reaches 2027`).toBeGreaterThan(0);
        for (const row of provisional) expect(row.provisionalUntilYear ?? row.pendingCalendarYear, slice).toBe(2027);
        // A final limit never ends in the year the calendar lacks.
        for (const row of rows.filter((r: any) => !r.provisional)) {
          for (const dueAt of due(row))
            if (dueAt) expect(dueAt < '2027-01-01T00:00:01+08:00', `${slice}: ${JSON.stringify(row)}`).toBe(true);
        }
      }
    });
  },
);

describe('entering 2027 after a start on 2026-12-28', () => {
  let t: TestPlatform;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startAt('2026-12-28T09:00:00+08:00', lines);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('recomputes the provisional limits in every slice, and the warnings go', async () => {
    const before = await ok(t, PROVISIONAL);
    // The sample grant in public notice since Friday 12-25: five working days counted as if 2027-01-01 were one.
    const inNotice = before.applications.edges.map((e: any) => e.node).find((a: any) => a.publicNotice?.provisional);
    expect(inNotice).toMatchObject({
      status: 'PUBLIC_NOTICE',
      provisional: true,
      provisionalUntilYear: 2027,
      publicNotice: { endsOn: '2027-01-01', provisional: true },
    });
    // The sample objection and its marked duplicate: each answered by the end of the notice.
    expect(inNotice.objections.length).toBeGreaterThan(0);
    for (const objection of inNotice.objections) expect(objection).toEqual({ answerDueAt: '2027-01-02T00:00:00+08:00', provisional: true });
    // Approved on Sunday 12-20, 15 working days to pay.
    expect(inNotice.paymentDueAt).toBe('2027-01-09T00:00:00+08:00');
    // The review of the science bureau given this morning: answer tomorrow (final), rectify in 15 working days (provisional).
    const science = unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU');
    const review = before.serviceReviews.edges.map((e: any) => e.node).find((r: any) => r.unit.id === science);
    expect(review).toMatchObject({
      provisional: true,
      pendingCalendarYear: 2027,
      answerDueAt: '2026-12-30T00:00:00+08:00',
      rectifyDueAt: '2027-01-19T00:00:00+08:00',
    });

    await ok(t, `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, { input: YEAR_2027 });

    const after = await ok(t, PROVISIONAL);
    const notice = after.applications.edges.map((e: any) => e.node).find((a: any) => a.id === inNotice.id);
    expect(notice).toMatchObject({
      provisional: false,
      provisionalUntilYear: null,
      publicNotice: { endsOn: '2027-01-04', provisional: false },
      paymentDueAt: '2027-01-12T00:00:00+08:00',
    });
    expect(notice.objections.length).toBe(inNotice.objections.length);
    for (const objection of notice.objections) expect(objection).toEqual({ answerDueAt: '2027-01-05T00:00:00+08:00', provisional: false });
    expect(after.serviceReviews.edges.map((e: any) => e.node).find((r: any) => r.id === review.id)).toMatchObject({
      provisional: false,
      pendingCalendarYear: null,
      answerDueAt: '2026-12-30T00:00:00+08:00',
      rectifyDueAt: '2027-01-20T00:00:00+08:00',
    });
    for (const slice of [
      after.issues.edges.flatMap((e: any) => e.node.deadlines),
      after.applications.edges.map((e: any) => e.node),
      after.serviceReviews.edges.map((e: any) => e.node),
    ]) {
      expect(slice.filter((row: any) => row.provisional)).toEqual([]);
    }

    const { status, checks } = await ready(t);
    expect(status).toBe(200);
    for (const slice of SLICES_COUNTING_WORKING_DAYS) expect(checks[`${slice}.calendar`], slice).toBeUndefined();

    // The kept figures moved with the recomputed limits exactly as a recount from the rows says.
    const owner = t.database.handle.owner();
    for (const [table, keys] of [
      ['policies.policy_figures', ['unit_id', 'day']],
      ['policies.cycle_figures', ['unit_id', 'day', 'working_days']],
    ] as const) {
      await expectKeptEqualsRebuild(owner, {
        table,
        keys: [...keys],
        rebuild: 'policies.rebuild_figures',
        staging: 'policies.figure_changes',
      });
    }
    await expectKeptEqualsRebuild(owner, {
      table: 'evaluations.review_figures',
      keys: ['unit_id', 'day'],
      rebuild: 'evaluations.rebuild_review_figures',
      staging: 'evaluations.review_figure_changes',
    });
    await expectKeptFiguresRebuildable(t);
  });
});
